// The plan diff: resources matched by URN, inputs compared by path, secrets compared by digest and
// never shown.
import { diffPlans, hasChanges, lineDiff, renderDiff } from "../../tools/lib/diff";
import { canonicalJson, digest, digestSecrets, DigestedPlan, DigestedResource } from "../../tools/lib/secret-digests";
import { childPath, splitPath } from "../../tools/lib/paths";

const KEY = "11".repeat(32);
const urn = (type: string, name: string) => `urn:pulumi:dev::homelab::${type}::${name}`;

function resource(type: string, name: string, inputs: Record<string, unknown>, revealed?: Record<string, unknown>, extra: Partial<DigestedResource> = {}): DigestedResource {
  return {
    urn: urn(type, name),
    type,
    name,
    parent: null,
    provider: null,
    dependencies: [],
    inputs,
    secretDigests: digestSecrets(inputs, revealed ?? inputs, KEY),
    ...extra,
  };
}

const plan = (resources: DigestedResource[], outputs: Record<string, unknown> = {}): DigestedPlan => ({ stack: "dev", resources, outputs });

const ns = resource("kubernetes:core/v1:Namespace", "monitoring", { metadata: { name: "monitoring", labels: { "pod-security.kubernetes.io/enforce": "restricted" } } });
const install = (script: string, token: string) =>
  resource("command:remote:Command", "k3s-server-install-a", { create: script, environment: { K3S_TOKEN: "[secret]" }, connection: { host: "a.lan" } }, { create: script, environment: { K3S_TOKEN: token }, connection: { host: "a.lan" } });

describe("diffPlans", () => {
  it("reports an added resource as a create", () => {
    const diff = diffPlans(plan([]), plan([ns]));
    expect(diff.resources).toEqual([expect.objectContaining({ op: "create", urn: ns.urn, type: "kubernetes:core/v1:Namespace", name: "monitoring" })]);
    expect(diff.summary).toEqual({ create: 1, update: 0, delete: 0, same: 0 });
    expect(renderDiff(diff, "t")).toMatch(/^\+ {2}kubernetes:core\/v1:Namespace {2}monitoring$/m);
  });

  it("reports a removed resource as a delete", () => {
    const diff = diffPlans(plan([ns]), plan([]));
    expect(diff.resources.map((r) => [r.op, r.name])).toEqual([["delete", "monitoring"]]);
    expect(renderDiff(diff, "t")).toMatch(/^- {2}kubernetes:core\/v1:Namespace {2}monitoring$/m);
  });

  it("reports a changed input by path with old and new values", () => {
    const changed = resource("kubernetes:core/v1:Namespace", "monitoring", { metadata: { name: "monitoring", labels: { "pod-security.kubernetes.io/enforce": "privileged" } } });
    const diff = diffPlans(plan([ns]), plan([changed]));
    expect(diff.resources).toHaveLength(1);
    expect(diff.resources[0].op).toBe("update");
    expect(diff.resources[0].changes).toEqual([
      { path: 'metadata.labels["pod-security.kubernetes.io/enforce"]', kind: "update", old: "restricted", new: "privileged" },
    ]);
    expect(renderDiff(diff, "t")).toContain('~ metadata.labels["pod-security.kubernetes.io/enforce"]: "restricted" => "privileged"');
  });

  it("shows a changed secret as changed, without its value", () => {
    const diff = diffPlans(plan([install("echo install", "old-token-1234")]), plan([install("echo install", "new-token-5678")]));
    expect(diff.resources[0].changes).toEqual([{ path: "environment.K3S_TOKEN", kind: "update", old: "[secret]", new: "[secret]", secret: true }]);
    const text = renderDiff(diff, "t") + JSON.stringify(diff);
    expect(text).toContain("environment.K3S_TOKEN: [secret] => [secret] (value changed, not shown)");
    expect(text).not.toContain("old-token-1234");
    expect(text).not.toContain("new-token-5678");
  });

  it("says no changes when the plans match, secrets included", () => {
    const outputs = { kubeconfig: "[secret]" };
    const withOutputs = (kubeconfig: string): DigestedPlan => ({ ...plan([ns, install("echo a", "t")], outputs), outputSecretDigests: digestSecrets(outputs, { kubeconfig }, KEY) });
    const diff = diffPlans(withOutputs("apiVersion: v1"), withOutputs("apiVersion: v1"));
    expect(hasChanges(diff)).toBe(false);
    expect(diff.summary.same).toBe(2);
    expect(renderDiff(diff, "t")).toContain("no changes (2 resources unchanged)");
    expect(diff.notes).toEqual([]);

    const rotated = diffPlans(withOutputs("apiVersion: v1"), withOutputs("apiVersion: v1 # new CA"));
    expect(rotated.outputs).toEqual([{ path: "kubeconfig", kind: "update", old: "[secret]", new: "[secret]", secret: true }]);
    expect(renderDiff(rotated, "t")).not.toContain("new CA");
  });

  it("notes secrets it cannot compare when a side has no digests", () => {
    const bare = { ...install("echo a", "t") };
    delete bare.secretDigests;
    const diff = diffPlans(plan([bare]), plan([install("echo a", "t")]));
    expect(hasChanges(diff)).toBe(false);
    expect(diff.notes[0]).toMatch(/1 secret value\(s\) could not be compared/);
  });

  it("flags a likely replacement from replaceOnChanges and from Kubernetes names", () => {
    const a = resource("kubernetes:core/v1:Namespace", "x", { metadata: { name: "x" }, spec: { a: 1 } }, undefined, { replaceOnChanges: ["spec"] });
    const b = resource("kubernetes:core/v1:Namespace", "x", { metadata: { name: "y" }, spec: { a: 2 } }, undefined, { replaceOnChanges: ["spec"] });
    const [change] = diffPlans(plan([a]), plan([b])).resources;
    expect([...change.replaceReasons].sort()).toEqual(["metadata.name changes: Kubernetes replaces the object", 'spec.a changes and the program declares replaceOnChanges "spec"']);
    expect(renderDiff(diffPlans(plan([a]), plan([b])), "t")).toMatch(/^\+- kubernetes:core\/v1:Namespace {2}x {2}\(update, may replace\)$/m);
  });

  it("diffs list items, added keys and stack outputs", () => {
    const a = resource("t:m:R", "r", { args: ["a", "b"], keep: 1 });
    const b = resource("t:m:R", "r", { args: ["a", "c", "d"], keep: 1, extra: { on: true } });
    const diff = diffPlans(plan([a], { nodes: ["n1"] }), plan([b], { nodes: ["n1", "n2"] }));
    expect(diff.resources[0].changes).toEqual([
      { path: "args[1]", kind: "update", old: "b", new: "c" },
      { path: "args[2]", kind: "add", new: "d" },
      { path: "extra", kind: "add", new: { on: true } },
    ]);
    expect(diff.outputs).toEqual([{ path: "nodes[1]", kind: "add", new: "n2" }]);
  });

  it("prints the changed lines of a multi-line script", () => {
    const diff = diffPlans(plan([install("set -eu\ncurl a\nsh -s", "t")]), plan([install("set -eu\ncurl b\nsh -s", "t")]));
    const text = renderDiff(diff, "t");
    expect(text).toContain("~ create: (text, changed lines)");
    expect(text).toContain("- curl a");
    expect(text).toContain("+ curl b");
    expect(text).not.toContain("set -eu");
  });
});

