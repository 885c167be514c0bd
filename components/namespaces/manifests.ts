// Pure builders for what every namespace of the lab gets: Pod Security Admission labels, a
// ResourceQuota and LimitRange, default-deny NetworkPolicies for ingress and egress plus declared
// allow rules, and a dedicated service account. Tested without the Pulumi runtime.
import type * as k8s from "@pulumi/kubernetes";

type LimitRangeSpec = k8s.types.input.core.v1.LimitRangeSpec;
type NetworkPolicySpec = k8s.types.input.networking.v1.NetworkPolicySpec;

export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

/** Who may open connections to pods in the namespace; everything else is denied. */
export interface IngressRule {
  /** Why this path exists; it becomes the policy's annotation. */
  description: string;
  /** Pods these rules apply to (all pods in the namespace when absent). */
  podSelector?: Record<string, string>;
  fromNamespaces?: string[];
  /** Pod labels in the source namespaces (or this namespace when fromNamespaces is absent). */
  fromPods?: Record<string, string>;
  fromCidrs?: string[];
  ports: number[];
}

/**
 * Where pods may open connections to that no pod selector names: addresses the cluster's network
 * decides (components/namespaces/egress.ts resolves them from the stack's config).
 * - apiServer: the Kubernetes API server. On K3s it runs in the k3s process on each server's host
 *   network; the `kubernetes` Service's ClusterIP is translated to a server's address (port 6443)
 *   before the network policy controller sees the packet, so the rule names the servers.
 * - nodes: host-network endpoints on every node (kubelets, node-exporter).
 * - internet: public addresses, never the LAN, the pod, service or node networks.
 */
export type HostDestination = "apiServer" | "nodes" | "internet";

/** Where pods in the namespace may open connections; everything else is denied. */
export interface EgressRule {
  /** Why this path exists; it becomes the policy's annotation. */
  description: string;
  /** Pods these rules apply to (all pods in the namespace when absent). */
  podSelector?: Record<string, string>;
  toNamespaces?: string[];
  /** Pod labels in the target namespaces (or this namespace when toNamespaces is absent). */
  toPods?: Record<string, string>;
  toHosts?: HostDestination;
  ports: number[];
  /** TCP when absent. */
  protocols?: ("TCP" | "UDP")[];
  /** For a rule derived from another namespace's ingress rule: that rule's policy, as namespace/name. */
  counterpartOf?: string;
  /** The policy's name after `allow-egress-` (a slug of the description when absent). */
  name?: string;
}

/** The addresses behind each HostDestination, for one cluster. */
export interface HostNetworks {
  /** CIDRs of the K3s servers (or of the nodes' network). */
  apiServers: string[];
  /** CIDRs of every node (or of the nodes' network). */
  nodes: string[];
  /** The whole address family, 0.0.0.0/0 or ::/0. */
  anywhere: string;
  /** What the internet rule leaves out: private, shared and link-local ranges, the cluster's networks. */
  internal: string[];
}

export interface Quota {
  requestsCpu: string;
  requestsMemory: string;
  limitsCpu: string;
  limitsMemory: string;
  storage: string;
  pods: number;
  /** GPUs this namespace may request; only the GPU consumers get any. */
  gpus?: number;
}

export interface NamespaceSpec {
  name: string;
  podSecurity: PodSecurityLevel;
  quota: Quota;
  ingress: IngressRule[];
  /**
   * Connections the namespace's pods open. Paths to pods of another namespace need no rule here:
   * createNamespaces derives them from that namespace's ingress rules (see counterpartEgress).
   */
  egress: EgressRule[];
  /**
   * The namespace runs the program's own workloads, which get a dedicated service account named
   * after it. Namespaces whose workloads come from a Helm chart get their accounts from the chart;
   * one of ours there would collide with the chart's (cert-manager/cert-manager, for one).
   */
  workloadServiceAccount?: boolean;
}

/** The pod-security.kubernetes.io version every namespace pins, so upgrades don't tighten silently. */
export const POD_SECURITY_VERSION = "v1.33";

export function namespaceLabels(spec: NamespaceSpec): Record<string, string> {
  return {
    "app.kubernetes.io/managed-by": "pulumi",
    "kubernetes.io/metadata.name": spec.name,
    "pod-security.kubernetes.io/enforce": spec.podSecurity,
    "pod-security.kubernetes.io/enforce-version": POD_SECURITY_VERSION,
    "pod-security.kubernetes.io/warn": "restricted",
    "pod-security.kubernetes.io/audit": "restricted",
  };
}

