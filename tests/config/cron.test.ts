// Cron schedules as robfig/cron reads them (K3s's etcd snapshots, CloudNative-PG's backups).
import * as fc from "fast-check";
import { cronProblem, isCron, withSecondsField } from "../../components/config/cron";

describe("cronProblem", () => {
  it.each([
    "30 2 * * *", "0 3 * * 0", "0 2 * * SUN", "0 2 * * sun", "0 2 * * MON-FRI", "0 2 1 JAN,jul *",
    "*/15 * * * *", "5/15 * * * *", "0 0-23/6 * * *", "0 2 * * 1,3,5", "0 2 ? * *", "0 2 29 2 *",
    "  30 2  * *  * ", "@daily", "@weekly", "@monthly", "@yearly", "@annually", "@midnight", "@hourly",
  ])("accepts %j", (schedule) => {
    expect(cronProblem(schedule)).toBeUndefined();
  });

  it.each([
    ["0 24 * * *", "hour 24 is out of range 0-23"],
    ["60 1 * * *", "minute 60 is out of range 0-59"],
    ["0 2 0 * *", "day of month 0 is out of range 1-31"],
    ["0 2 * 13 *", "month 13 is out of range 1-12"],
    ["0 2 * * 7", "day of week 7 is out of range 0-6 (robfig/cron, which K3s and CloudNative-PG use, has no 7 for Sunday); write Sunday as 0 or SUN"],
    ["0 2 * * 1-7/2", "day of week 7 is out of range 0-6"],
    ["0 2 * * 5-7", "day of week 7 is out of range 0-6"],
    ["0 2 * * SUNDAY", '"SUNDAY" is not a day of week name (use SUN-SAT: "SUN" or 0-6)'],
    ["0 2 * * MOM", '"MOM" is not a day of week name (use SUN-SAT or 0-6)'],
    ["JAN 2 * * *", '"JAN" is not a minute (expected 0-59)'],
    ["0 2 * * */0", 'the step after "/" must be a whole number of at least 1'],
    ["0 5-2 * * *", "the range runs backwards (5 is after 2)"],
    ["0 1-2-3 * * *", 'has more than one "-"'],
    ["0 2 1,,15 * *", "an empty item in the day of month list"],
    ["0 2 L * *", '"L" is not a day of month (expected 1-31)'],
    ["0 0 2 * * *", "has 6 fields (the program adds CloudNative-PG's seconds field itself; leave it out)"],
    ["0 2 * *", "has 4 fields"],
    ["", "is empty"],
    ["@every 6h", "counts from the last restart"],
    ["@fortnightly", "is not a descriptor"],
    ["CRON_TZ=Europe/Paris 0 2 * * *", "a time zone prefix is not understood"],
    ["0 2 31 2,4 *", "never fires: no month it names has day 31"],
    ["0 2 30 FEB *", "never fires"],
  ])("refuses %j: %s", (schedule, problem) => {
    expect(cronProblem(schedule)).toContain(problem);
    expect(isCron(schedule)).toBe(false);
  });

  it("reports every field's problem at once", () => {
    expect(cronProblem("60 24 * * *")).toBe("minute 60 is out of range 0-59; hour 24 is out of range 0-23");
  });

  it("fires on a day-of-month no month has when the weekday is restricted (either one matches then)", () => {
    expect(cronProblem("0 2 31 2 MON")).toBeUndefined();
  });
});

describe("withSecondsField", () => {
  it("prepends a zero seconds field for CloudNative-PG and leaves descriptors alone", () => {
    expect(withSecondsField("0 2 * * *")).toBe("0 0 2 * * *");
    expect(withSecondsField("  30 3  * * SUN ")).toBe("0 30 3 * * SUN");
    expect(withSecondsField("@daily")).toBe("@daily");
  });

  it("keeps the five fields of every valid schedule, in order", () => {
    const field = fc.constantFrom("*", "0", "5", "*/15", "1-5", "1,3", "?");
    fc.assert(fc.property(fc.tuple(field, field, field, fc.constantFrom("*", "1", "JAN", "1-6"), fc.constantFrom("*", "0", "1-5", "SAT")), (parts) => {
      const schedule = parts.join(" ");
      fc.pre(isCron(schedule));
      expect(withSecondsField(schedule).split(" ")).toEqual(["0", ...parts]);
    }));
  });
});
