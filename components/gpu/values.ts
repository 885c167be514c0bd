// Helm values for the NVIDIA GPU operator (pinned in components/versions.ts) on K3s. Every key exists
// in the chart's values.yaml at `valuesCheckedAgainst` (the node-feature-discovery keys in its
// bundled NFD 0.19.0 chart); tests/gpu pins the list. dcgmExporter.config is only documented in a
// comment there, but the chart's templates read it (dcgm_exporter_config.yaml, clusterpolicy.yaml).
import * as YAML from "yaml";
import type { GpuSettings, NodeSpec } from "../config";
import { validators } from "../config";
import { GPU_NODE_LABEL } from "../node-labels";

/**
 * Where K3s keeps containerd. K3s v1.36 runs containerd 2.x and regenerates config.toml (config
 * version 3) from its built-in template on every start, importing every file in config-v3.toml.d
 * (check on a GPU node: `grep -A1 imports /var/lib/rancher/k3s/agent/etc/containerd/config.toml`).
 */
export const K3S_CONTAINERD = {
  config: "/var/lib/rancher/k3s/agent/etc/containerd/config.toml",
  dropIn: "/var/lib/rancher/k3s/agent/etc/containerd/config-v3.toml.d/99-nvidia.toml",
  socket: "/run/k3s/containerd/containerd.sock",
} as const;

/** The RuntimeClass (and containerd runtime handler) GPU pods name. */
export const NVIDIA_RUNTIME_CLASS = "nvidia";

export const TIME_SLICING_CONFIG_MAP = "time-slicing-config";
/** The key in that ConfigMap every GPU node uses unless labelled nvidia.com/device-plugin.config. */
export const TIME_SLICING_PROFILE = "any";
export const DCGM_METRICS_CONFIG_MAP = "dcgm-exporter-metrics";
export const DCGM_EXPORTER_PORT = 9400;

export interface GpuValuesArgs {
  gpuNodes: NodeSpec[];
  settings: GpuSettings;
}

type Toleration = { key: string; operator: "Equal" | "Exists"; value?: string; effect: string };
type NodeSelectorTerm = { matchExpressions: { key: string; operator: "In"; values: string[] }[] };

/**
 * The container toolkit's environment for K3s.
 * - Drop-in, not template: the toolkit writes only its runtime entries into config-v3.toml.d,
 *   which K3s's generated config imports, and K3s keeps generating everything else. Pointing
 *   CONTAINERD_CONFIG at config-v3.toml.tmpl (the older recipe) would freeze a full snapshot of
 *   today's generated config as the template, including paths under K3s's versioned data
 *   directory, and break containerd after the next K3s upgrade.
 * - CONTAINERD_CONFIG names the generated file, which the toolkit reads and, at most, adds the
 *   drop-in import to (K3s has it already and rewrites the file on start anyway).
 * - RUNTIME_CONFIG_SOURCE reads that file only: the default tries `containerd config dump` first,
 *   which on a K3s host finds no containerd or, worse, a different one (e.g. Docker's).
 * - CONTAINERD_SOCKET is K3s's socket; the toolkit signals containerd through it after writing,
 *   which restarts the K3s service on that node once (containers keep running).
 * The operator sets CONTAINERD_RUNTIME_CLASS from operator.runtimeClass itself.
 */
export function toolkitEnv(): { name: string; value: string }[] {
  return [
    { name: "CONTAINERD_CONFIG", value: K3S_CONTAINERD.config },
    { name: "RUNTIME_DROP_IN_CONFIG", value: K3S_CONTAINERD.dropIn },
    { name: "CONTAINERD_SOCKET", value: K3S_CONTAINERD.socket },
    { name: "RUNTIME_CONFIG_SOURCE", value: `file=${K3S_CONTAINERD.config}` },
  ];
}

/**
 * Tolerations for the operator's node daemonsets: the chart's own nvidia.com/gpu toleration (it is
 * replaced, not merged, when set) plus every taint the inventory puts on a GPU node.
 */
export function gpuTolerations(gpuNodes: NodeSpec[]): Toleration[] {
  const out: Toleration[] = [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }];
  const seen = new Set(out.map((t) => JSON.stringify(t)));
  for (const node of gpuNodes) {
    for (const raw of node.taints) {
      const taint = validators.parseTaint(raw);
      if (!taint) throw new Error(`node ${node.name}: taint "${raw}" is not key[=value]:Effect; fix homelab:nodes`);
      const toleration: Toleration = taint.value === undefined
        ? { key: taint.key, operator: "Exists", effect: taint.effect }
        : { key: taint.key, operator: "Equal", value: taint.value, effect: taint.effect };
      const id = JSON.stringify(toleration);
      if (!seen.has(id)) {
        seen.add(id);
        out.push(toleration);
      }
    }
  }
  return out;
}

/**
 * Node affinity that keeps node-feature-discovery's worker on the inventory's GPU nodes: the
 * admin-only GPU label the K3s layer sets on them (node-labels.ts), which a compromised node
 * cannot set on itself. The operator deploys its operands only where NFD finds an NVIDIA device.
 */
export function gpuNodeAffinity(gpuNodes: NodeSpec[]) {
  const vendors = [...new Set(gpuNodes.map((n) => n.gpu?.vendor).filter((v): v is "nvidia" => v !== undefined))].sort();
  const terms: NodeSelectorTerm[] = [{ matchExpressions: [{ key: GPU_NODE_LABEL, operator: "In", values: vendors }] }];
  return { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } };
}

/**
 * The device plugin's time-slicing profile: each physical GPU is advertised `replicas` times under
 * the same resource name (nvidia.com/gpu), so consumers need no change. Time-slicing shares compute
 * and memory with no isolation, and a pod asking for two slices may get both on one GPU.
 */
