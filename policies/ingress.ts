// Ingress: every Ingress serves HTTPS for each name it routes, and only names under the domains
// the stack declares, with no wildcard unless that wildcard is declared too.
import { asArray, asObject, namespaceOf, objectName } from "./lib/k8s";
import { HomelabPolicy, PlainResource, ResourcePolicy } from "./lib/types";

const INGRESS_TYPES = ["kubernetes:networking.k8s.io/v1:Ingress"];

const describe = (r: PlainResource) => `Ingress "${namespaceOf(r) ?? "(no namespace)"}/${objectName(r)}"`;

/** The host of each rule (undefined for a rule without one, which matches every name). */
function ruleHosts(props: Record<string, unknown>): (string | undefined)[] {
  return asArray(asObject(props.spec).rules).map((rule) => {
    const host = asObject(rule).host;
    return host === undefined || host === null || host === "" ? undefined : String(host);
  });
}

/** Every name in spec.tls[].hosts that has a Secret to serve it from. */
function tlsHosts(props: Record<string, unknown>): Set<string> {
  const hosts = new Set<string>();
  for (const entry of asArray(asObject(props.spec).tls)) {
    const tls = asObject(entry);
    // A secretName that is unknown until the update still names a Secret.
    if (typeof tls.secretName !== "string" || tls.secretName === "") continue;
    for (const host of asArray(tls.hosts)) hosts.add(String(host));
  }
  return hosts;
}

export const ingressTlsPolicy: ResourcePolicy = {
  scope: "resource",
  name: "ingress-tls",
  description: "Every Ingress names its hosts and serves each of them over TLS from a Secret (spec.tls); no host-less rule or default backend, which would catch names no certificate covers.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Give every rule a host, and list each host under spec.tls[].hosts with the secretName of its certificate (the ingress layer's routeCertificate/routeIngress do both).",
  tags: ["kubernetes", "network", "tls"],
  types: INGRESS_TYPES,
  configSchema: { properties: {} },
  check(r) {
    const problems: string[] = [];
    const spec = asObject(r.props.spec);
    if (spec.defaultBackend != null) problems.push(`${describe(r)} has a default backend, which answers every name; route hosts explicitly`);
    const hosts = ruleHosts(r.props);
    if (hosts.length === 0) problems.push(`${describe(r)} has no rules with a host`);
    if (hosts.includes(undefined)) problems.push(`${describe(r)} has a rule without a host, which matches every name`);
    const covered = tlsHosts(r.props);
    const uncovered = hosts.filter((h): h is string => h !== undefined && h !== "[unknown]" && !covered.has(h));
    if (uncovered.length > 0) problems.push(`${describe(r)} serves ${uncovered.join(", ")} without TLS (no spec.tls entry with a secretName lists ${uncovered.length === 1 ? "it" : "them"})`);
    return problems;
  },
};

export interface IngressHostsConfig {
  domains: string[];
  wildcardHosts: { host: string; reason: string }[];
}

const underDomain = (host: string, domain: string) => host === domain || host.endsWith(`.${domain}`);

export const ingressHostsPolicy: ResourcePolicy<IngressHostsConfig> = {
  scope: "resource",
  name: "ingress-hosts",
  description: "Every host an Ingress routes or holds a certificate for lies under a domain the stack declares, and none is a wildcard unless declared.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Use a host under homelab:ingress.domain and list that domain in ingress-hosts.domains in policies/config/<stack>.json; a deliberate wildcard goes in ingress-hosts.wildcardHosts with a reason.",
  tags: ["kubernetes", "network", "tls"],
  types: INGRESS_TYPES,
  configSchema: {
    properties: {
      domains: { type: "array", default: [], items: { type: "string", minLength: 1 }, description: "The DNS domains Ingress hosts may lie under (the stack's homelab:ingress.domain)." },
      wildcardHosts: {
        type: "array",
        default: [],
        description: "Wildcard hosts (*.name) allowed, each with why.",
        items: {
          type: "object",
          properties: { host: { type: "string", minLength: 3 }, reason: { type: "string", minLength: 10 } },
          required: ["host", "reason"],
          additionalProperties: false,
        },
      },
    },
  },
  check(r, config) {
    const problems: string[] = [];
    const hosts = [...new Set([...ruleHosts(r.props), ...tlsHosts(r.props)].filter((h): h is string => h !== undefined && h !== "[unknown]"))];
    for (const host of hosts) {
      const wildcard = host.startsWith("*.");
      if (wildcard && !config.wildcardHosts.some((w) => w.host === host)) {
        problems.push(`${describe(r)} routes the wildcard ${host}, which is not declared in ingress-hosts.wildcardHosts`);
      }
      const name = wildcard ? host.slice(2) : host;
      if (!config.domains.some((domain) => underDomain(name, domain))) {
        problems.push(`${describe(r)} routes ${host}, which is not under a declared domain (${config.domains.join(", ") || "none declared"})`);
      }
    }
    return problems;
  },
};

export const ingressPolicies: HomelabPolicy[] = [ingressTlsPolicy, ingressHostsPolicy];
