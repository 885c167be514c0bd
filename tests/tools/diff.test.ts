// The plan diff's rendering: changed input paths, secrets compared but never shown, unknowns said
// to be known after the update, and the engine's reasons and dangers printed first.
import { diffValues, displayText, lineDiff, PlanDiff, PUBLIC_UNDER_SECRET, renderDiff } from "../../tools/lib/diff";
import { childPath, splitPath } from "../../tools/lib/paths";

const diff = (extra: Partial<PlanDiff>): PlanDiff => ({
  stack: "dev", dangers: [], resources: [], outputs: [], summary: { create: 0, same: 0, update: 0, replace: 0, delete: 0 },
  kubernetes: { replaced: 0, deleted: 0, provider: "same" }, ...extra,
});

describe("diffValues", () => {
  it("reports changed paths with old and new values, added and removed keys and list items", () => {
    expect(diffValues({ args: ["a", "b"], keep: 1 }, { args: ["a", "c", "d"], keep: 1, extra: { on: true } }, new Set())).toEqual([
      { path: "args[1]", kind: "update", old: "b", new: "c" },
      { path: "args[2]", kind: "add", new: "d" },
      { path: "extra", kind: "add", new: { on: true } },
    ]);
    expect(diffValues({ metadata: { labels: { "app.kubernetes.io/name": "a" } } }, { metadata: { labels: { "app.kubernetes.io/name": "b" } } }, new Set()))
      .toEqual([{ path: 'metadata.labels["app.kubernetes.io/name"]', kind: "update", old: "a", new: "b" }]);
  });

  it("compares secrets but never shows them, anywhere under a secret path", () => {
    const secret = new Set(["stdin", "connection"]);
    const changes = diffValues({ stdin: "old-token-1234", connection: { host: "a" }, create: "x" }, { stdin: "new-token-5678", connection: { host: "a" }, create: "y" }, secret);
    expect(changes).toEqual([
      { path: "create", kind: "update", old: "x", new: "y" },
      { path: "stdin", kind: "update", old: "[secret]", new: "[secret]", secret: true },
    ]);
    expect(JSON.stringify(changes)).not.toMatch(/token-\d/);
    expect(diffValues({ stdin: "same" }, { stdin: "same" }, secret)).toEqual([]);
    const added = diffValues({}, { nested: { stdin: "canary-value" } }, new Set(["nested.stdin"]));
    expect(added).toEqual([{ path: "nested", kind: "add", new: { stdin: "[secret]" }, secret: true }]);
  });

  it("shows where a command connects although its connection is secret, never the key", () => {
    const secret = new Set(["connection"]);
    const connection = (host: string, hostKey: string, key: string) => ({ connection: { host, port: 22, user: "homelab", hostKey, privateKey: key, proxy: { host: "bastion" } } });
    const changes = diffValues(connection("a.lan", "ssh-ed25519 AAA1", "KEY-ONE"), connection("b.lan", "ssh-ed25519 AAA2", "KEY-TWO"), secret, "", [], new Set(PUBLIC_UNDER_SECRET["command:remote:Command"]));
    expect(changes).toEqual([
      { path: "connection.host", kind: "update", old: "a.lan", new: "b.lan" },
      { path: "connection.hostKey", kind: "update", old: "ssh-ed25519 AAA1", new: "ssh-ed25519 AAA2" },
      { path: "connection.privateKey", kind: "update", old: "[secret]", new: "[secret]", secret: true },
    ]);
    expect(JSON.stringify(changes)).not.toContain("KEY-");
    // Without the public paths the whole connection stays a secret.
    expect(diffValues(connection("a", "k", "x"), connection("b", "k", "x"), secret)).toEqual([{ path: "connection", kind: "update", old: "[secret]", new: "[secret]", secret: true }]);
  });

  it("marks a value the preview cannot know", () => {
    expect(diffValues({ spec: { host: "a" } }, { spec: { host: "[unknown]" } }, new Set())).toEqual([{ path: "spec.host", kind: "update", old: "a", new: "[unknown]" }]);
    expect(diffValues({ stdin: "a" }, { stdin: "[unknown]" }, new Set(["stdin"]))).toEqual([{ path: "stdin", kind: "update", old: "[secret]", new: "[unknown]", secret: true }]);
  });
});

describe("renderDiff", () => {
  it("prints dangers first, then each resource with its operation, reasons and changed paths", () => {
    const text = renderDiff(diff({
      dangers: ["provider homelab-k8s (pulumi:providers:kubernetes) is replaced: every resource it manages is replaced with it"],
      resources: [
        { op: "replace", urn: "u1", type: "kubernetes:core/v1:Namespace", name: "monitoring", reasons: ["its provider homelab-k8s is replaced"], changes: [] },
        { op: "update", urn: "u2", type: "command:remote:Command", name: "s1-install", reasons: [], changes: [
          { path: "create", kind: "update", old: "sudo -n bash -c 'set -eu\nwant='\\''v1'\\''\nrun'", new: "sudo -n bash -c 'set -eu\nwant='\\''v2'\\''\nrun'" },
          { path: "update", kind: "update", sameAs: "create" },
          { path: "stdin", kind: "update", old: "[secret]", new: "[secret]", secret: true },
          { path: "triggers[0]", kind: "update", old: "a", new: "[unknown]" },
        ] },
      ],
      summary: { create: 0, same: 10, update: 1, replace: 1, delete: 0 },
    }), "title");
    const lines = text.split("\n");
    expect(lines[2]).toMatch(/^!! provider homelab-k8s .* is replaced/);
    expect(text).toMatch(/^\+- kubernetes:core\/v1:Namespace {2}monitoring {2}\(replace\)\n {6}! its provider homelab-k8s is replaced$/m);
    expect(text).toContain("~ create: (text, changed lines)\n          - want='v1'\n          + want='v2'");
    expect(text).toContain("~ update: (the same change as create)");
    expect(text).toContain("~ stdin: [secret] => [secret] (value changed, not shown)");
    expect(text).toContain('~ triggers[0]: "a" => [unknown] (known after the update)');
    expect(text).toContain("Resources: 0 to create, 1 to update, 1 to replace, 0 to delete, 10 unchanged");
    expect(text).toContain("Kubernetes objects: 0 replaced, 0 deleted; the Kubernetes provider: unchanged");
  });

  it("says when nothing changes", () => {
    expect(renderDiff(diff({ summary: { create: 0, same: 3, update: 0, replace: 0, delete: 0 } }), "t")).toContain("no changes (3 resources unchanged)");
  });
});

describe("paths, scripts and line diff", () => {
  it("round-trips paths with awkward keys", () => {
    const p = childPath(childPath(childPath("", "metadata"), "app.kubernetes.io/name"), 3);
    expect(p).toBe('metadata["app.kubernetes.io/name"][3]');
    expect(splitPath(p)).toEqual(["metadata", "app.kubernetes.io/name", 3]);
  });

  it("shows a command line as the script it runs", () => {
    expect(displayText("sudo -n bash -c 'echo '\\''hi'\\'''")).toBe("echo 'hi'");
    expect(displayText("plain text")).toBe("plain text");
  });

  it("lists removed and added lines only", () => {
    expect(lineDiff("a\nb\nc", "a\nx\nc\nd")).toEqual(["- b", "+ x", "+ d"]);
  });
});
