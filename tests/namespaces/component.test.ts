import * as k8s from "@pulumi/kubernetes";
import { createNamespaces, NamespaceSpec } from "../../components/namespaces";
import { mockRuntime, Recorder, settle } from "../helpers/runtime";

const quota = { requestsCpu: "1", requestsMemory: "1Gi", limitsCpu: "2", limitsMemory: "2Gi", storage: "10Gi", pods: 10 };
const specs: NamespaceSpec[] = [
  { name: "whisper", podSecurity: "restricted", quota, ingress: [{ description: "Home Assistant", fromCidrs: ["192.168.1.0/24"], ports: [10300] }], workloadServiceAccount: true },
  { name: "logging", podSecurity: "privileged", quota, ingress: [] },
];

describe("LabNamespace", () => {
  let recorder: Recorder;
  beforeAll(async () => {
    recorder = await mockRuntime();
    const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
    createNamespaces(provider, specs);
    await settle();
  });

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

  it("adds one allow policy per declared rule and nothing more", () => {
    const policies = recorder.ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy").map((r) => r.name).sort();
    expect(policies).toEqual(["logging-default-deny", "whisper-allow-home-assistant", "whisper-default-deny"]);
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
  });

  it("refuses a namespace declared twice", () => {
    const provider = new k8s.Provider("k8s-dup", { kubeconfig: "{}" });
    expect(() => createNamespaces(provider, [specs[1], specs[1]])).toThrow(/declared twice/);
  });
});
