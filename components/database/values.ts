// Helm values for the two charts of the database layer. Every key below exists in the chart
// version recorded in components/versions.ts (`valuesCheckedAgainst`); Helm ignores unknown keys
// silently, so a rename upstream would turn a setting off without a word.

/** Requests and limits in the shape every chart here takes. */
export interface Resources {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

const small = (cpu: string, memory: string, cpuLimit: string, memoryLimit: string): Resources => ({
  requests: { cpu, memory },
  limits: { cpu: cpuLimit, memory: memoryLimit },
});

// The restricted Pod Security profile: non-root and RuntimeDefault seccomp at pod level (they
// apply to every container), no privilege escalation, no capabilities, read-only root per container.
// Only keys the charts' own defaults already carry, so each one is known to reach the manifest.
const restrictedContainer = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ["ALL"] },
};
const restrictedPod = { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };

export const OPERATOR_RESOURCES = small("50m", "128Mi", "500m", "512Mi");
export const PLUGIN_RESOURCES = small("20m", "64Mi", "200m", "256Mi");

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
    podSecurityContext: restrictedPod,
    containerSecurityContext: { ...restrictedContainer, runAsUser: 10001, runAsGroup: 10001 },
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
    podSecurityContext: restrictedPod,
    containerSecurityContext: { ...restrictedContainer, runAsUser: 10001, runAsGroup: 10001 },
    certificate: { createClientCertificate: true, createServerCertificate: true },
  };
}
