import * as k8s from "@pulumi/kubernetes";
import { createNamespaces, dnsEgress, HostNetworks, internetEgress, NamespaceSpec } from "../../components/namespaces";
import { mockRuntime, Recorder, settle } from "../helpers/runtime";

const quota = { requestsCpu: "1", requestsMemory: "1Gi", limitsCpu: "2", limitsMemory: "2Gi", storage: "10Gi", pods: 10 };
const networks: HostNetworks = {
  apiServers: ["192.168.1.10/32"],
  nodes: ["192.168.1.0/24"],
  anywhere: "0.0.0.0/0",
  internal: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"],
};
const specs: NamespaceSpec[] = [
  {
    name: "whisper",
    podSecurity: "restricted",
    quota,
    ingress: [{ description: "Home Assistant", fromCidrs: ["192.168.1.0/24"], ports: [10300] }],
    egress: [dnsEgress(), internetEgress("hugging-face", "Whisper downloads its model", { app: "whisper" })],
    workloadServiceAccount: true,
  },
  {
    name: "ollama",
    podSecurity: "restricted",
    quota,
    ingress: [{ description: "Whisper calls Ollama", podSelector: { app: "ollama" }, fromNamespaces: ["whisper"], fromPods: { app: "whisper" }, ports: [11434] }],
    egress: [],
  },
  { name: "logging", podSecurity: "privileged", quota, ingress: [], egress: [] },
];

describe("LabNamespace", () => {
  let recorder: Recorder;
  beforeAll(async () => {
    recorder = await mockRuntime();
    const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
    createNamespaces(provider, specs, networks);
    await settle();
  });
  const policy = (name: string) => recorder.byName("kubernetes:networking.k8s.io/v1:NetworkPolicy", name).inputs as any;

  it("gives every namespace its PSA level, quota, limits and default-deny", () => {
    for (const spec of specs) {
      const ns = recorder.byName("kubernetes:core/v1:Namespace", spec.name);
      expect((ns.inputs.metadata as any).labels["pod-security.kubernetes.io/enforce"]).toBe(spec.podSecurity);
      const children = recorder.list().filter((r) => r.parent === ns.parent && r.name.startsWith(`${spec.name}-`));
      expect(children.map((r) => r.type).sort()).toEqual(expect.arrayContaining([
        "kubernetes:core/v1:LimitRange",
        "kubernetes:core/v1:ResourceQuota",
        "kubernetes:networking.k8s.io/v1:NetworkPolicy",
      ]));
    }
  });

  it("creates a workload service account only where the program runs its own workloads", () => {
    // A chart brings its own accounts; one of ours in its namespace could collide with them.
    expect(recorder.ofType("kubernetes:core/v1:ServiceAccount").map((r) => (r.inputs.metadata as any).name)).toEqual(["whisper"]);
  });

  it("adds one allow policy per declared rule, the callers' counterparts, and nothing more", () => {
    const policies = recorder.ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy").map((r) => r.name).sort();
    expect(policies).toEqual([
      "logging-default-deny", "logging-default-deny-egress",
      "ollama-allow-whisper-calls-ollama", "ollama-default-deny", "ollama-default-deny-egress",
      "whisper-allow-egress-dns", "whisper-allow-egress-hugging-face", "whisper-allow-egress-whisper-calls-ollama",
      "whisper-allow-home-assistant", "whisper-default-deny", "whisper-default-deny-egress",
    ]);
  });

  it("denies all egress in every namespace with a policy of its own, leaving the ingress one as it was", () => {
    for (const ns of ["whisper", "ollama", "logging"]) {
      expect(policy(`${ns}-default-deny-egress`).metadata).toEqual({ name: "default-deny-egress", namespace: ns });
      expect(policy(`${ns}-default-deny-egress`).spec).toEqual({ podSelector: {}, policyTypes: ["Egress"] });
      expect(policy(`${ns}-default-deny`).spec).toEqual({ podSelector: {}, policyTypes: ["Ingress"] });
    }
  });

  it("resolves host destinations with the cluster's networks and annotates every egress rule with why", () => {
    const internet = policy("whisper-allow-egress-hugging-face");
    expect(internet.metadata.annotations).toEqual({ "homelab.dev/why": "Whisper downloads its model" });
    expect(internet.spec.podSelector).toEqual({ matchLabels: { app: "whisper" } });
    expect(internet.spec.egress).toEqual([{
      to: [{ ipBlock: { cidr: "0.0.0.0/0", except: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] } }],
      ports: [{ protocol: "TCP", port: 443 }],
    }]);
  });

  it("gives a caller the egress counterpart of the ingress path another namespace declares for it", () => {
    const counterpart = policy("whisper-allow-egress-whisper-calls-ollama");
    expect(counterpart.metadata.annotations).toEqual({
      "homelab.dev/why": "Whisper calls Ollama",
      "homelab.dev/counterpart-of": "ollama/allow-whisper-calls-ollama",
    });
    expect(counterpart.spec).toEqual({
      podSelector: { matchLabels: { app: "whisper" } },
      policyTypes: ["Egress"],
      egress: [{
        to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ollama" } }, podSelector: { matchLabels: { app: "ollama" } } }],
        ports: [{ protocol: "TCP", port: 11434 }],
      }],
    });
  });

  it("uses the explicit provider and parents every child to its component", () => {
    for (const r of recorder.list().filter((r) => r.type.startsWith("kubernetes:"))) {
      if (r.type === "pulumi:providers:kubernetes") continue;
      expect(r.provider).toMatch(/pulumi:providers:kubernetes::k8s::/);
      expect(r.parent).toMatch(/homelab:namespaces:LabNamespace::/);
    }
  });

  it("places namespaced children after their namespace", () => {
    const ns = recorder.byName("kubernetes:core/v1:Namespace", "whisper");
    expect(recorder.byName("kubernetes:core/v1:ResourceQuota", "whisper-quota").dependencies).toContain(ns.urn);
    expect(recorder.byName("kubernetes:networking.k8s.io/v1:NetworkPolicy", "whisper-default-deny-egress").dependencies).toContain(ns.urn);
  });

  it("refuses a namespace declared twice", () => {
    const provider = new k8s.Provider("k8s-dup", { kubeconfig: "{}" });
    expect(() => createNamespaces(provider, [specs[2], specs[2]], networks)).toThrow(/declared twice/);
  });

  it("refuses two rules that would make policies of the same name", () => {
    const provider = new k8s.Provider("k8s-same", { kubeconfig: "{}" });
    const twice: NamespaceSpec = { name: "twice", podSecurity: "restricted", quota, ingress: [], egress: [dnsEgress(), dnsEgress()] };
    expect(() => createNamespaces(provider, [twice], networks)).toThrow(/namespace "twice": two network rules are both named "allow-egress-dns"/);
  });
});
