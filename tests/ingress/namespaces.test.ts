// The ingress namespace's fence, the rules that admit the controller to the routed backends (and
// nothing else new), and the controller's declared exposure.
import { aiNamespaces } from "../../components/ai";
import { certManagerNamespaces } from "../../components/certificates";
import { databaseNamespaces } from "../../components/database";
import { admitIngressController, ingressExposures, ingressNamespaces, ingressRoutes } from "../../components/ingress";
import { allowIngressSpec, NamespaceSpec } from "../../components/namespaces/manifests";
import { observabilityNamespaces } from "../../components/observability";
import { stackConfig } from "../helpers/stacks";

const staging = stackConfig("staging");
const dev = stackConfig("dev");
const layers = (config: typeof staging): NamespaceSpec[] => [
  ...certManagerNamespaces(config), ...databaseNamespaces(config), ...observabilityNamespaces(config), ...aiNamespaces(config), ...ingressNamespaces(config),
];

describe("ingressNamespaces", () => {
  it("declares the restricted ingress namespace only when the stack declares homelab:ingress", () => {
    expect(ingressNamespaces(staging).map((s) => [s.name, s.podSecurity])).toEqual([["ingress", "restricted"]]);
    expect(ingressNamespaces({ ...staging, ingress: undefined })).toEqual([]);
  });

  it("admits traffic on Traefik's entry ports from the pod network kube-proxy hands it over on, and Prometheus on metrics", () => {
    const [spec] = ingressNamespaces(staging);
    expect(spec.ingress.map((r) => [r.fromCidrs ?? r.fromNamespaces, r.ports])).toEqual([
      [["10.42.0.0/16"], [8000, 8443]],
      [["monitoring"], [9100]],
    ]);
    for (const rule of spec.ingress) {
      expect(rule.podSelector).toEqual({ "app.kubernetes.io/name": "traefik", "app.kubernetes.io/instance": "traefik-ingress" });
      expect(() => allowIngressSpec(rule)).not.toThrow();
    }
  });

  it("sizes the quota for both replicas twice over", () => {
    const [spec] = ingressNamespaces(dev);
    expect(spec.quota).toEqual({ requestsCpu: "200m", requestsMemory: "256Mi", limitsCpu: "4", limitsMemory: "1Gi", storage: "0", pods: 5 });
  });
});

describe("admitIngressController", () => {
  it("adds exactly one rule per route, in the route's namespace, from Traefik's pods to the backend's port", () => {
    const before = layers(staging);
    const after = admitIngressController(before, staging);
    const added = after.flatMap((spec, i) => spec.ingress.slice(before[i].ingress.length).map((rule) => ({ ns: spec.name, rule })));
    expect(added).toEqual([
      { ns: "monitoring", rule: {
        description: "the ingress controller forwards to grafana",
        podSelector: { "app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": "kps" },
        fromNamespaces: ["ingress"],
        fromPods: { "app.kubernetes.io/name": "traefik", "app.kubernetes.io/instance": "traefik-ingress" },
        ports: [3000],
      } },
      { ns: "open-webui", rule: expect.objectContaining({ podSelector: { "app.kubernetes.io/name": "open-webui" }, fromNamespaces: ["ingress"], ports: [8080] }) },
    ]);
    // Every other rule is untouched.
    after.forEach((spec, i) => expect(spec.ingress.slice(0, before[i].ingress.length)).toEqual(before[i].ingress));
  });

  it("changes nothing without homelab:ingress, and refuses a route into a namespace no layer declares", () => {
    const specs = layers(staging);
    expect(admitIngressController(specs, { ...staging, ingress: undefined })).toBe(specs);
    expect(() => admitIngressController(specs.filter((s) => s.name !== "open-webui"), staging)).toThrow(/routes ai.lab.home.arpa to namespace "open-webui", which no layer declares/);
  });
});

describe("ingressRoutes and ingressExposures", () => {
  it("routes Open WebUI and Grafana to their Services on their own hosts", () => {
    expect(ingressRoutes(staging.ingress!).map((r) => [r.host, `${r.namespace}/${r.backend.name}:${r.backend.port}`])).toEqual([
      ["ai.lab.home.arpa", "open-webui/open-webui:8080"],
      ["grafana.lab.home.arpa", "monitoring/kps-grafana:80"],
    ]);
  });

  it("declares the controller's LoadBalancer with the stack's networks, the private ones by default", () => {
    expect(ingressExposures(staging)).toEqual([{ namespace: "ingress", service: "traefik", type: "LoadBalancer", port: 443, allowedCidrs: ["192.168.1.0/24"] }]);
    expect(ingressExposures(dev)[0].allowedCidrs).toEqual(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"]);
    expect(ingressExposures({ ingress: undefined })).toEqual([]);
  });
});
