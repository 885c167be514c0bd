// Helm values for cert-manager. Every key below exists in the chart version recorded in
// components/versions.ts (`valuesCheckedAgainst`); Helm ignores unknown keys silently, so a rename
// upstream would turn a setting off without a word.
import { resources, RESTRICTED_CONTAINER, RESTRICTED_POD } from "../chart-values";

export const CERT_MANAGER_RESOURCES = {
  controller: resources("20m", "64Mi", "200m", "256Mi"),
  webhook: resources("10m", "32Mi", "100m", "128Mi"),
  cainjector: resources("10m", "64Mi", "200m", "256Mi"),
};

/**
 * cert-manager (chart v1.21.x). CRDs come with the chart and stay when the release goes
 * (`crds.keep`), so uninstalling never deletes every Certificate in the cluster.
 */
export function certManagerValues(namespace: string): Record<string, unknown> {
  return {
    crds: { enabled: true, keep: true },
    global: {
      // Leader election in its own namespace instead of kube-system: no Role outside cert-manager.
      leaderElection: { namespace },
    },
    replicaCount: 1,
    resources: CERT_MANAGER_RESOURCES.controller,
    securityContext: RESTRICTED_POD,
    containerSecurityContext: RESTRICTED_CONTAINER,
    // Metrics stay on (port 9402); our PodMonitor scrapes them, so the chart's monitors stay off
    // and the chart does not need the Prometheus Operator CRDs to install.
    prometheus: { enabled: true, servicemonitor: { enabled: false }, podmonitor: { enabled: false } },
    webhook: {
      replicaCount: 1,
      resources: CERT_MANAGER_RESOURCES.webhook,
      securityContext: RESTRICTED_POD,
      containerSecurityContext: RESTRICTED_CONTAINER,
    },
    cainjector: {
      replicaCount: 1,
      resources: CERT_MANAGER_RESOURCES.cainjector,
      securityContext: RESTRICTED_POD,
      containerSecurityContext: RESTRICTED_CONTAINER,
    },
    // A Helm post-install hook: Pulumi's Chart v4 does not run hooks, and awaiting the webhook
    // Deployment already proves the API is up.
    startupapicheck: { enabled: false },
  };
}
