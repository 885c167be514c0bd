// Helm values for the two charts of the database layer. Every key below exists in the chart
// version recorded in components/versions.ts (`valuesCheckedAgainst`); Helm ignores unknown keys
// silently, so a rename upstream would turn a setting off without a word.
import { resources, RESTRICTED_CONTAINER, RESTRICTED_POD } from "../chart-values";
import type { Resources } from "../chart-values";

export type { Resources };

export const OPERATOR_RESOURCES = resources("50m", "128Mi", "500m", "512Mi");
export const PLUGIN_RESOURCES = resources("20m", "64Mi", "200m", "256Mi");

/**
 * The CloudNative-PG operator (chart 0.29.x). Its own PodMonitor switch stays off: this layer
 * creates the monitors itself, so the chart installs before the Prometheus Operator CRDs exist.
 * The chart's Grafana dashboard is a sub-chart from another repository; dashboards belong to the
 * observability layer.
 */
export function cnpgOperatorValues(): Record<string, unknown> {
  return {
    crds: { create: true },
    replicaCount: 1,
    resources: OPERATOR_RESOURCES,
    podSecurityContext: RESTRICTED_POD,
    containerSecurityContext: { ...RESTRICTED_CONTAINER, runAsUser: 10001, runAsGroup: 10001 },
    monitoring: {
      podMonitorEnabled: false,
      grafanaDashboard: { create: false },
    },
  };
}

/**
 * The Barman Cloud plugin (chart 0.7.x). It must live in the operator's namespace and needs
 * cert-manager for the mTLS between operator and plugin (the chart makes its own Issuer).
 */
export function barmanPluginValues(): Record<string, unknown> {
  return {
    crds: { create: true },
    replicaCount: 1,
    resources: PLUGIN_RESOURCES,
    podSecurityContext: RESTRICTED_POD,
    containerSecurityContext: { ...RESTRICTED_CONTAINER, runAsUser: 10001, runAsGroup: 10001 },
    certificate: { createClientCertificate: true, createServerCertificate: true },
  };
}
