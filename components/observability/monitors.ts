// The one shape of PodMonitor the layers declare for their own pods. Pure; the Prometheus
// operator's CRDs (MonitoringCrds) must exist before a layer registers one.

/** A PodMonitor (monitoring.coreos.com/v1) scraping one named port of the selected pods. */
export function podMonitor(name: string, namespace: string, selector: Record<string, string>, port: string): Record<string, unknown> {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PodMonitor",
    metadata: { name, namespace, labels: { "app.kubernetes.io/managed-by": "pulumi" } },
    spec: {
      selector: { matchLabels: { ...selector } },
      namespaceSelector: { matchNames: [namespace] },
      podMetricsEndpoints: [{ port }],
    },
  };
}
