// The observability layer's namespaces. `monitoring` holds everything that runs as an ordinary
// workload (operator, Prometheus, Alertmanager, Grafana, kube-state-metrics, Loki) and enforces the
// restricted profile. The per-node collectors need the host: node-exporter uses hostNetwork, hostPID
// and the root filesystem, and Alloy reads /var/log and the journal as root. They share one
// privileged namespace, `node-agents`, so the exception is small and named for what it is.
import type { HomelabConfig } from "../config";
import type { NamespaceSpec } from "../namespaces/manifests";
import { PORTS, sumQuantities } from "./values";

export const MONITORING_NAMESPACE = "monitoring";
export const AGENT_NAMESPACE = "node-agents";

export function observabilityNamespaces(config: Pick<HomelabConfig, "observability" | "nodes">): NamespaceSpec[] {
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
          fromPods: { "app.kubernetes.io/name": "prometheus" },
          ports: [PORTS.nodeExporter, PORTS.alloy],
        },
      ],
    },
  ];
}
