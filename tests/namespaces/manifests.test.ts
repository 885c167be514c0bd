import { allowIngressSpec, namespaceLabels, quotaSpec, ruleName } from "../../components/namespaces";

const quota = { requestsCpu: "2", requestsMemory: "4Gi", limitsCpu: "4", limitsMemory: "8Gi", storage: "100Gi", pods: 20 };

describe("namespace manifests", () => {
  it("labels the namespace with its enforced Pod Security level, warning at restricted", () => {
    const labels = namespaceLabels({ name: "gpu-operator", podSecurity: "privileged", quota, ingress: [] });
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
