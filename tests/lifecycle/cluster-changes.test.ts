// Lifecycle (3) to (7): changes to the cluster itself, each previewed against the state of a
// deployed staging lab the way `pulumi up` would decide it. None may replace the Kubernetes
// provider or any object under it; node steps change only on the nodes concerned.
import type { Decision } from "../../tools/lib/engine/decisions";
import type { DeploymentState } from "../../tools/lib/engine/state";
import { preview } from "../../tools/lib/lifecycle";
import { displayText } from "../../tools/lib/diff";
import { changed, deployed, isKubernetes, stackConfig, summary, withSetting } from "../helpers/lifecycle";

type Node = Record<string, unknown> & { name: string; host: string; role: string; hostKey: string; formerNames?: string[] };

const config = stackConfig("staging");
let state: DeploymentState;

beforeAll(async () => {
  state = await deployed(config);
});

/** No Kubernetes object and no provider is touched; the engine refuses nothing. */
function expectClusterOnly(run: { decisions: Decision[]; errors: unknown[] }): void {
  expect(run.errors).toEqual([]);
  expect(changed(run.decisions).filter(isKubernetes).map((d) => `${d.op} ${d.name}`)).toEqual([]);
  expect(changed(run.decisions).filter((d) => d.type.startsWith("pulumi:providers:"))).toEqual([]);
}

const withNodes = (change: (nodes: Node[]) => Node[]) => withSetting<Node[]>(config, "nodes", change);
const byName = (run: { decisions: Decision[] }, name: string) => run.decisions.find((d) => d.name === name);

