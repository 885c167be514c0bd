// The observability layer's namespaces. `monitoring` holds everything that runs as an ordinary
// workload (operator, Prometheus, Alertmanager, Grafana, kube-state-metrics, Loki) and enforces the
// restricted profile. The per-node collectors need the host: node-exporter uses hostNetwork, hostPID
// and the root filesystem, and Alloy reads /var/log and the journal as root. They share one
// privileged namespace, `node-agents`, so the exception is small and named for what it is.
import type { HomelabConfig } from "../config";
import { apiServerEgress, CLUSTER_DNS, dnsEgress, internetEgress, KUBELET_PORT } from "../namespaces/egress";
import type { EgressRule, NamespaceSpec } from "../namespaces/manifests";
import { PORTS, sumQuantities } from "./values";

export const MONITORING_NAMESPACE = "monitoring";
export const AGENT_NAMESPACE = "node-agents";

/** Labels the Prometheus operator puts on the pods it runs. */
const PROMETHEUS_PODS = { "app.kubernetes.io/name": "prometheus" } as const;
const ALERTMANAGER_PODS = { "app.kubernetes.io/name": "alertmanager" } as const;
/** The chart's exporter for K3s's CoreDNS (kps `coreDns`, on by default): a Service in kube-system. */
const COREDNS_METRICS_PORT = 9153;

/**
 * Where the monitoring pods connect beyond the lab's namespaces (Prometheus's scrapes of those, and
 * Grafana's queries inside `monitoring`, follow from their ingress rules). Host-network endpoints
 * are reached at node addresses: the kubelets, and node-exporter, which kube-router leaves out of
 * pod selectors. Alertmanager gets the internet only when a webhook is configured.
 */
export function monitoringEgress(config: Pick<HomelabConfig, "secrets">): EgressRule[] {
  const rules: EgressRule[] = [
    dnsEgress(),
    apiServerEgress("the Prometheus operator, kube-state-metrics, Prometheus's service discovery and Grafana's sidecars watch objects through the API server; Prometheus also scrapes it"),
    { name: "kubelets", description: "Prometheus scrapes every node's kubelet (node, cAdvisor and probe metrics)", podSelector: { ...PROMETHEUS_PODS }, toHosts: "nodes", ports: [KUBELET_PORT] },
    { name: "node-exporter", description: "Prometheus scrapes node-exporter, which listens on each node's host network", podSelector: { ...PROMETHEUS_PODS }, toHosts: "nodes", ports: [PORTS.nodeExporter] },
    {
      name: "coredns-metrics",
      description: "Prometheus scrapes CoreDNS's metrics in kube-system",
      podSelector: { ...PROMETHEUS_PODS },
      toNamespaces: [CLUSTER_DNS.namespace],
      toPods: { ...CLUSTER_DNS.pods },
      ports: [COREDNS_METRICS_PORT],
    },
  ];
  if (config.secrets.alertWebhookUrl !== undefined) {
    rules.push(internetEgress("alert-webhook", "Alertmanager posts alerts to the webhook in homelab:alertWebhookUrl", { ...ALERTMANAGER_PODS }));
  }
  return rules;
}

export function observabilityNamespaces(config: Pick<HomelabConfig, "observability" | "nodes" | "secrets">): NamespaceSpec[] {
  const settings = config.observability;
  const nodes = config.nodes.length;
  const storage = sumQuantities([
    settings.prometheus.storageSize,
    settings.alertmanagerStorageSize,
    settings.grafanaStorageSize,
    settings.loki.storageSize,
  ]);
  return [
    {
      name: MONITORING_NAMESPACE,
      podSecurity: "restricted",
      quota: {
        // The charts' containers all carry explicit resources (values.ts): about 0.6 CPU / 2 GiB
        // requested and 5.3 CPU / 7.7 GiB limits, plus a rolling update's extra pod.
        requestsCpu: "1500m",
        requestsMemory: "4Gi",
        limitsCpu: "8",
        limitsMemory: "12Gi",
        storage,
        pods: 20,
      },
      ingress: [
        {
          // Prometheus scraping its neighbours, Grafana querying Prometheus, Loki and Alertmanager,
          // Prometheus sending alerts. Browsers reach Grafana through the ingress controller (whose
          // rule the ingress layer adds) or kubectl port-forward.
          description: "monitoring components talk to each other",
          fromNamespaces: [MONITORING_NAMESPACE],
          ports: [...new Set([
            PORTS.prometheus, PORTS.alertmanager, PORTS.grafana, PORTS.loki, PORTS.lokiGrpc,
            PORTS.kubeStateMetrics, PORTS.kubeStateMetricsSelf, PORTS.operator, PORTS.configReloader,
          ])].sort((a, b) => a - b),
        },
        {
          description: "alloy pushes logs to loki",
          podSelector: { "app.kubernetes.io/name": "loki" },
          fromNamespaces: [AGENT_NAMESPACE],
          fromPods: { "app.kubernetes.io/name": "alloy" },
          ports: [PORTS.loki],
        },
      ],
      egress: monitoringEgress(config),
    },
    {
      name: AGENT_NAMESPACE,
      podSecurity: "privileged",
      // Per node one Alloy (500m/512Mi, its config reloader 500m/512Mi from the LimitRange) and one
      // node-exporter (250m/128Mi); DaemonSets replace pods in place, so no surge room is needed.
      quota: {
        requestsCpu: `${nodes * 150}m`,
        requestsMemory: `${nodes * 256}Mi`,
        limitsCpu: `${nodes * 1500}m`,
        limitsMemory: `${nodes * 1536}Mi`,
        storage: "0",
        pods: nodes * 2 + 4,
      },
      ingress: [
        {
          // node-exporter runs on the host network, where NetworkPolicy does not apply; the rule
          // still documents the path.
          description: "prometheus scrapes the node agents",
          fromNamespaces: [MONITORING_NAMESPACE],
          fromPods: { ...PROMETHEUS_PODS },
          ports: [PORTS.nodeExporter, PORTS.alloy],
        },
      ],
      // node-exporter's host network is not limited by NetworkPolicy; Alloy's push to Loki follows
      // from monitoring's ingress rule.
      egress: [
        dnsEgress(),
        apiServerEgress("Alloy discovers the pods of its node through the API server"),
      ],
    },
  ];
}
