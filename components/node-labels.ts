// Node labels that decide where workloads run. A kubelet may set most labels on its own Node (K3s
// passes `node-label` to it), so a compromised node could claim any of them and attract workloads
// meant for another machine. Labels under node-restriction.kubernetes.io/ are the exception: the
// NodeRestriction admission plugin refuses them to kubelets, so only an administrator (here, the
// K3s layer's ready step, as the cluster's admin) can set them, and scheduling can trust them.
import type { NodeSpec } from "./config/schema";

export const ADMIN_LABEL_PREFIX = "node-restriction.kubernetes.io/";

/** Marks the inventory's GPU nodes (value: the vendor); what GPU workloads and the GPU operator select. */
export const GPU_NODE_LABEL = `${ADMIN_LABEL_PREFIX}homelab-gpu`;

export function isAdminLabel(key: string): boolean {
  return key.startsWith(ADMIN_LABEL_PREFIX);
}

/** Every label the program keeps on a node: the inventory's, plus the GPU label on GPU nodes. */
export function nodeLabels(node: Pick<NodeSpec, "labels" | "gpu">): Record<string, string> {
  return { ...node.labels, ...(node.gpu && node.gpu.count > 0 ? { [GPU_NODE_LABEL]: node.gpu.vendor } : {}) };
}

/** The labels K3s may hand the kubelet at registration: none of the admin-only ones (it would refuse to start). */
export function kubeletLabels(node: Pick<NodeSpec, "labels" | "gpu">): Record<string, string> {
  return Object.fromEntries(Object.entries(nodeLabels(node)).filter(([key]) => !isAdminLabel(key)));
}
