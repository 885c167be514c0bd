// Lifecycle (11) and (12): the HTTPS ingress layer arriving on a lab that has run for a while.
// Declaring homelab:ingress creates the layer and changes only what must know the new names;
// Open WebUI's plain LoadBalancer goes unless declared. (10), cert-manager's move, is in
// certificates.test.ts.
import type { DeploymentState } from "../../tools/lib/engine/state";
import { preview } from "../../tools/lib/lifecycle";
import type { StackConfig } from "../../tools/lib/stack-config";
import { applied, changed, deployed, stackConfig, summary, withSetting } from "../helpers/lifecycle";

const config = stackConfig("staging");
let state: DeploymentState;

beforeAll(async () => {
  state = await deployed(config);
});

function without(cfg: StackConfig, key: string): StackConfig {
  const values = { ...cfg.values };
  delete values[`homelab:${key}`];
  return { ...cfg, values };
}

describe("lifecycle: the ingress layer arrives", () => {
  it("(11) declaring homelab:ingress creates the layer, and updates only Open WebUI's URL and Grafana's root_url", async () => {
    const before = await applied(without(config, "ingress"), state);
    const run = await preview(config, { prior: before });
    expect(run.errors).toEqual([]);
    const ops = changed(run.decisions);
    expect(ops.filter((d) => d.op !== "create").map((d) => `${d.op} ${d.type} ${d.name}`).sort()).toEqual([
      "update kubernetes:apps/v1:Deployment ai-open-webui",
      "update kubernetes:helm.sh/v4:Chart observability-kps",
    ]);
    const openWebui = run.recorder.ofType("kubernetes:apps/v1:Deployment").find((r) => r.name === "ai-open-webui")!;
    const urlIndex = (openWebui.revealedInputs as any).spec.template.spec.containers[0].env.findIndex((e: { name: string }) => e.name === "WEBUI_URL");
    expect(urlIndex).toBeGreaterThanOrEqual(0);
    expect(run.decisions.find((d) => d.name === "ai-open-webui" && d.type === "kubernetes:apps/v1:Deployment")?.changed)
      .toEqual([`spec.template.spec.containers[0].env[${urlIndex}]`]);
    expect(run.decisions.find((d) => d.name === "observability-kps")?.changed).toEqual(['values.grafana["grafana.ini"]']);
    const created = ops.filter((d) => d.op === "create").map((d) => d.name);
    expect(created).toEqual(expect.arrayContaining([
      "ingress", "ingress-traefik", "ingress-controller", "ingress-open-webui", "ingress-grafana", "issuers-lab-ca",
      "open-webui-allow-the-ingress-controller-forwards-to-open-webui", "monitoring-allow-the-ingress-controller-forwards-to-grafana",
    ]));
  });

  it("(12) Open WebUI's plain LoadBalancer goes unless declared: its Service becomes ClusterIP in place, its LAN rules go", async () => {
    const declared = withSetting<Record<string, any>>(config, "ai", (ai) => ({ ...ai, lanExposure: { ...ai.lanExposure, openWebui: true } }));
    const before = await applied(declared, state);
    const run = await preview(config, { prior: before });
    expect(run.errors).toEqual([]);
    expect(summary(run.decisions)).toEqual([
      "delete kubernetes:networking.k8s.io/v1:NetworkPolicy open-webui-allow-k3s-servicelb-forwards-to-open-webui",
      "delete kubernetes:networking.k8s.io/v1:NetworkPolicy open-webui-allow-lan-browsers-reach-open-webui",
      "update kubernetes:core/v1:Service ai-open-webui",
    ]);
    expect(run.decisions.find((d) => d.name === "ai-open-webui" && d.type === "kubernetes:core/v1:Service")?.changed).toEqual(expect.arrayContaining(["spec.type"]));
  });
});
