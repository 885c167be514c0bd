// npm run plan:diff end to end (a real base from git, both plans in child processes), and the
// internal secret-digest field of the plan JSON.
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { parseArgs } from "../../tools/plan-diff";

const ROOT = path.resolve(__dirname, "../..");
const node = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ["-r", "./tools/register.js", ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 });

describe("plan:diff", () => {
  it("diffs the working tree against a base commit and prints JSON", () => {
    const r = node(["tools/plan-diff.ts", "dev", "--base", "HEAD", "--json"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const diff = JSON.parse(r.stdout);
    expect(diff).toMatchObject({ stack: "dev", base: { ref: "HEAD" }, head: "working tree" });
    expect(diff.base.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(diff.summary.same + diff.summary.update + diff.summary.delete).toBeGreaterThan(0);
    expect(r.stdout).not.toMatch(/[0-9a-f]{64}/); // no digest leaks into the output
  });

  it("refuses an unknown base and bad options", () => {
    expect(node(["tools/plan-diff.ts", "dev", "--base", "no-such-ref-xyz"])).toMatchObject({ status: 1, stderr: expect.stringContaining("--base no-such-ref-xyz: not a commit") });
    expect(() => parseArgs(["dev", "--frob"])).toThrow(/unknown option --frob/);
    expect(parseArgs(["dev", "--set", "a=b", "--json"])).toEqual({ stack: "dev", base: undefined, json: true, planArgs: ["--set", "a=b"] });
  });

  it("adds secret digests to the plan JSON only when the diff's per-run key is set", () => {
    const plain = JSON.parse(node(["tools/plan.ts", "dev", "--json"]).stdout);
    expect(plain.resources[0].secretDigests).toBeUndefined();
    expect(plain.outputSecretDigests).toBeUndefined();
    const digested = JSON.parse(node(["tools/plan.ts", "dev", "--json"], { HOMELAB_PLAN_DIGEST_KEY: "ab".repeat(32) }).stdout);
    expect(digested.resources.every((r: { secretDigests?: unknown }) => typeof r.secretDigests === "object")).toBe(true);
    expect(digested.resources.map((r: { urn: string }) => r.urn)).toEqual(plain.resources.map((r: { urn: string }) => r.urn));
  });
});
