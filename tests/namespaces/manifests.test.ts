import { allowEgressSpec, allowIngressSpec, egressRuleName, HostNetworks, namespaceLabels, quotaSpec, ruleName } from "../../components/namespaces";

const quota = { requestsCpu: "2", requestsMemory: "4Gi", limitsCpu: "4", limitsMemory: "8Gi", storage: "100Gi", pods: 20 };

describe("namespace manifests", () => {
  it("labels the namespace with its enforced Pod Security level, warning at restricted", () => {
    const labels = namespaceLabels({ name: "gpu-operator", podSecurity: "privileged", quota, ingress: [], egress: [] });
    expect(labels["pod-security.kubernetes.io/enforce"]).toBe("privileged");
    expect(labels["pod-security.kubernetes.io/warn"]).toBe("restricted");
    expect(labels["kubernetes.io/metadata.name"]).toBe("gpu-operator");
  });

  it("gives GPUs only to namespaces that declare them", () => {
    expect(quotaSpec(quota).hard["requests.nvidia.com/gpu"]).toBe("0");
    expect(quotaSpec({ ...quota, gpus: 2 }).hard["requests.nvidia.com/gpu"]).toBe("2");
  });

  it("turns a rule into one ingress entry per source, on the declared ports only", () => {
    const spec = allowIngressSpec({
      description: "Open WebUI calls Ollama",
      podSelector: { app: "ollama" },
      fromNamespaces: ["open-webui"],
      fromPods: { app: "open-webui" },
      fromCidrs: ["192.168.1.0/24"],
      ports: [11434],
    });
    expect(spec.podSelector).toEqual({ matchLabels: { app: "ollama" } });
    expect(spec.ingress).toEqual([{
      from: [
        { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "open-webui" } }, podSelector: { matchLabels: { app: "open-webui" } } },
        { ipBlock: { cidr: "192.168.1.0/24" } },
      ],
      ports: [{ protocol: "TCP", port: 11434 }],
    }]);
  });

  it("refuses a rule that names no source (it would allow everyone)", () => {
    expect(() => allowIngressSpec({ description: "oops", ports: [80] })).toThrow(/names no source/);
  });

  it("derives DNS-safe policy names from descriptions", () => {
    expect(ruleName({ description: "Home Assistant → Wyoming", ports: [] })).toBe("allow-home-assistant-wyoming");
    expect(ruleName({ description: "x".repeat(100), ports: [] }).length).toBeLessThanOrEqual(63);
  });
});

describe("egress rules", () => {
  const networks: HostNetworks = {
    apiServers: ["192.168.1.10/32", "192.168.1.11/32"],
    nodes: ["192.168.1.0/24"],
    anywhere: "0.0.0.0/0",
    internal: ["10.0.0.0/8", "192.168.0.0/16"],
  };

  it("turns a rule into one egress entry per destination, on the declared ports and protocols only", () => {
    const spec = allowEgressSpec({
      description: "pods resolve names",
      toNamespaces: ["kube-system"],
      toPods: { "k8s-app": "kube-dns" },
      ports: [53],
      protocols: ["UDP", "TCP"],
    });
    expect(spec).toEqual({
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [{
        to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
        ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }],
      }],
    });
  });

  it("names pods of its own namespace by selector alone, and all of them with an empty one", () => {
    expect(allowEgressSpec({ description: "replication", podSelector: { a: "b" }, toPods: { role: "db" }, ports: [5432] }).egress)
      .toEqual([{ to: [{ podSelector: { matchLabels: { role: "db" } } }], ports: [{ protocol: "TCP", port: 5432 }] }]);
    expect((allowEgressSpec({ description: "talk", toPods: {}, ports: [80] }).egress as any)[0].to).toEqual([{ podSelector: { matchLabels: {} } }]);
  });

  it("resolves the API server, the nodes and the internet from the cluster's networks", () => {
    const to = (toHosts: "apiServer" | "nodes" | "internet") => (allowEgressSpec({ description: "x", toHosts, ports: [1] }, networks).egress as any)[0].to;
    expect(to("apiServer")).toEqual([{ ipBlock: { cidr: "192.168.1.10/32" } }, { ipBlock: { cidr: "192.168.1.11/32" } }]);
    expect(to("nodes")).toEqual([{ ipBlock: { cidr: "192.168.1.0/24" } }]);
    expect(to("internet")).toEqual([{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8", "192.168.0.0/16"] } }]);
    expect(() => allowEgressSpec({ description: "api", toHosts: "apiServer", ports: [6443] })).toThrow(/needs the cluster's host networks/);
  });

  it("refuses a rule with no destination or no port (either would allow everything)", () => {
    expect(() => allowEgressSpec({ description: "oops", ports: [80] })).toThrow(/names no destination/);
    expect(() => allowEgressSpec({ description: "oops", toPods: {}, ports: [] })).toThrow(/names no port/);
  });

  it("names egress policies apart from ingress ones, from the rule's name or its description", () => {
    expect(egressRuleName({ description: "Open WebUI calls Ollama" })).toBe("allow-egress-open-webui-calls-ollama");
    expect(egressRuleName({ name: "dns", description: "pods resolve names" })).toBe("allow-egress-dns");
    expect(egressRuleName({ description: "y".repeat(100) }).length).toBeLessThanOrEqual(63);
  });
});
