// A small valid configuration that tests copy and break one piece at a time.
export const HOST_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFLNEZkM1TDZSahiIvVc9gtD1bhU6lTeQ1bG2xbBJ4Nu";

export function validRaw(): Record<string, any> {
  return {
    k3s: { clusterName: "lab", version: "v1.36.3+k3s1", apiEndpoint: "k3s.home.arpa" },
    aws: { region: "eu-west-1" },
    // server1 and pi1 are reached by name, so the nodes' network is declared.
    network: { nodeCidrs: ["10.0.0.0/24"] },
    nodes: [
      { name: "server1", host: "server1.home.arpa", user: "homelab", hostKey: HOST_KEY, arch: "amd64", role: "server" },
      { name: "gpu1", host: "10.0.0.12", user: "homelab", hostKey: HOST_KEY, arch: "amd64", role: "agent",
        gpu: { vendor: "nvidia", count: 2 }, taints: ["nvidia.com/gpu=present:NoSchedule"] },
      { name: "pi1", host: "pi1.home.arpa", user: "pi", hostKey: HOST_KEY, arch: "arm64", role: "agent" },
    ],
  };
}
