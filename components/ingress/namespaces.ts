// The ingress controller's namespace and what may reach it, the rules that admit the controller to
// the Services it routes to, and the controller's declared LAN exposure. Pure.
//
// How traffic reaches Traefik: K3s ServiceLB publishes the node addresses of the LoadBalancer
// Service, and kube-proxy's rules for those addresses catch the packets before ServiceLB's own pods
// do (k3s docs/adrs/remove-svclb-daemonset.md). kube-proxy enforces loadBalancerSourceRanges there,
// then, with externalTrafficPolicy Cluster, masquerades the packet to the receiving node's address
// on the pod network (its cni0 or flannel.1 address, inside the cluster CIDR) and forwards it to a
// Traefik pod on any node. So the client's LAN address is checked by kube-proxy, and the
// NetworkPolicy admits the cluster CIDR on Traefik's two entry ports. Cluster rather than Local: with
// Local, ServiceLB publishes only the nodes that run a Traefik pod (pkg/cloudprovider/servicelb.go),
// and a DNS name pointing at any other node would stop answering when Traefik moves.
import type { DeclaredExposure } from "../ai/namespaces";
import type { HomelabConfig } from "../config";
import { apiServerEgress } from "../namespaces/egress";
import type { IngressRule, NamespaceSpec } from "../namespaces/manifests";
import { chartQuota, Resources } from "../namespaces/quota";
import { MONITORING_NAMESPACE } from "../observability/namespaces";
import { ingressRoutes } from "./routes";

export const INGRESS_NAMESPACE = "ingress";

/** Traefik's release, and the program's Service in front of it. */
export const TRAEFIK_RELEASE = "traefik";
export const TRAEFIK_SERVICE = "traefik";
/** The chart's selector labels (traefik.labelselector): its name and `<release>-<namespace>`. */
export const TRAEFIK_LABELS = {
  "app.kubernetes.io/name": "traefik",
  "app.kubernetes.io/instance": `${TRAEFIK_RELEASE}-${INGRESS_NAMESPACE}`,
} as const;
/** Container ports of the chart's entry points (ports.<name>.port) and the Service ports browsers use. */
export const TRAEFIK_PORTS = { web: 8000, websecure: 8443, metrics: 9100 } as const;
export const SERVICE_PORTS = { web: 80, websecure: 443 } as const;

/** Two pods, spread over nodes, so a node drain (a K3s upgrade wave) never takes the web interfaces down. */
export const TRAEFIK_REPLICAS = 2;
export const TRAEFIK_RESOURCES: Resources = {
  requests: { cpu: "50m", memory: "64Mi" },
  limits: { cpu: "1", memory: "256Mi" },
};

type IngressConfig = Pick<HomelabConfig, "ingress" | "k3s">;

/** The controller's namespace, when the stack declares homelab:ingress. */
export function ingressNamespaces(config: IngressConfig): NamespaceSpec[] {
  if (!config.ingress) return [];
  return [{
    name: INGRESS_NAMESPACE,
    podSecurity: "restricted",
    // Both replicas twice over: room for the rolling update's surge pod and a debug pod.
    quota: chartQuota([[TRAEFIK_RESOURCES, TRAEFIK_REPLICAS]], TRAEFIK_REPLICAS * 2 + 1),
    ingress: [
      {
        description: "browsers on the LAN reach Traefik through kube-proxy",
        podSelector: { ...TRAEFIK_LABELS },
        fromCidrs: [config.k3s.clusterCidr],
        ports: [TRAEFIK_PORTS.web, TRAEFIK_PORTS.websecure],
      },
      {
        description: "Prometheus scrapes Traefik metrics",
        podSelector: { ...TRAEFIK_LABELS },
        fromNamespaces: [MONITORING_NAMESPACE],
        ports: [TRAEFIK_PORTS.metrics],
      },
    ],
    // Traefik reads Ingresses, Services and endpoints from the API server and forwards to the
    // backends; that egress comes from the backends' own rules admitting it (admitIngressController).
    // No DNS: it resolves nothing by name, and its update check is off.
    egress: [apiServerEgress("Traefik reads the Ingresses, Services and endpoints it routes from the API server")],
  }];
}

/** The rule a route's namespace gets: the controller, and nothing else new, reaches the backend's pods. */
export function controllerRule(route: { id: string; pods: Record<string, string>; podPort: number }): IngressRule {
  return {
    description: `the ingress controller forwards to ${route.id}`,
    podSelector: { ...route.pods },
    fromNamespaces: [INGRESS_NAMESPACE],
    fromPods: { ...TRAEFIK_LABELS },
    ports: [route.podPort],
  };
}

/**
 * Every layer's namespaces, with the routed ones admitting the controller. The layers that own
 * those namespaces need not know the ingress layer exists.
 */
export function admitIngressController(specs: NamespaceSpec[], config: IngressConfig): NamespaceSpec[] {
  if (!config.ingress) return specs;
  const routes = ingressRoutes(config.ingress);
  for (const route of routes) {
    if (!specs.some((s) => s.name === route.namespace)) {
      throw new Error(`the ingress layer routes ${route.host} to namespace "${route.namespace}", which no layer declares; include its layer's namespaces`);
    }
  }
  return specs.map((spec) => {
    const rules = routes.filter((r) => r.namespace === spec.name).map(controllerRule);
    return rules.length > 0 ? { ...spec, ingress: [...spec.ingress, ...rules] } : spec;
  });
}

/** The controller's Service, as the pack's service-exposure list must declare it. */
export function ingressExposures(config: Pick<HomelabConfig, "ingress">): DeclaredExposure[] {
  if (!config.ingress) return [];
  return [{
    namespace: INGRESS_NAMESPACE,
    service: TRAEFIK_SERVICE,
    type: "LoadBalancer",
    port: SERVICE_PORTS.websecure,
    allowedCidrs: [...config.ingress.allowedCidrs],
  }];
}
