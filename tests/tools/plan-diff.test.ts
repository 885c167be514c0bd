// npm run plan:diff end to end: a real base from git, planned in a child process, then the working
// tree previewed against the state it leaves.
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { parseArgs } from "../../tools/plan-diff";

const ROOT = path.resolve(__dirname, "../..");
const node = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ["-r", "./tools/register.js", ...args], { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env }, maxBuffer: 256 * 1024 * 1024 });

describe("plan:diff", () => {
  it("previews the working tree against the state of the deployed base and prints JSON", () => {
    const r = node(["tools/plan-diff.ts", "dev", "--base", "HEAD", "--json"]);
    expect(r.status).toBe(0);
    const diff = JSON.parse(r.stdout);
    expect(diff).toMatchObject({ stack: "dev", base: { ref: "HEAD" }, head: "working tree", dangers: [] });
    expect(diff.base.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(diff.summary.same).toBeGreaterThan(200);
    expect(diff.kubernetes).toEqual({ replaced: 0, deleted: 0, provider: "same" });
  });

  it("shows what a setting does, as the engine decides it, and exits 3 when it would replace protected resources", () => {
    // A new Secrets Manager prefix renames every protected secret: the engine refuses to replace them.
    const r = node(["tools/plan-diff.ts", "dev", "--base", "HEAD", "--set", 'homelab:aws={"region":"eu-west-1","secretPrefix":"lab/other"}']);
    expect(r.status).toBe(3);
    const lines = r.stdout.split("\n");
    expect(lines[2]).toMatch(/^!! unable to replace resource .*aws:secretsmanager\/secret:Secret::secrets-.* as it is currently marked for protection/);
    expect(r.stdout).toMatch(/^\+- aws:secretsmanager\/secret:Secret {2}secrets-database-postgres-superuser {2}\(replace\)$/m);
    expect(r.stdout).toContain('~ name: "homelab/dev/database/postgres-superuser" => "lab/other/database/postgres-superuser"');
  });

  it("refuses an unknown base and bad options", () => {
    expect(node(["tools/plan-diff.ts", "dev", "--base", "no-such-ref-xyz"])).toMatchObject({ status: 1, stderr: expect.stringContaining("--base no-such-ref-xyz: not a commit") });
    expect(() => parseArgs(["dev", "--frob"])).toThrow(/unknown option --frob/);
    expect(parseArgs(["dev", "--set", "a=b", "--json"])).toEqual({ stack: "dev", base: undefined, json: true, planArgs: ["--set", "a=b"] });
  });
});