describe("secret digests", () => {
  it("are deterministic for a key, differ across keys and paths, and do not contain the value", () => {
    expect(digest(KEY, "a", "pin-1234")).toBe(digest(KEY, "a", "pin-1234"));
    expect(digest(KEY, "a", "pin-1234")).not.toBe(digest("22".repeat(32), "a", "pin-1234"));
    expect(digest(KEY, "a", "pin-1234")).not.toBe(digest(KEY, "b", "pin-1234"));
    expect(digest(KEY, "a", "pin-1234")).toMatch(/^[0-9a-f]{64}$/);
  });

  it("digest exactly the positions the redacted inputs mark secret", () => {
    const d = digestSecrets({ a: "[secret]", b: [1, "[secret]"], c: "plain" }, { a: { x: 1 }, b: [1, "s"], c: "plain" }, KEY);
    expect(Object.keys(d).sort()).toEqual(["a", "b[1]"]);
    expect(d.a).toBe(digest(KEY, "a", { x: 1 }));
  });

  it("hash objects independent of key order", () => {
    expect(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] })).toBe('{"a":[{"c":2,"d":1}],"b":1}');
  });
});

describe("paths and line diff", () => {
  it("round-trips paths with awkward keys", () => {
    const p = childPath(childPath(childPath("", "metadata"), "app.kubernetes.io/name"), 3);
    expect(p).toBe('metadata["app.kubernetes.io/name"][3]');
    expect(splitPath(p)).toEqual(["metadata", "app.kubernetes.io/name", 3]);
  });

  it("lists removed and added lines only", () => {
    expect(lineDiff("a\nb\nc", "a\nx\nc\nd")).toEqual(["- b", "+ x", "+ d"]);
  });
});