describe("lifecycle: changes to the cluster", () => {
  it("(3) a K3s version bump runs the upgrade steps and replaces nothing in the cluster", async () => {
    const bumped = withSetting<{ version: string }>(config, "k3s", (k3s) => ({ ...k3s, version: "v1.36.4+k3s1" }));
    const run = await preview(bumped, { prior: state });
    expectClusterOnly(run);
    const ops = changed(run.decisions);
    // Every node's three upgrade steps are replaced (their trigger is the version; they have no
    // delete script, so replacing only runs them); every install step is updated in place.
    expect(ops.filter((d) => d.op === "replace").every((d) => /-upgrade(-drain|-uncordon)?$/.test(d.name))).toBe(true);
    expect(ops.filter((d) => d.op === "replace")).toHaveLength((JSON.parse(config.values["homelab:nodes"]) as Node[]).length * 3);
    for (const d of ops.filter((d) => d.op === "replace")) expect(d.reasons.join()).toContain("no delete script");
    expect(ops.filter((d) => d.op === "update").map((d) => d.name).sort()).toEqual(
      ["pglenovo01", "pglenovo02", "pgmac01", "pgmac02", "rpi01", "thinkpad01", "yeezyai", "zz-macbookpro"].map((n) => `homelab-${n}-install`).sort());
    expect(ops.filter((d) => d.op === "create" || d.op === "delete")).toEqual([]);
  });

  it("(4) adding an agent creates its steps and changes nothing else but node-count sizing", async () => {
    const added = withNodes((nodes) => [...nodes, { ...nodes.find((n) => n.name === "pgmac02")!, name: "pgmac03", host: "pgmac03.home.arpa" }]);
    const run = await preview(added, { prior: state });
    expect(run.errors).toEqual([]);
    const ops = changed(run.decisions);
    expect(ops.filter((d) => d.op === "create").every((d) => d.name.startsWith("homelab-pgmac03"))).toBe(true);
    expect(ops.filter((d) => d.op === "create").length).toBeGreaterThanOrEqual(8);
    expect(ops.filter((d) => d.op === "replace" || d.op === "delete")).toEqual([]);
    // What scales with the inventory updates in place: per-node quotas of the node-agent, CSI and
    // Velero namespaces (each runs a pod on every node); nothing else in the cluster moves.
    expect(ops.filter(isKubernetes).map((d) => `${d.op} ${d.type} ${d.name}`).sort()).toEqual([
      "update kubernetes:core/v1:ResourceQuota nfs-csi-quota",
      "update kubernetes:core/v1:ResourceQuota node-agents-quota",
      "update kubernetes:core/v1:ResourceQuota velero-quota",
    ]);
  });

  it("(5) removing an agent deletes its steps (its delete drains and uninstalls it) and nothing in the cluster", async () => {
    const removed = withNodes((nodes) => nodes.filter((n) => n.name !== "thinkpad01"));
    const run = await preview(removed, { prior: state });
    expect(run.errors).toEqual([]);
    const ops = changed(run.decisions);
    const deleted = ops.filter((d) => d.op === "delete");
    expect(deleted.every((d) => d.name.startsWith("homelab-thinkpad01"))).toBe(true);
    expect(deleted.map((d) => d.name)).toEqual(expect.arrayContaining(["homelab-thinkpad01-install", "homelab-thinkpad01-ready"]));
    expect(ops.filter((d) => d.op === "replace" || d.op === "create")).toEqual([]);
    expect(ops.filter(isKubernetes).every((d) => d.op === "update" && d.type === "kubernetes:core/v1:ResourceQuota")).toBe(true);
  });

  it("(6) a new host key on the first server updates the steps that connect to it, and nothing in the cluster", async () => {
    const NEW_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBbFZfJ9oRgt8FzXQ2xS1cY7uUqRz0yT0Bq8lq7p4v1k";
    const rekeyed = withNodes((nodes) => nodes.map((n, i) => (i === 0 ? { ...n, hostKey: NEW_KEY } : n)));
    const run = await preview(rekeyed, { prior: state });
    expectClusterOnly(run);
    const ops = changed(run.decisions);
    expect(ops.every((d) => d.op === "update" && d.type === "command:remote:Command")).toBe(true);
    // The first server's own steps, and every kubectl step, which runs there.
    expect(ops.map((d) => d.name)).toEqual(expect.arrayContaining([
      "homelab-zz-macbookpro-install", "homelab-thinkpad01-ready", "homelab-thinkpad01-upgrade-drain", "homelab-admin-access",
    ]));
    expect(ops.map((d) => d.name)).not.toContain("homelab-thinkpad01-install");
  });

  it("(7a) renaming a node with its former name declared keeps its steps: they are updated, nothing is deleted", async () => {
    const renamed = withNodes((nodes) => nodes.map((n) => (n.name === "thinkpad01" ? { ...n, name: "thinkpad-x1", formerNames: ["thinkpad01"] } : n)));
    const run = await preview(renamed, { prior: state });
    expect(run.errors).toEqual([]);
    const ops = changed(run.decisions);
    expect(ops.filter((d) => d.op === "delete" || d.op === "create")).toEqual([]);
    // Only the pre-flight is replaced (its trigger is the node's configuration digest): it has no
    // delete script, so that only runs the checks again.
    expect(ops.filter((d) => d.op === "replace").map((d) => [d.name, d.reasons])).toEqual([
      ["homelab-thinkpad-x1-preflight", [expect.stringContaining("no delete script")]],
    ]);
    expect(byName(run, "homelab-thinkpad-x1-install")).toMatchObject({ op: "update", aliasOf: expect.stringMatching(/::homelab-thinkpad01-install$/) });
    expect(byName(run, "homelab-thinkpad-x1")).toMatchObject({ aliasOf: expect.stringMatching(/::homelab-thinkpad01$/) });
    expect(ops.filter(isKubernetes)).toEqual([]);
  });

  it("(7b) renaming a node without declaring it removes the old steps, whose uninstaller refuses the renamed machine", async () => {
    const renamed = withNodes((nodes) => nodes.map((n) => (n.name === "thinkpad01" ? { ...n, name: "thinkpad-x1" } : n)));
    const run = await preview(renamed, { prior: state });
    expect(run.errors).toEqual([]);
    expect(byName(run, "homelab-thinkpad01-install")?.op).toBe("delete");
    expect(byName(run, "homelab-thinkpad-x1-install")?.op).toBe("create");
    // The delete runs the old step's delete script on the same machine, whose config now names
    // thinkpad-x1: the script leaves K3s installed.
    const old = state.resources.find((r) => r.name === "homelab-thinkpad01-install")!;
    const uninstall = displayText(String(old.inputs.delete));
    expect(uninstall).toContain("node='thinkpad01'");
    expect(uninstall.indexOf('[ "$configured" != "$node" ]')).toBeLessThan(uninstall.indexOf('"$uninstaller"'));
    expect(changed(run.decisions).filter(isKubernetes).map((d) => d.op)).not.toContain("replace");
  });

  it("never lets the join tokens or cluster CAs be replaced: they are protected", async () => {
    const protectedKinds = state.resources.filter((r) => r.type.startsWith("random:") || r.type.startsWith("tls:"));
    expect(protectedKinds.filter((r) => r.parent?.endsWith("homelab-credentials")).every((r) => r.protect)).toBe(true);
    // A change that would regenerate the server token is refused by the engine, not applied.
    const tampered: DeploymentState = {
      ...state,
      resources: state.resources.map((r) => (r.name === "homelab-credentials-token" ? { ...r, inputs: { ...r.inputs, length: 32 } } : r)),
    };
    const run = await preview(config, { prior: tampered });
    expect(run.errors.map((e) => e.message)).toEqual([expect.stringMatching(/unable to replace resource .*homelab-credentials-token as it is currently marked for protection/)]);
    expect(summary(run.decisions)).toContain("replace random:index/randomPassword:RandomPassword homelab-credentials-token");
  });
});
