// Lifecycle (1) and (2): a new stack brought up the way an operator does it, every preview checked
// as the engine would run it; then a re-run that must change nothing. And the check itself proven
// able to fail: the program's provider wiring as it was before the lifecycle fix.
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { FIRST_DEPLOYMENT_NOTICE } from "../../components/previous-deployment";
import { apply, deployFromEmpty, preview } from "../../tools/lib/lifecycle";
import { changed, isKubernetes, stackConfig, summary, withSetting } from "../helpers/lifecycle";

describe("lifecycle: first deployment of a new stack, then a re-run", () => {
  it("(1) the first `pulumi up` builds the cluster alone, says so, and previews without error; the second builds the rest", async () => {
    const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(async () => undefined);
    const config = stackConfig("staging");
    const { previews, state } = await deployFromEmpty(config);
    const [first, second, third] = previews;

    // Run 1: nothing that the Kubernetes provider manages is registered, so no chart has to be
    // rendered against a cluster that does not exist yet; the provider itself is created.
    expect(first.errors).toEqual([]);
    expect(first.decisions.every((d) => d.op === "create")).toBe(true);
    expect(first.decisions.filter(isKubernetes).map((d) => d.type)).toEqual(["pulumi:providers:kubernetes"]);
    expect(first.decisions.filter((d) => d.type === "command:remote:Command").length).toBeGreaterThan(20);
    expect(warn).toHaveBeenCalledWith(FIRST_DEPLOYMENT_NOTICE);
    // The preview is truthful about what it cannot know yet: the kubeconfig is made by this update.
    expect(first.recorder.ofType("pulumi:providers:kubernetes")[0].inputs.kubeconfig).toBe("[secret]");
    expect(first.recorder.ofType("pulumi:providers:kubernetes")[0].revealedInputs.kubeconfig).toBe("[unknown]");

    // Run 2: the cluster exists; every layer is created, the cluster's resources stay as they are,
    // and every chart's provider configuration is known, so the charts can be previewed.
    expect(second.errors).toEqual([]);
    expect(summary(second.decisions).filter((s) => !s.startsWith("create "))).toEqual([]);
    const charts = second.decisions.filter((d) => d.type === "kubernetes:helm.sh/v4:Chart");
    expect(charts.length).toBeGreaterThanOrEqual(9);
    expect(charts.every((d) => d.op === "create")).toBe(true);
    const provider = second.recorder.ofType("pulumi:providers:kubernetes")[0];
    expect(provider.decision.op).toBe("same");
    expect(provider.revealedInputs.kubeconfig).not.toContain("[unknown]");

    // (2) Run 3 changes nothing: the lab has settled.
    expect(changed(third.decisions)).toEqual([]);
    expect(third.errors).toEqual([]);
    expect(state.outputs.clusterIdentifier).toMatch(/^k3s-[0-9a-f]{16}$/);
    warn.mockRestore();
  });

  it("(2) a re-run of the dev stack changes nothing either", async () => {
    const config = stackConfig("dev");
    const { state } = await apply(config, { prior: (await apply(config)).state }).then((r) => r);
    const rerun = await preview(config, { prior: state });
    expect(summary(rerun.decisions)).toEqual([]);
    expect(rerun.errors).toEqual([]);
  });
});

describe("lifecycle check against the program as it was before the fix", () => {
  const program = path.join(__dirname, "fixtures/before-fix.ts");

  it("sees a K3s version bump replace the provider, and with it every object it manages", async () => {
    const config = stackConfig("dev");
    const state = (await apply(config, { program })).state;
    const bumped = withSetting<{ version: string }>(config, "k3s", (k3s) => ({ ...k3s, version: "v1.36.4+k3s1" }));
    const run = await preview(bumped, { prior: state, program });
    const provider = run.decisions.find((d) => d.type === "pulumi:providers:kubernetes")!;
    expect(provider.op).toBe("replace");
    expect(provider.reasons.join()).toMatch(/kubeconfig.*unknown during preview and no clusterIdentifier/);
    expect(run.decisions.find((d) => d.name === "monitoring")).toMatchObject({ op: "replace", reasons: ["its provider homelab-k8s is replaced"] });
    expect(run.decisions.find((d) => d.name === "homelab-kubeconfig")?.op).toBe("replace");
    expect(run.errors.map((e) => e.message).join("\n")).toMatch(/Chart kps cannot be previewed: its Kubernetes provider's configuration is unknown/);
  });

  it("sees its first deployment fail to preview its chart", async () => {
    const run = await preview(stackConfig("dev"), { program });
    expect(run.errors.map((e) => e.message)).toEqual([expect.stringMatching(/Chart kps cannot be previewed/)]);
  });
});
