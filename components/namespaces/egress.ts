// What the egress NetworkPolicies need beyond pod selectors: where the API server, the nodes and
// the internet are for this cluster, the rules most namespaces share, and the counterpart of every
// ingress path another namespace declares. Pure.
//
// How K3s enforces them: its embedded network policy controller (kube-router's netpol library)
// filters a pod's outgoing packets in the filter table's INPUT, FORWARD and OUTPUT chains, after
// kube-proxy has translated a Service's ClusterIP to an endpoint in PREROUTING. So a rule names the
// endpoint a Service leads to (CoreDNS pods, the servers' port 6443), never the ClusterIP. It also
// leaves host-network pods out of every selector and never filters them (node-exporter, the NFS CSI
// driver, K3s's own processes): a host-network endpoint is reached at its node's address, and a
// host-network pod's own connections are not limited by any NetworkPolicy.
import type { HomelabConfig } from "../config";
import { nodeAddress } from "../config/network";
import { cidrRange } from "../config/validators";
import { EgressRule, HostNetworks, IngressRule, NamespaceSpec, ruleName } from "./manifests";

/** The port K3s serves the Kubernetes API on (the `kubernetes` Service's target port). */
export const API_SERVER_PORT = 6443;
/** The kubelet's port on every node (Prometheus scrapes it for node, cAdvisor and probe metrics). */
export const KUBELET_PORT = 10250;
/** K3s's CoreDNS: the kube-dns Service's pods. */
export const CLUSTER_DNS = { namespace: "kube-system", pods: { "k8s-app": "kube-dns" }, port: 53 } as const;

const PRIVATE_RANGES: Record<4 | 6, string[]> = {
  // RFC 1918, shared address space (CGNAT, Tailscale), loopback and link-local.
  4: ["10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16"],
  // Unique local, link-local and loopback.
  6: ["fc00::/7", "fe80::/10", "::1/128"],
};

/** Whether every address of `inner` is in `outer` (same family). */
function within(inner: string, outer: string): boolean {
  const a = cidrRange(inner);
  const b = cidrRange(outer);
  return a !== undefined && b !== undefined && a.family === b.family && b.first <= a.first && a.last <= b.last;
}

const hostCidr = (address: string) => `${address}/${address.includes(":") ? 128 : 32}`;

/**
 * Where this cluster's host destinations are. With homelab:network.nodeCidrs, the nodes' networks
 * stand for both the servers and the nodes; without it every node has an address (the config
 * requires it) and each is named: the servers for the API server, all nodes for the rest.
 */
export function hostNetworks(config: Pick<HomelabConfig, "nodes" | "k3s" | "network">): HostNetworks {
  const family = cidrRange(config.k3s.clusterCidr)?.family ?? 4;
  let apiServers: string[];
  let nodes: string[];
  if (config.network.nodeCidrs) {
    apiServers = nodes = [...config.network.nodeCidrs];
  } else {
    const address = (node: (typeof config.nodes)[number]) => {
      const ip = nodeAddress(node);
      if (ip === undefined) throw new Error(`node "${node.name}" has no IP; set homelab:nodes[].nodeIp or homelab:network.nodeCidrs`);
      return hostCidr(ip);
    };
    apiServers = config.nodes.filter((n) => n.role === "server").map(address);
    nodes = config.nodes.map(address);
  }
  const internal = [...PRIVATE_RANGES[family]];
  for (const cidr of [config.k3s.clusterCidr, config.k3s.serviceCidr, ...nodes]) {
    if (!internal.some((range) => within(cidr, range))) internal.push(cidr);
  }
  return { apiServers, nodes, anywhere: family === 4 ? "0.0.0.0/0" : "::/0", internal };
}

/** Name lookups through K3s's CoreDNS, for namespaces whose pods resolve Service or internet names. */
export function dnsEgress(): EgressRule {
  return {
    name: "dns",
    description: "pods resolve names through the cluster DNS (CoreDNS in kube-system)",
    toNamespaces: [CLUSTER_DNS.namespace],
    toPods: { ...CLUSTER_DNS.pods },
    ports: [CLUSTER_DNS.port],
    protocols: ["UDP", "TCP"],
  };
}

/** The API server, for namespaces whose pods watch or change objects; `why` names who and what. */
export function apiServerEgress(why: string): EgressRule {
  return { name: "api-server", description: why, toHosts: "apiServer", ports: [API_SERVER_PORT] };
}

/** HTTPS to public addresses (never the LAN or the cluster), for the pods that fetch from outside. */
export function internetEgress(name: string, why: string, podSelector?: Record<string, string>): EgressRule {
  return { name, description: why, ...(podSelector ? { podSelector } : {}), toHosts: "internet", ports: [443] };
}

/** The callers an ingress rule admits from inside the cluster, by namespace. */
function callersOf(target: string, rule: IngressRule): string[] {
  if (rule.fromNamespaces) return rule.fromNamespaces;
  return rule.fromPods ? [target] : [];
}

/**
 * Every namespace with the egress that other namespaces' ingress rules imply: an ingress rule of
 * namespace B that admits pods of namespace A gives A the matching egress rule (same pods, ports and
 * targets), so each path is declared once, by the namespace that accepts it, and both ends enforce
 * it. Callers outside the lab's namespaces (K3s ServiceLB, the LAN, the API server) get nothing.
 */
export function counterpartEgress(specs: NamespaceSpec[]): NamespaceSpec[] {
  const declared = new Set(specs.map((s) => s.name));
  const derived = new Map<string, EgressRule[]>();
  for (const target of specs) {
    for (const rule of target.ingress) {
      for (const caller of callersOf(target.name, rule)) {
        if (!declared.has(caller)) continue;
        const sameNamespace = caller === target.name && !rule.fromNamespaces;
        const egress: EgressRule = {
          description: rule.description,
          ...(rule.fromPods ? { podSelector: { ...rule.fromPods } } : {}),
          ...(sameNamespace ? { toPods: { ...(rule.podSelector ?? {}) } } : { toNamespaces: [target.name] }),
          ...(!sameNamespace && rule.podSelector ? { toPods: { ...rule.podSelector } } : {}),
          ports: [...rule.ports],
          counterpartOf: `${target.name}/${ruleName(rule)}`,
        };
        derived.set(caller, [...(derived.get(caller) ?? []), egress]);
      }
    }
  }
  return specs.map((spec) => ({ ...spec, egress: [...spec.egress, ...(derived.get(spec.name) ?? [])] }));
}
