// Lifecycle (8) and (9): changes above the cluster, previewed against a deployed staging lab. A
// chart bump touches that chart only; a changed secret touches exactly the resources that consume
// it (found by looking for the old and new values in their inputs, not by a list in the test).
import { charts } from "../../components/versions";
import type { DeploymentState } from "../../tools/lib/engine/state";
import { preview } from "../../tools/lib/lifecycle";
import type { PlanRun } from "../../tools/lib/plan";
import { changed, deployed, stackConfig, summary, withSecret } from "../helpers/lifecycle";

const config = stackConfig("staging");
let state: DeploymentState;

beforeAll(async () => {
  state = await deployed(config);
});

/** Names of the resources whose inputs held `value`, before (in the state) or after (in the run). */
function consumersOf(run: PlanRun, before: string, after: string): string[] {
  const holds = (inputs: unknown, value: string) => JSON.stringify(inputs).includes(value);
  const names = new Set<string>();
  for (const r of state.resources) if (holds(r.inputs, before)) names.add(r.name);
  for (const r of run.recorder.list()) if (holds(r.revealedInputs, after)) names.add(r.name);
  return [...names].sort();
}

describe("lifecycle: changes to the layers", () => {
  it("(8) bumping one chart's version updates that chart and nothing else", async () => {
    const pinned = charts.loki.version;
    charts.loki.version = "18.12.0";
    let run: PlanRun;
    try {
      run = await preview(config, { prior: state });
    } finally {
      charts.loki.version = pinned;
    }
    expect(run.errors).toEqual([]);
    expect(summary(run.decisions)).toEqual(["update kubernetes:helm.sh/v4:Chart observability-loki"]);
    expect(run.decisions.find((d) => d.name === "observability-loki")?.changed).toEqual(["version"]);
  });

  it("(9) a changed NFS export touches only what consumes it: its storage class and its Secrets Manager entry", async () => {
    const before = config.values["homelab:nfsShareGeneral"];
    const after = "/volume2/general-moved";
    const run = await preview(withSecret(config, "nfsShareGeneral", after), { prior: state });
    expect(run.errors).toEqual([]);
    const names = changed(run.decisions).map((d) => d.name).sort();
    expect(names).toEqual(consumersOf(run, before, after));
    expect(names).toEqual(expect.arrayContaining(["storage-nfs-csi-v2"]));
    // A StorageClass's parameters are immutable: it is replaced (deleted first, same name), which
    // leaves its volumes and their data alone.
    expect(run.decisions.find((d) => d.name === "storage-nfs-csi-v2")).toMatchObject({ op: "replace" });
  });

  it("(9) a rotated SSH key updates every step that connects with it, and nothing else", async () => {
    const before = config.values["homelab:sshPrivateKey"];
    const after = "-----BEGIN OPENSSH PRIVATE KEY-----\nrotated-key\n-----END OPENSSH PRIVATE KEY-----";
    const run = await preview(withSecret(config, "sshPrivateKey", after), { prior: state });
    expect(run.errors).toEqual([]);
    const ops = changed(run.decisions);
    expect(ops.map((d) => d.name).sort()).toEqual(consumersOf(run, before, after));
    expect(ops.every((d) => d.type === "command:remote:Command" && d.op === "update")).toBe(true);
  });
});
