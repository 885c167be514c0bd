// Where the egress rules point: the cluster's host networks from the stack config, and the egress
// counterpart of every ingress path between the lab's namespaces.
import { apiServerEgress, counterpartEgress, dnsEgress, hostNetworks, internetEgress, NamespaceSpec } from "../../components/namespaces";
import { stackConfig } from "../helpers/stacks";

const quota = { requestsCpu: "1", requestsMemory: "1Gi", limitsCpu: "2", limitsMemory: "2Gi", storage: "1Gi", pods: 5 };
const node = (name: string, role: "server" | "agent", host: string, nodeIp?: string) => ({ name, role, host, ...(nodeIp ? { nodeIp } : {}) });
const k3s = { clusterCidr: "10.42.0.0/16", serviceCidr: "10.43.0.0/16" };

describe("hostNetworks", () => {
  it("names each server for the API server and each node for host-network endpoints when every node has an IP", () => {
    const networks = hostNetworks({
      nodes: [node("s1", "server", "192.168.1.10"), node("a1", "agent", "a1.lan", "192.168.1.20"), node("s2", "server", "s2.lan", "192.168.1.11")],
      k3s,
      network: {},
    } as any);
    expect(networks.apiServers).toEqual(["192.168.1.10/32", "192.168.1.11/32"]);
    expect(networks.nodes).toEqual(["192.168.1.10/32", "192.168.1.20/32", "192.168.1.11/32"]);
  });

  it("uses the declared node networks for both when they are set", () => {
    const networks = hostNetworks(stackConfig("staging"));
    expect(networks.apiServers).toEqual(["192.168.1.0/24"]);
    expect(networks.nodes).toEqual(["192.168.1.0/24"]);
  });

  it("keeps the LAN, the cluster's own networks and link-local addresses out of the internet", () => {
    const networks = hostNetworks(stackConfig("staging"));
    expect(networks.anywhere).toBe("0.0.0.0/0");
    // The pod and service networks and the nodes' LAN are inside RFC 1918 here, so nothing is added.
    expect(networks.internal).toEqual(["10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.168.0.0/16"]);
    const publicLab = hostNetworks({
      nodes: [node("s1", "server", "203.0.113.10")],
      k3s: { clusterCidr: "100.72.0.0/16", serviceCidr: "198.18.0.0/16" },
      network: {},
    } as any);
    // Networks outside the private ranges are left out one by one.
    expect(publicLab.internal.slice(6)).toEqual(["198.18.0.0/16", "203.0.113.10/32"]);
  });

  it("speaks IPv6 in an IPv6 cluster", () => {
    const networks = hostNetworks({
      nodes: [node("s1", "server", "s1.lan", "2001:db8::10")],
      k3s: { clusterCidr: "fd42::/56", serviceCidr: "fd43::/112" },
      network: {},
    } as any);
    expect(networks.anywhere).toBe("::/0");
    expect(networks.apiServers).toEqual(["2001:db8::10/128"]);
    expect(networks.internal).toEqual(["fc00::/7", "fe80::/10", "::1/128", "2001:db8::10/128"]);
  });

  it("refuses a node without an address when no network is declared (the config reports it first)", () => {
    expect(() => hostNetworks({ nodes: [node("s1", "server", "s1.lan")], k3s, network: {} } as any)).toThrow(/node "s1" has no IP/);
  });
});

describe("the shared rules", () => {
  it("DNS reaches CoreDNS's pods on 53 over UDP and TCP, nothing else", () => {
    expect(dnsEgress()).toEqual({
      name: "dns",
      description: expect.any(String),
      toNamespaces: ["kube-system"],
      toPods: { "k8s-app": "kube-dns" },
      ports: [53],
      protocols: ["UDP", "TCP"],
    });
  });
  it("the API server is the servers' port 6443 (the kubernetes Service's ClusterIP is translated before policies apply)", () => {
    expect(apiServerEgress("why")).toEqual({ name: "api-server", description: "why", toHosts: "apiServer", ports: [6443] });
  });
  it("the internet is HTTPS only, for the pods named", () => {
    expect(internetEgress("n", "why", { app: "x" })).toEqual({ name: "n", description: "why", podSelector: { app: "x" }, toHosts: "internet", ports: [443] });
    expect(internetEgress("n", "why")).not.toHaveProperty("podSelector");
  });
});

describe("counterpartEgress", () => {
  const spec = (name: string, ingress: NamespaceSpec["ingress"], egress: NamespaceSpec["egress"] = []): NamespaceSpec =>
    ({ name, podSecurity: "restricted", quota, ingress, egress });
  const specs = counterpartEgress([
    spec("db", [
      { description: "app connects", podSelector: { role: "db" }, fromNamespaces: ["app", "elsewhere"], ports: [5432] },
      { description: "replicas stream", podSelector: { role: "db" }, fromPods: { cluster: "pg" }, ports: [5432] },
      { description: "members talk", fromPods: { cluster: "pg" }, ports: [8000] },
      { description: "the LAN connects", fromCidrs: ["192.168.1.0/24"], ports: [5432] },
    ]),
    spec("app", [], [dnsEgress()]),
    spec("monitoring", [{ description: "components talk", fromNamespaces: ["monitoring"], ports: [9090] }]),
  ]);
  const egressOf = (name: string) => specs.find((s) => s.name === name)!.egress;

  it("gives the calling namespace the path another namespace admits, after its own rules", () => {
    expect(egressOf("app")).toEqual([
      dnsEgress(),
      { description: "app connects", toNamespaces: ["db"], toPods: { role: "db" }, ports: [5432], counterpartOf: "db/allow-app-connects" },
    ]);
  });

  it("keeps paths inside one namespace inside it, between the same pods", () => {
    expect(egressOf("db")).toEqual([
      { description: "replicas stream", podSelector: { cluster: "pg" }, toPods: { role: "db" }, ports: [5432], counterpartOf: "db/allow-replicas-stream" },
      { description: "members talk", podSelector: { cluster: "pg" }, toPods: {}, ports: [8000], counterpartOf: "db/allow-members-talk" },
    ]);
    expect(egressOf("monitoring")).toEqual([
      { description: "components talk", toNamespaces: ["monitoring"], ports: [9090], counterpartOf: "monitoring/allow-components-talk" },
    ]);
  });

  it("derives nothing for callers outside the lab's namespaces or addresses", () => {
    expect(specs.map((s) => s.name)).toEqual(["db", "app", "monitoring"]);
    expect(specs.flatMap((s) => s.egress).some((r) => r.description === "the LAN connects")).toBe(false);
  });
});
