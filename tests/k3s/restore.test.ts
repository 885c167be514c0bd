// The etcd restore plan and scripts (components/k3s/restore.ts), without a node: order, where the
// token goes, and what each refuses. tests/k3s/ssh.test.ts runs them over SSH; scripts.test.ts
// shellchecks them.
import { etcdRestorePlan, resetFirstServerScript } from "../../components/k3s";
import { parseArgs } from "../../tools/etcd-restore";
import { haInventory } from "./fixtures";

const nodes = haInventory();
const servers = nodes.filter((n) => n.role === "server").map((n) => n.name);
const [first] = servers;
const target = { snapshot: "etcd-snapshot-s1-1764383400", source: "s3" as const };

describe("etcd restore plan", () => {
  const plan = etcdRestorePlan(nodes, target);

  it("stops every server (the first last), resets and starts the first, then rejoins the others one by one", () => {
    expect(plan.map((s) => `${s.kind} ${s.node.name}`)).toEqual([
      ...servers.slice(1).map((n) => `stop ${n}`),
      `stop ${first}`,
      `reset ${first}`,
      `start ${first}`,
      ...servers.slice(1).map((n) => `rejoin ${n}`),
    ]);
  });

  it("never touches an agent", () => {
    const agents = nodes.filter((n) => n.role === "agent").map((n) => n.name);
    expect(plan.filter((s) => agents.includes(s.node.name))).toEqual([]);
  });

  it("gives the token to the reset step only, and no script holds one", () => {
    expect(plan.filter((s) => s.takesToken).map((s) => s.kind)).toEqual(["reset"]);
    for (const step of plan) expect(step.script).not.toMatch(/K10[0-9a-f]/);
  });

  it("hands the token to K3s in its environment, never in argv", () => {
    const script = resetFirstServerScript(nodes[0], target);
    expect(script).toContain(`K3S_TOKEN="$token" timeout`);
    expect(script).not.toMatch(/--token[ =]/);
    expect(script).toContain(`--cluster-reset-restore-path="$snapshot"`);
  });

  it("turns S3 off for a local snapshot, which must be a full path", () => {
    const local = resetFirstServerScript(nodes[0], { snapshot: "/var/lib/rancher/k3s/server/db/snapshots/etcd-snapshot-s1-1764383400", source: "local" });
    expect(local).toContain("extra+=(--etcd-s3=false)");
    expect(() => etcdRestorePlan(nodes, { snapshot: "etcd-snapshot-x", source: "local" })).toThrow(/full path/);
  });

  it("refuses a snapshot name that is not a plain name or path", () => {
    expect(() => etcdRestorePlan(nodes, { snapshot: "x; rm -rf /", source: "s3" })).toThrow(/not a snapshot name/);
    expect(() => etcdRestorePlan(nodes, { snapshot: "../../etc/shadow", source: "s3" })).toThrow(/not a snapshot name/);
  });
});

describe("etcd restore runner arguments", () => {
  it("needs a stack, a snapshot and (unless dry-running) an SSH identity", () => {
    expect(parseArgs(["staging", "--snapshot", "s", "--identity", "k"])).toEqual({ stack: "staging", snapshot: "s", local: false, identity: "k", dryRun: false });
    expect(parseArgs(["dev", "--snapshot", "/p/s", "--local", "--dry-run"])).toMatchObject({ local: true, dryRun: true });
    expect(() => parseArgs(["staging", "--snapshot", "s"])).toThrow(/--identity is required/);
    expect(() => parseArgs(["staging"])).toThrow(/usage/);
  });
});
