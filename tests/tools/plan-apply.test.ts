// An error inside an apply fails the plan instead of silently dropping the resource that waited
// for the value (the runtime reports it only as an unhandled rejection).
import { spawnSync } from "node:child_process";
import * as path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const plan = (failure: string) => spawnSync(process.execPath, ["-r", "./tools/register.js", "tests/tools/fixtures/run-plan.ts", "tests/tools/fixtures/apply-program.ts"], {
  cwd: ROOT, encoding: "utf8", env: { ...process.env, APPLY_FAILURE: failure },
});

describe("a failure inside an apply", () => {
  it("plans normally when the apply succeeds", () => {
    expect(plan("none")).toMatchObject({ status: 0, stdout: "pulumi:pulumi:Stack,test:index:Thing\n", stderr: "" });
  });

  it("is the operator's error, once, without a stack trace, when the program raised a RunError", () => {
    const { status, stdout, stderr } = plan("user");
    expect(status).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toBe('error: error serializing property "value": homelab:example: a rule that ran too late\n');
  });

  it("is a bug, with its stack, for any other error", () => {
    const { status, stdout, stderr } = plan("bug");
    expect(status).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^failed unexpectedly:\nthe program failed while the plan resolved its values \(an error inside an apply/);
    expect(stderr).toContain("cannot read properties of undefined (reading 'x')");
    expect(stderr).toMatch(/\n\s+at .*apply-program\.ts:\d+/);
  });
});
