// The ingress layer under the mock runtime: Traefik pinned and without its CRDs, the declared
// Service, and per route a certificate and an Ingress in the route's namespace, in the right order.
import * as k8s from "@pulumi/kubernetes";
import { aiNamespaces } from "../../components/ai";
import { admitIngressController, IngressLayer, ingressNamespaces } from "../../components/ingress";
import { createNamespaces, LabNamespace } from "../../components/namespaces";
import { observabilityNamespaces } from "../../components/observability";
import { charts } from "../../components/versions";
import { stagingNetworks } from "../helpers/networks";
import { mockRuntime, Recorder, settle } from "../helpers/runtime";
import { stackConfig } from "../helpers/stacks";

const T = {
  chart: "kubernetes:helm.sh/v4:Chart",
  service: "kubernetes:core/v1:Service",
  ingress: "kubernetes:networking.k8s.io/v1:Ingress",
  certificate: "kubernetes:cert-manager.io/v1:Certificate",
  podMonitor: "kubernetes:monitoring.coreos.com/v1:PodMonitor",
  configMap: "kubernetes:core/v1:ConfigMap",
};

let recorder: Recorder;
let layer: IngressLayer;
let namespaces: Record<string, LabNamespace>;
let provider: k8s.Provider;
const config = stackConfig("staging");

beforeAll(async () => {
  recorder = await mockRuntime("staging");
  provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
  namespaces = createNamespaces(provider, admitIngressController([...observabilityNamespaces(config), ...aiNamespaces(config), ...ingressNamespaces(config)], config), stagingNetworks());
  const standIn = (name: string) => new k8s.core.v1.ConfigMap(name, { metadata: { name } }, { provider });
  layer = new IngressLayer("ingress", {
    provider,
    namespace: namespaces["ingress"],
    namespaces,
    settings: config.ingress!,
    issuerName: "homelab-lab-ca",
    issuers: [standIn("issuers")],
    backendsReady: { openWebui: [standIn("open-webui-rollout")], grafana: [standIn("grafana-rollout")] },
    monitoringReady: [standIn("crds")],
  });
  await settle();
});

const urnOf = (type: string, name: string) => recorder.byName(type, name).urn;

describe("IngressLayer", () => {
  it("installs the pinned Traefik chart into ingress, leaving out its CRDs", () => {
    const chart = recorder.byName(T.chart, "ingress-traefik");
    expect(chart.inputs).toMatchObject({ chart: "traefik", version: charts.traefik.version, name: "traefik", namespace: "ingress", skipCrds: true, repositoryOpts: { repo: charts.traefik.repo } });
    expect((chart.inputs.values as any).providers.kubernetesIngress.namespaces).toEqual(["ingress", "monitoring", "open-webui"]);
  });

  it("fronts it with the declared LoadBalancer", () => {
    const svc = recorder.byName(T.service, "ingress-controller");
    expect(svc.inputs).toMatchObject({ metadata: { name: "traefik", namespace: "ingress" }, spec: { type: "LoadBalancer", loadBalancerSourceRanges: ["192.168.1.0/24"] } });
  });

  it("creates each route's certificate after the issuers, and its Ingress after the controller, the certificate and the backend", () => {
    for (const [id, backend, ns] of [["open-webui", "open-webui-rollout", "open-webui"], ["grafana", "grafana-rollout", "monitoring"]]) {
      const cert = recorder.byName(T.certificate, `ingress-${id}-certificate`);
      expect(cert.inputs.metadata).toMatchObject({ namespace: ns });
      expect(cert.dependencies).toContain(urnOf(T.configMap, "issuers"));
      const ingress = recorder.byName(T.ingress, `ingress-${id}`);
      expect(ingress.inputs.metadata).toMatchObject({ name: id, namespace: ns });
      expect(ingress.dependencies).toEqual(expect.arrayContaining([
        urnOf(T.chart, "ingress-traefik"), urnOf(T.service, "ingress-controller"), cert.urn, urnOf(T.configMap, backend),
      ]));
    }
    expect(recorder.ofType(T.ingress)).toHaveLength(2);
  });

  it("scrapes Traefik's metrics once the monitoring CRDs exist", () => {
    const monitor = recorder.byName(T.podMonitor, "ingress-podmonitor");
    expect(monitor.inputs).toMatchObject({ metadata: { name: "traefik", namespace: "ingress" }, spec: { podMetricsEndpoints: [{ port: "metrics" }] } });
    expect(monitor.dependencies).toContain(urnOf(T.configMap, "crds"));
  });

  it("reports the HTTPS URLs", () => {
    expect(layer.urls).toEqual({ openWebui: "https://ai.lab.home.arpa", grafana: "https://grafana.lab.home.arpa" });
  });

  it("refuses the wrong namespace before registering anything", async () => {
    expect(() => new IngressLayer("ingress-wrong", {
      provider, namespace: namespaces["monitoring"], namespaces, settings: config.ingress!, issuerName: "x", issuers: [],
    })).toThrow(/namespace must be "ingress"/);
    await settle();
    expect(recorder.list().filter((r) => r.name.startsWith("ingress-wrong"))).toEqual([]);
  });
});
