// The web interfaces' host names, derived once from homelab:ingress for the config's checks and the
// ingress layer alike.
import { INGRESS_SERVICES, IngressService, IngressSettings } from "./schema";

/** The host name of each web interface: its override in ingress.hosts, else <label>.<domain>. */
export function ingressHosts(ingress: Pick<IngressSettings, "domain"> & { hosts?: Partial<IngressSettings["hosts"]> }): Record<IngressService, string> {
  return Object.fromEntries((Object.keys(INGRESS_SERVICES) as IngressService[]).map((service) => [
    service,
    ingress.hosts?.[service] ?? `${INGRESS_SERVICES[service]}.${ingress.domain}`,
  ])) as Record<IngressService, string>;
}
