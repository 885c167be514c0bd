// Helm values for Traefik (chart 41.3.0, Traefik v3.7.11). Every key below exists in the chart
// version recorded in components/versions.ts (`valuesCheckedAgainst`); Helm ignores unknown keys
// silently, so tests/ingress checks them against that version's key list.
import { INGRESS_NAMESPACE, TRAEFIK_LABELS, TRAEFIK_REPLICAS, TRAEFIK_RESOURCES, TRAEFIK_SERVICE } from "./namespaces";

export interface TraefikOptions {
  /** The namespaces whose Ingresses Traefik serves (the routes' namespaces). */
  routedNamespaces: string[];
}

/**
 * Traefik as a plain Kubernetes Ingress controller, with the least the lab needs:
 * - Ingress objects only: no CRD provider (IngressRoute, Middleware...), no Gateway API, no
 *   dashboard, so the chart's CRDs are not installed either (Chart skipCrds).
 * - Namespaced RBAC: Roles in the routed namespaces and its own, instead of a ClusterRole that
 *   reads every Secret in the cluster. It then cannot read IngressClasses (cluster-scoped), so it
 *   serves Ingresses by the `kubernetes.io/ingress.class: traefik` annotation (manifests.ts), and
 *   the chart's IngressClass is not created.
 * - Its Service is the program's (manifests.ts), declared and checked like every LAN exposure;
 *   Traefik copies that Service's addresses into each Ingress's status (publishedService).
 * - Plain HTTP only redirects to HTTPS (permanently), for every host.
 */
export function traefikValues(opts: TraefikOptions): Record<string, unknown> {
  // Its own namespace too: the published Service lives there, and Traefik reads only what it watches.
  const watched = [...new Set([INGRESS_NAMESPACE, ...opts.routedNamespaces])].sort();
  return {
    deployment: { replicas: TRAEFIK_REPLICAS },
    podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
    topologySpreadConstraints: [{
      maxSkew: 1,
      topologyKey: "kubernetes.io/hostname",
      whenUnsatisfiable: "ScheduleAnyway",
      labelSelector: { matchLabels: { ...TRAEFIK_LABELS } },
    }],
    resources: TRAEFIK_RESOURCES,
    // The chart's own restricted-profile defaults, restated so a future default cannot loosen them unnoticed.
    podSecurityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: "RuntimeDefault" } },
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
    service: { enabled: false },
    ingressClass: { enabled: false },
    rbac: { enabled: true, namespaced: true },
    providers: {
      kubernetesCRD: { enabled: false },
      kubernetesGateway: { enabled: false },
      kubernetesIngress: {
        enabled: true,
        namespaces: watched,
        publishedService: { enabled: true, pathOverride: `${INGRESS_NAMESPACE}/${TRAEFIK_SERVICE}` },
      },
    },
    api: { dashboard: false },
    ports: {
      web: { http: { redirections: { entryPoint: { to: "websecure", scheme: "https", permanent: true } } } },
    },
    // No calls home: no update check, no anonymous usage data.
    global: { checkNewVersion: false, sendAnonymousUsage: false },
  };
}
