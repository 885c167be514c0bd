// Inventories for the K3s tests, built through the real config schema so defaults match the stacks.
import { K3sSchema, NodeSchema, K3sSettings, NodeSpec } from "../../components/config/schema";
import { HOST_KEY } from "../config/fixtures";

export function node(name: string, role: "server" | "agent", extra: Record<string, unknown> = {}): NodeSpec {
  return NodeSchema.parse({ name, host: `${name}.home.arpa`, user: "homelab", hostKey: HOST_KEY, arch: "amd64", role, ...extra });
}

export function settings(extra: Record<string, unknown> = {}): K3sSettings {
  return K3sSchema.parse({ clusterName: "lab", version: "v1.36.3+k3s1", apiEndpoint: "k3s.home.arpa", ...extra });
}

/** Three servers (embedded etcd), a GPU agent, an arm64 agent and a plain agent. */
export function haInventory(): NodeSpec[] {
  return [
    node("s1", "server", { nodeIp: "10.0.0.11", flannelIface: "enp3s0", labels: { "homelab.dev/class": "mini-pc" } }),
    node("s2", "server"),
    node("s3", "server"),
    node("gpu1", "agent", { gpu: { vendor: "nvidia", count: 2 }, taints: ["nvidia.com/gpu=present:NoSchedule"], labels: { "homelab.dev/class": "gpu" } }),
    node("pi1", "agent", { arch: "arm64" }),
    node("a1", "agent"),
  ];
}
