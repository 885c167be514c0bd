import { allowIngressSpec } from "../../components/namespaces";
import { AGENT_NAMESPACE, MONITORING_NAMESPACE, observabilityNamespaces } from "../../components/observability/namespaces";
import { quantityBytes } from "../../components/observability/values";
import { stackObservability } from "./helpers";

const staging = observabilityNamespaces(stackObservability("staging"));
const dev = observabilityNamespaces(stackObservability("dev"));
const byName = (specs: typeof staging, name: string) => specs.find((s) => s.name === name)!;

describe("observability namespaces", () => {
  it("monitoring is restricted; only the node agents' namespace is privileged", () => {
    expect(staging.map((s) => [s.name, s.podSecurity])).toEqual([[MONITORING_NAMESPACE, "restricted"], [AGENT_NAMESPACE, "privileged"]]);
  });

  it("the storage quota covers exactly Prometheus, Alertmanager, Grafana and Loki claims; dev asks for less", () => {
    // staging: 50Gi + 2Gi + 10Gi + 50Gi
    expect(byName(staging, MONITORING_NAMESPACE).quota.storage).toBe("112Gi");
    expect(quantityBytes(byName(dev, MONITORING_NAMESPACE).quota.storage)).toBeLessThan(quantityBytes("112Gi"));
    expect(byName(staging, AGENT_NAMESPACE).quota.storage).toBe("0");
  });

  it("the agents' quota grows with the inventory (one Alloy and one node-exporter per node)", () => {
    const stagingNodes = stackObservability("staging").nodes.length;
    expect(byName(staging, AGENT_NAMESPACE).quota.pods).toBe(stagingNodes * 2 + 4);
    expect(byName(dev, AGENT_NAMESPACE).quota.pods).toBeLessThan(byName(staging, AGENT_NAMESPACE).quota.pods);
  });

  it("Loki accepts pushes only from Alloy's pods in the agents' namespace, on 3100", () => {
    const rule = byName(staging, MONITORING_NAMESPACE).ingress.find((r) => r.ports.includes(3100) && r.fromNamespaces?.includes(AGENT_NAMESPACE))!;
    expect(rule).toMatchObject({ podSelector: { "app.kubernetes.io/name": "loki" }, fromPods: { "app.kubernetes.io/name": "alloy" }, ports: [3100] });
  });

  it("Loki may reach its own gRPC port (9095) through its Service, from inside monitoring only", () => {
    const rules = byName(staging, MONITORING_NAMESPACE).ingress.filter((r) => r.ports.includes(9095));
    expect(rules.map((r) => r.fromNamespaces)).toEqual([[MONITORING_NAMESPACE]]);
  });

  it("Grafana (3000) and Prometheus (9090) are reachable only from inside monitoring", () => {
    for (const port of [3000, 9090]) {
      const rules = byName(staging, MONITORING_NAMESPACE).ingress.filter((r) => r.ports.includes(port));
      expect(rules.map((r) => r.fromNamespaces)).toEqual([[MONITORING_NAMESPACE]]);
      expect(rules.every((r) => !r.fromCidrs)).toBe(true);
    }
  });

  it("Prometheus may scrape node-exporter and Alloy in the agents' namespace; nothing else gets in", () => {
    const [rule] = byName(staging, AGENT_NAMESPACE).ingress;
    expect(byName(staging, AGENT_NAMESPACE).ingress).toHaveLength(1);
    expect(rule).toMatchObject({ fromNamespaces: [MONITORING_NAMESPACE], fromPods: { "app.kubernetes.io/name": "prometheus" }, ports: [9100, 12345] });
  });

  it("lets Alertmanager out to the internet only when a webhook is configured, and only Alertmanager", () => {
    const internet = (specs: typeof staging) => byName(specs, MONITORING_NAMESPACE).egress.filter((r) => r.toHosts === "internet");
    expect(internet(staging)).toEqual([]);
    const withWebhook = observabilityNamespaces({ ...stackObservability("staging"), secrets: { alertWebhookUrl: "[secret]" } as any });
    expect(internet(withWebhook)).toEqual([expect.objectContaining({ name: "alert-webhook", podSelector: { "app.kubernetes.io/name": "alertmanager" }, ports: [443] })]);
  });

  it("Prometheus, alone, reaches the kubelets and node-exporter at the nodes' addresses", () => {
    const hosts = byName(staging, MONITORING_NAMESPACE).egress.filter((r) => r.toHosts === "nodes");
    expect(hosts.map((r) => [r.podSelector, r.ports])).toEqual([
      [{ "app.kubernetes.io/name": "prometheus" }, [10250]],
      [{ "app.kubernetes.io/name": "prometheus" }, [9100]],
    ]);
  });

  it("every rule renders into a NetworkPolicy", () => {
    for (const spec of staging) for (const rule of spec.ingress) expect((allowIngressSpec(rule) as any).ingress[0].from.length).toBeGreaterThan(0);
  });
});
