// Which web interfaces the ingress layer serves, and where each one's Service and pods are. Pure:
// derived from the config and the other layers' exported names.
import { AI_APPS, AI_NAMESPACES, AI_PORTS } from "../ai/manifests";
import { ingressHosts, IngressService, IngressSettings } from "../config";
import { MONITORING_NAMESPACE } from "../observability/namespaces";
import { NAMES, PORTS } from "../observability/values";

/** The grafana chart's Service port (service.port, 80 by default; it targets the pod's 3000). */
export const GRAFANA_SERVICE_PORT = 80;

/** One HTTPS name and what it leads to. */
export interface IngressRoute {
  service: IngressService;
  /** Names the route's Ingress, Certificate and TLS Secret in its namespace. */
  id: string;
  host: string;
  namespace: string;
  /** The Kubernetes Service the Ingress points at, and its port. */
  backend: { name: string; port: number };
  /** The backend's pods and the port they listen on: what the controller is admitted to. */
  pods: Record<string, string>;
  podPort: number;
}

/** The routes of a stack: Open WebUI and Grafana, each on its own host name. */
export function ingressRoutes(ingress: Pick<IngressSettings, "domain" | "hosts">): IngressRoute[] {
  const hosts = ingressHosts(ingress);
  return [
    {
      service: "openWebui",
      id: AI_APPS.openWebui,
      host: hosts.openWebui,
      namespace: AI_NAMESPACES.openWebui,
      backend: { name: AI_APPS.openWebui, port: AI_PORTS.openWebui },
      pods: { "app.kubernetes.io/name": AI_APPS.openWebui },
      podPort: AI_PORTS.openWebui,
    },
    {
      service: "grafana",
      id: "grafana",
      host: hosts.grafana,
      namespace: MONITORING_NAMESPACE,
      backend: { name: NAMES.grafana, port: GRAFANA_SERVICE_PORT },
      // The grafana chart's selector labels: its name and the kube-prometheus-stack release.
      pods: { "app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": NAMES.kps },
      podPort: PORTS.grafana,
    },
  ];
}

/** `https://<host>`: what an operator opens. */
export function httpsUrl(host: string): string {
  return `https://${host}`;
}

/** The HTTPS URL of each web interface. */
export function ingressUrls(ingress: Pick<IngressSettings, "domain" | "hosts">): Record<IngressService, string> {
  return Object.fromEntries(ingressRoutes(ingress).map((r) => [r.service, httpsUrl(r.host)])) as Record<IngressService, string>;
}
