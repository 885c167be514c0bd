// Pure builders for what every namespace of the lab gets: Pod Security Admission labels, a
// ResourceQuota and LimitRange, a default-deny NetworkPolicy plus declared allow rules, and a
// dedicated service account. Tested without the Pulumi runtime.
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

/** A stable, DNS-safe name for an allow rule, derived from its description. */
export function ruleName(rule: IngressRule): string {
  const slug = rule.description.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "");
  return `allow-${slug}`.slice(0, 63).replace(/-$/, "");
}
