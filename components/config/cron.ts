// Cron schedules, read the way their consumers read them. Two consumers take a schedule from the
// config: K3s (`etcd-snapshot-schedule-cron`, robfig/cron v3's standard parser) and CloudNative-PG's
// ScheduledBackup (robfig/cron v1's default parser, which wants a seconds field first). Both share
// robfig's field grammar (parser.go, getRange): comma lists of `*`, `?`, `N`, `N-M`, each with an
// optional `/step`; three-letter month and weekday names in any case; weekdays 0-6 (no 7 for Sunday,
// unlike Vixie cron); and the descriptors @yearly ... @hourly. K3s drops a schedule it cannot parse
// without a word (no snapshots are ever taken), so the config refuses what either parser would.

interface FieldRule {
  name: string;
  min: number;
  max: number;
  /** Three-letter names, indexed from `min`. */
  names?: string[];
}

const MONTH_NAMES = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const WEEKDAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

const FIELDS: FieldRule[] = [
  { name: "minute", min: 0, max: 59 },
  { name: "hour", min: 0, max: 23 },
  { name: "day of month", min: 1, max: 31 },
  { name: "month", min: 1, max: 12, names: MONTH_NAMES },
  { name: "day of week", min: 0, max: 6, names: WEEKDAY_NAMES },
];

/** Descriptors both parsers accept, with the five fields they stand for. */
const DESCRIPTORS: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

/** What a valid schedule should look like, for messages. */
export const CRON_EXPECTED = 'five cron fields (minute hour day-of-month month day-of-week) such as "30 2 * * *", or @daily, @weekly, @monthly';

/** One field's values, and whether it was written as `*` or `?` (robfig's "star" bit). */
interface FieldValues {
  values: Set<number>;
  star: boolean;
}

function parseValue(text: string, rule: FieldRule): number | string {
  if (/^\d+$/.test(text)) return Number(text);
  const index = rule.names?.indexOf(text.toLowerCase()) ?? -1;
  if (index !== -1) return rule.min + index;
  if (rule.names && /^[a-z]+$/i.test(text)) {
    const hint = rule.names.find((name) => text.toLowerCase().startsWith(name));
    return `"${text}" is not a ${rule.name} name (use ${rule.names[0].toUpperCase()}-${rule.names[rule.names.length - 1].toUpperCase()}` +
      (hint ? `: "${hint.toUpperCase()}"` : "") + ` or ${rule.min}-${rule.max})`;
  }
  return `"${text}" is not a ${rule.name} (expected ${rule.min}-${rule.max}${rule.names ? " or a three-letter name" : ""})`;
}

function outOfRange(rule: FieldRule, value: number): string {
  if (rule.name === "day of week" && value === 7) {
    return "day of week 7 is out of range 0-6 (robfig/cron, which K3s and CloudNative-PG use, has no 7 for Sunday); write Sunday as 0 or SUN";
  }
  return `${rule.name} ${value} is out of range ${rule.min}-${rule.max}`;
}

/** One comma-separated item: `*`, `?`, `N`, `N-M`, optionally `/step`; problems as text. */
function parseItem(item: string, rule: FieldRule): FieldValues | string {
  if (item === "") return `an empty item in the ${rule.name} list`;
  const [range, step, ...more] = item.split("/");
  if (more.length > 0) return `"${item}" has more than one "/"`;
  let stepBy = 1;
  if (step !== undefined) {
    if (!/^\d+$/.test(step) || Number(step) === 0) return `"${item}": the step after "/" must be a whole number of at least 1`;
    stepBy = Number(step);
  }
  let start: number;
  let end: number;
  const star = range === "*" || range === "?";
  if (star) {
    [start, end] = [rule.min, rule.max];
  } else {
    const bounds = range.split("-");
    if (bounds.length > 2) return `"${item}" has more than one "-"`;
    const first = parseValue(bounds[0], rule);
    if (typeof first === "string") return first;
    const last = bounds.length === 2 ? parseValue(bounds[1], rule) : step !== undefined ? rule.max : first;
    if (typeof last === "string") return last;
    for (const value of [first, last]) if (value < rule.min || value > rule.max) return outOfRange(rule, value);
    if (first > last) return `"${item}": the range runs backwards (${first} is after ${last})`;
    [start, end] = [first, last];
  }
  const values = new Set<number>();
  for (let v = start; v <= end; v += stepBy) values.add(v);
  return { values, star: star && stepBy === 1 };
}

function parseField(text: string, rule: FieldRule): FieldValues | string {
  const values = new Set<number>();
  let star = false;
  for (const item of text.split(",")) {
    const parsed = parseItem(item, rule);
    if (typeof parsed === "string") return parsed;
    parsed.values.forEach((v) => values.add(v));
    star ||= parsed.star;
  }
  return { values, star };
}

// The longest day of month each month can have (February in a leap year).
const MONTH_LENGTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * What is wrong with a schedule for K3s and CloudNative-PG, or undefined when both accept it and it
 * fires at least once a year.
 */
export function cronProblem(expression: string): string | undefined {
  const text = expression.trim();
  if (text === "") return "is empty";
  if (/^(CRON_)?TZ=/.test(text)) {
    return "a time zone prefix is not understood by CloudNative-PG's cron parser; K3s runs the etcd schedule in each server's local time and CloudNative-PG the backup schedule in the operator's (UTC)";
  }
  if (text.startsWith("@")) {
    if (DESCRIPTORS[text] !== undefined) return undefined;
    if (text.startsWith("@every")) {
      return `"${text}" counts from the last restart of K3s or the operator, so a restart postpones it; write a clock schedule such as "0 */6 * * *"`;
    }
    return `"${text}" is not a descriptor (${Object.keys(DESCRIPTORS).join(", ")})`;
  }
  const fields = text.split(/\s+/);
  if (fields.length !== 5) {
    return `has ${fields.length} field${fields.length === 1 ? "" : "s"}` +
      (fields.length === 6 ? " (the program adds CloudNative-PG's seconds field itself; leave it out)" : "");
  }
  const parsed: FieldValues[] = [];
  const problems: string[] = [];
  fields.forEach((field, i) => {
    const result = parseField(field, FIELDS[i]);
    if (typeof result === "string") problems.push(result);
    else parsed.push(result);
  });
  if (problems.length > 0) return problems.join("; ");

  // robfig matches day of month AND day of week when either is `*`, and either one otherwise; with a
  // `*` weekday only the day of month counts, and a day that no listed month has never comes.
  const [, , days, months, weekdays] = parsed;
  if (weekdays.star && !days.star) {
    const someDayExists = [...months.values].some((m) => [...days.values].some((d) => d <= MONTH_LENGTH[m - 1]));
    if (!someDayExists) return `never fires: no month it names has day ${[...days.values].join(",")}`;
  }
  return undefined;
}

/** Whether K3s and CloudNative-PG both accept the schedule (see cronProblem). */
export function isCron(expression: string): boolean {
  return cronProblem(expression) === undefined;
}

/**
 * The six-field form CloudNative-PG's ScheduledBackup reads (robfig/cron v1: seconds first). The
 * config has already refused anything cronProblem finds, so this only prepends the seconds;
 * descriptors mean the same to both parsers and pass unchanged.
 */
export function withSecondsField(expression: string): string {
  const text = expression.trim();
  return text.startsWith("@") ? text : ["0", ...text.split(/\s+/)].join(" ");
}
