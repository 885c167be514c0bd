// Where the nodes are on the LAN, as the NetworkPolicies need it. Pods reach the API server, the
// kubelets and node-exporter at node addresses (they run on the host network, which no pod selector
// names), so every egress rule to them names either each node's IP or the network the nodes are in.
import { isIP } from "node:net";
import type { NodeSpec, RawHomelabSettings } from "./schema";
import * as v from "./validators";

/** A node's LAN address where the inventory states one: `nodeIp`, else `host` when it is an IP. */
export function nodeAddress(node: Pick<NodeSpec, "host" | "nodeIp">): string | undefined {
  return node.nodeIp ?? (isIP(node.host) ? node.host : undefined);
}

/** Whether a CIDR has bits set after its prefix (192.168.1.7/24), which NetworkPolicies refuse. */
export function hasHostBits(cidr: string): boolean {
  const range = v.cidrRange(cidr);
  if (!range) return false;
  const [address] = cidr.split("/");
  return v.cidrRange(`${address}/${range.family === 4 ? 32 : 128}`)!.first !== range.first;
}

/** `cidr` with its host bits cleared (192.168.1.7/24 → 192.168.1.0/24); IPv6 comes out uncompressed. */
export function networkOf(cidr: string): string | undefined {
  const range = v.cidrRange(cidr);
  if (!range) return undefined;
  const bits = cidr.split("/")[1];
  if (range.family === 4) {
    const octets = [24n, 16n, 8n, 0n].map((shift) => String((range.first >> shift) & 0xffn));
    return `${octets.join(".")}/${bits}`;
  }
  const groups = [...Array(8).keys()].map((i) => ((range.first >> BigInt((7 - i) * 16)) & 0xffffn).toString(16));
  return `${groups.join(":")}/${bits}`;
}

/**
 * Problems with homelab:network against the inventory and the cluster's networks. Paths are
 * relative to the config namespace, as crossCheck reports them.
 */
export function nodeNetworkProblems(settings: RawHomelabSettings): { path: PropertyKey[]; message: string }[] {
  const problems: { path: PropertyKey[]; message: string }[] = [];
  const nodeCidrs = settings.network.nodeCidrs;
  const { clusterCidr, serviceCidr } = settings.k3s;
  const clusterFamily = v.cidrRange(clusterCidr)?.family;

  if (nodeCidrs === undefined) {
    const unaddressed = settings.nodes.filter((n) => nodeAddress(n) === undefined).map((n) => n.name);
    if (unaddressed.length > 0) {
      problems.push({
        path: ["network", "nodeCidrs"],
        message: `is required: ${unaddressed.join(", ")} ${unaddressed.length === 1 ? "is" : "are"} reached by hostname with no nodeIp, ` +
          "so the NetworkPolicies that let pods reach the API server and the kubelets cannot name their addresses; " +
          "set it to the network(s) the nodes' addresses are in, e.g. [192.168.1.0/24]",
      });
    }
    return problems;
  }

  nodeCidrs.forEach((cidr, i) => {
    const at = ["network", "nodeCidrs", i];
    if (hasHostBits(cidr)) {
      problems.push({ path: at, message: `${cidr} has host bits set; NetworkPolicies take the network address: did you mean ${networkOf(cidr)}?` });
    }
    const range = v.cidrRange(cidr);
    if (range && clusterFamily !== undefined && range.family !== clusterFamily) {
      problems.push({ path: at, message: `an IPv${range.family} network in a cluster whose k3s.clusterCidr (${clusterCidr}) is IPv${clusterFamily}` });
    }
    if (cidr.endsWith("/0")) {
      problems.push({ path: at, message: "a /0 would let every pod with an API server or kubelet rule reach those ports on any address; name the nodes' LAN" });
    }
    for (const [name, other] of [["clusterCidr", clusterCidr], ["serviceCidr", serviceCidr]] as const) {
      if (v.cidrsOverlap(cidr, other)) problems.push({ path: at, message: `${cidr} overlaps k3s.${name} (${other}); the nodes' network is the LAN, not a cluster network` });
    }
  });
  settings.nodes.forEach((node, i) => {
    const address = nodeAddress(node);
    if (address === undefined || nodeCidrs.some((cidr) => v.cidrContains(cidr, address))) return;
    problems.push({
      path: ["nodes", i, node.nodeIp !== undefined ? "nodeIp" : "host"],
      message: `${address} is outside homelab:network.nodeCidrs (${nodeCidrs.join(", ")}); pods could not reach this node's API server or kubelet: add its network there`,
    });
  });
  return problems;
}