export function quotaSpec(quota: Quota): { hard: Record<string, string> } {
  const hard: Record<string, string> = {
    "requests.cpu": quota.requestsCpu,
    "requests.memory": quota.requestsMemory,
    "limits.cpu": quota.limitsCpu,
    "limits.memory": quota.limitsMemory,
    "requests.storage": quota.storage,
    pods: String(quota.pods),
  };
  hard["requests.nvidia.com/gpu"] = String(quota.gpus ?? 0);
  return { hard };
}

/** Defaults for containers that do not declare resources, so the quota never blocks them outright. */
export function limitRangeSpec(): LimitRangeSpec {
  return {
    limits: [{
      type: "Container",
      defaultRequest: { cpu: "50m", memory: "64Mi" },
      default: { cpu: "500m", memory: "512Mi" },
    }],
  };
}

/** Denies all ingress to every pod; allow rules are added one NetworkPolicy per declared path. */
export function defaultDenySpec(): NetworkPolicySpec {
  return { podSelector: {}, policyTypes: ["Ingress"] };
}

/** Denies every connection pods open (DNS included); allow rules are added one NetworkPolicy per path. */
export function defaultDenyEgressSpec(): NetworkPolicySpec {
  return { podSelector: {}, policyTypes: ["Egress"] };
}

/** The ipBlocks of a host destination. */
function hostPeers(destination: HostDestination, networks: HostNetworks): k8s.types.input.networking.v1.NetworkPolicyPeer[] {
  switch (destination) {
    case "apiServer": return networks.apiServers.map((cidr) => ({ ipBlock: { cidr } }));
    case "nodes": return networks.nodes.map((cidr) => ({ ipBlock: { cidr } }));
    case "internet": return [{ ipBlock: { cidr: networks.anywhere, except: networks.internal } }];
  }
}

export function allowEgressSpec(rule: EgressRule, networks?: HostNetworks): NetworkPolicySpec {
  const to: k8s.types.input.networking.v1.NetworkPolicyPeer[] = [];
  if (rule.toNamespaces) {
    for (const ns of rule.toNamespaces) {
      to.push({
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } },
        ...(rule.toPods ? { podSelector: { matchLabels: rule.toPods } } : {}),
      });
    }
  } else if (rule.toPods) {
    to.push({ podSelector: { matchLabels: rule.toPods } });
  }
  if (rule.toHosts) {
    if (!networks) throw new Error(`egress rule "${rule.description}" reaches ${rule.toHosts}, which needs the cluster's host networks`);
    to.push(...hostPeers(rule.toHosts, networks));
  }
  if (to.length === 0) throw new Error(`egress rule "${rule.description}" names no destination; a rule must say where pods may connect`);
  if (rule.ports.length === 0) throw new Error(`egress rule "${rule.description}" names no port; a rule must say which ports it opens`);
  const protocols = rule.protocols ?? ["TCP"];
  return {
    podSelector: rule.podSelector ? { matchLabels: rule.podSelector } : {},
    policyTypes: ["Egress"],
    egress: [{ to, ports: protocols.flatMap((protocol) => rule.ports.map((port) => ({ protocol, port }))) }],
  };
}

export function allowIngressSpec(rule: IngressRule): NetworkPolicySpec {
  const from: k8s.types.input.networking.v1.NetworkPolicyPeer[] = [];
  if (rule.fromNamespaces) {
    for (const ns of rule.fromNamespaces) {
      from.push({
        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } },
        ...(rule.fromPods ? { podSelector: { matchLabels: rule.fromPods } } : {}),
      });
    }
  } else if (rule.fromPods) {
    from.push({ podSelector: { matchLabels: rule.fromPods } });
  }
  for (const cidr of rule.fromCidrs ?? []) from.push({ ipBlock: { cidr } });
  if (from.length === 0) throw new Error(`ingress rule "${rule.description}" names no source; a rule must say who may connect`);
  return {
    podSelector: rule.podSelector ? { matchLabels: rule.podSelector } : {},
    policyTypes: ["Ingress"],
    ingress: [{ from, ports: rule.ports.map((port) => ({ protocol: "TCP", port })) }],
  };
}

const slug = (description: string) => description.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");

/** A stable, DNS-safe name for an allow rule, derived from its description. */
export function ruleName(rule: IngressRule): string {
  return `allow-${slug(rule.description)}`.slice(0, 63).replace(/-$/, "");
}

/** The same for an egress rule, in a name space of its own (`allow-egress-…`). */
export function egressRuleName(rule: Pick<EgressRule, "description" | "name">): string {
  return `allow-egress-${rule.name ?? slug(rule.description)}`.slice(0, 63).replace(/-$/, "");
}