export function timeSlicingProfile(replicas: number): string {
  return YAML.stringify({
    version: "v1",
    flags: { migStrategy: "none" },
    sharing: {
      timeSlicing: {
        renameByDefault: false,
        resources: [{ name: "nvidia.com/gpu", replicas }],
      },
    },
  });
}

// DCGM fields the lab's dashboards and alerts use: utilisation, memory, temperature, power,
// clocks, throttling and errors. All are device-level fields every NVIDIA GPU reports.
const DEVICE_METRICS: [field: string, type: "gauge" | "counter" | "label", help: string][] = [
  ["DCGM_FI_DEV_GPU_UTIL", "gauge", "GPU utilisation (%)."],
  ["DCGM_FI_DEV_MEM_COPY_UTIL", "gauge", "Memory bandwidth utilisation (%)."],
  ["DCGM_FI_DEV_ENC_UTIL", "gauge", "Video encoder utilisation (%)."],
  ["DCGM_FI_DEV_DEC_UTIL", "gauge", "Video decoder utilisation (%)."],
  ["DCGM_FI_DEV_FB_FREE", "gauge", "Free framebuffer memory (MiB)."],
  ["DCGM_FI_DEV_FB_USED", "gauge", "Used framebuffer memory (MiB)."],
  ["DCGM_FI_DEV_GPU_TEMP", "gauge", "GPU temperature (C)."],
  ["DCGM_FI_DEV_MEMORY_TEMP", "gauge", "Memory temperature (C)."],
  ["DCGM_FI_DEV_POWER_USAGE", "gauge", "Power draw (W)."],
  ["DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION", "counter", "Energy used since boot (mJ)."],
  ["DCGM_FI_DEV_SM_CLOCK", "gauge", "SM clock (MHz)."],
  ["DCGM_FI_DEV_MEM_CLOCK", "gauge", "Memory clock (MHz)."],
  ["DCGM_FI_DEV_PCIE_REPLAY_COUNTER", "counter", "PCIe retries."],
  ["DCGM_FI_DEV_XID_ERRORS", "gauge", "Last XID error seen."],
  ["DCGM_FI_DRIVER_VERSION", "label", "Driver version."],
];

// Datacenter profiling fields. GeForce cards do not support them; asking for them there makes the
// exporter log and skip (older releases refused to start), so they are opt-in.
const PROFILING_METRICS: typeof DEVICE_METRICS = [
  ["DCGM_FI_PROF_GR_ENGINE_ACTIVE", "gauge", "Share of time the graphics engine was busy."],
  ["DCGM_FI_PROF_SM_ACTIVE", "gauge", "Share of cycles an SM had a warp resident."],
  ["DCGM_FI_PROF_PIPE_TENSOR_ACTIVE", "gauge", "Share of cycles the tensor pipe was busy."],
  ["DCGM_FI_PROF_DRAM_ACTIVE", "gauge", "Share of cycles device memory was busy."],
];

/** The dcgm-exporter metrics CSV (field, Prometheus type, help). */
export function dcgmMetricsCsv(profilingMetrics: boolean): string {
  const rows = profilingMetrics ? [...DEVICE_METRICS, ...PROFILING_METRICS] : DEVICE_METRICS;
  return ["# field, type, help", ...rows.map(([field, type, help]) => `${field}, ${type}, ${help}`)].join("\n") + "\n";
}

export function gpuOperatorValues({ gpuNodes, settings }: GpuValuesArgs): Record<string, unknown> {
  if (gpuNodes.length === 0) {
    throw new Error("the GPU operator values need at least one GPU node (homelab:nodes[].gpu); stacks without GPUs install no GPU operator");
  }
  const tolerations = gpuTolerations(gpuNodes);
  const timeSliced = settings.timeSlicingReplicas > 1;
  return {
    // Drivers are installed on the host (the reference lab's workstation runs them for the desktop too).
    driver: { enabled: false },
    toolkit: { enabled: true, env: toolkitEnv() },
    // CDI (the chart's default, stated here so a changed default cannot flip it): GPUs reach
    // containers through CDI device specs; the operator's own pods use the runtime class.
    cdi: { enabled: true },
    operator: {
      runtimeClass: NVIDIA_RUNTIME_CLASS,
      // Pulumi applies the chart's CRDs itself on every update; the pre-upgrade hook Job that does
      // it for Helm would be a standing Job under Pulumi (it renders hooks as plain resources).
      upgradeCRD: false,
    },
    daemonsets: { tolerations },
    // Time-slicing only when the stack asks for more than one slice per GPU; the chart creates the
    // ConfigMap and points the device plugin at its profile.
    ...(timeSliced
      ? {
        devicePlugin: {
          config: {
            create: true,
            name: TIME_SLICING_CONFIG_MAP,
            default: TIME_SLICING_PROFILE,
            data: { [TIME_SLICING_PROFILE]: timeSlicingProfile(settings.timeSlicingReplicas) },
          },
        },
      }
      : {}),
    dcgmExporter: {
      enabled: true,
      // The operator creates the ServiceMonitor once the Prometheus operator's CRDs exist.
      serviceMonitor: { enabled: true },
      config: { create: true, name: DCGM_METRICS_CONFIG_MAP, data: dcgmMetricsCsv(settings.profilingMetrics) },
    },
    nfd: { enabled: true },
    "node-feature-discovery": {
      // Under Pulumi the post-delete hook would run at install time, and again whenever its Job
      // expires (ttlSecondsAfterFinished), stripping every NFD label from every node.
      postDeleteCleanup: false,
      worker: { tolerations, affinity: gpuNodeAffinity(gpuNodes) },
    },
  };
}
