import * as k8s from "@pulumi/kubernetes";
import { deriveConfig, HomelabConfig, parseSettings } from "../../components/config";
import { GpuOperator, gpuNamespaces, gpuOperatorIfNeeded } from "../../components/gpu";
import { createNamespaces } from "../../components/namespaces";
import { charts } from "../../components/versions";
import { validRaw } from "../config/fixtures";
import { mockRuntime, Recorder, settle } from "../helpers/runtime";
import { stagingNetworks } from "../helpers/networks";

const CHART = "kubernetes:helm.sh/v4:Chart";

function configs(): { gpu: HomelabConfig; cpu: HomelabConfig } {
  const raw = validRaw();
  raw.nodes[1].labels = { "homelab.dev/class": "gpu-workstation" };
  raw.gpu = { timeSlicingReplicas: 4 };
  const cpuRaw = validRaw();
  cpuRaw.nodes = cpuRaw.nodes.filter((n: any) => !n.gpu);
  return {
    gpu: deriveConfig(parseSettings(raw), "staging", {} as any),
    cpu: deriveConfig(parseSettings(cpuRaw), "dev", {} as any),
  };
}

let recorder: Recorder;
let gpuOperator: GpuOperator | undefined;
let cpuOperator: GpuOperator | undefined;

beforeAll(async () => {
  recorder = await mockRuntime();
  const { gpu, cpu } = configs();
  const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
  const gpuNs = createNamespaces(provider, gpuNamespaces(gpu), stagingNetworks());
  gpuOperator = gpuOperatorIfNeeded("gpu", { provider, namespace: gpuNs["gpu-operator"], gpuNodes: gpu.gpuNodes, settings: gpu.gpu });
  // The CPU-only stack: no namespace declared, no operator built.
  cpuOperator = gpuOperatorIfNeeded("gpu-dev", { provider, namespace: undefined, gpuNodes: cpu.gpuNodes, settings: cpu.gpu });
  await settle();
});

describe("GpuOperator", () => {
  it("is built only for stacks with GPU nodes", () => {
    expect(gpuOperator).toBeInstanceOf(GpuOperator);
    expect(cpuOperator).toBeUndefined();
    expect(recorder.ofType(CHART).map((c) => c.name)).toEqual(["gpu-gpu-operator"]);
    expect(recorder.ofType("homelab:gpu:GpuOperator").map((c) => c.name)).toEqual(["gpu"]);
  });

  it("installs the pinned chart from NGC into gpu-operator, with K3s paths and the stack's time-slicing", () => {
    const chart = recorder.byName(CHART, "gpu-gpu-operator");
    expect(chart.inputs.chart).toBe("gpu-operator");
    expect(chart.inputs.version).toBe(charts.gpuOperator.version);
    expect(chart.inputs.repositoryOpts).toEqual({ repo: "https://helm.ngc.nvidia.com/nvidia" });
    expect(chart.inputs.namespace).toBe("gpu-operator");
    const values = chart.inputs.values as any;
    expect(values.driver.enabled).toBe(false);
    expect(values.toolkit.env).toEqual(expect.arrayContaining([{ name: "CONTAINERD_SOCKET", value: "/run/k3s/containerd/containerd.sock" }]));
    expect(values.operator.runtimeClass).toBe("nvidia");
    expect(values.devicePlugin.config.data.any).toMatch(/replicas: 4/);
    expect(values["node-feature-discovery"].worker.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms)
      .toEqual([{ matchExpressions: [{ key: "node-restriction.kubernetes.io/homelab-gpu", operator: "In", values: ["nvidia"] }] }]);
    expect(chart.parent).toContain("homelab:gpu:GpuOperator");
    expect(chart.provider).toContain("k8s");
  });

  it("creates no RuntimeClass itself (the operator owns nvidia; K3s ships one too)", () => {
    expect(recorder.ofType("kubernetes:node.k8s.io/v1:RuntimeClass")).toEqual([]);
    expect(gpuOperator!.runtimeClassName).toBe("nvidia");
  });

  it("refuses a GPU stack whose namespace was not declared", () => {
    const { gpu } = configs();
    const provider = new k8s.Provider("k8s-2", { kubeconfig: "{}" });
    expect(() => gpuOperatorIfNeeded("gpu-missing", { provider, namespace: undefined, gpuNodes: gpu.gpuNodes, settings: gpu.gpu }))
      .toThrow(/no "gpu-operator" namespace/);
  });
});
