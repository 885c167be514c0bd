// Shared, pure pieces of every AI pod: security contexts, probes, resources, GPU placement and
// quantity arithmetic. The per-service builders in manifests.ts compose these; nothing here knows
// about a particular service.
import type * as k8s from "@pulumi/kubernetes";
import { NodeSpec, validators } from "../config";
import { GPU_NODE_LABEL } from "../node-labels";

type Container = k8s.types.input.core.v1.Container;
type PodSpec = k8s.types.input.core.v1.PodSpec;
type Probe = k8s.types.input.core.v1.Probe;
type SecurityContext = k8s.types.input.core.v1.SecurityContext;
type PodSecurityContext = k8s.types.input.core.v1.PodSecurityContext;
type Affinity = k8s.types.input.core.v1.Affinity;
type Toleration = k8s.types.input.core.v1.Toleration;

/** The unprivileged identity every image that allows it runs as (none of them bakes in a USER). */
export const NON_ROOT_UID = 1000;

/** The GPU resource the NVIDIA device plugin advertises (time-sliced replicas count as GPUs). */
export const GPU_RESOURCE = "nvidia.com/gpu";
/** The RuntimeClass the GPU operator installs; K3s does not make nvidia its default runtime. */
export const NVIDIA_RUNTIME_CLASS = "nvidia";

/**
 * Pod-level context for images that run as any uid: the Pod Security "restricted" profile, with
 * fsGroup so mounted volumes are group-writable where the volume plugin honours it.
 */
export function nonRootPodContext(): PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: NON_ROOT_UID,
    runAsGroup: NON_ROOT_UID,
    fsGroup: NON_ROOT_UID,
    // Only walk the volume when its root has the wrong group: a 200 GB model store would
    // otherwise be chowned file by file on every start.
    fsGroupChangePolicy: "OnRootMismatch",
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** Container-level context for the restricted profile; the root filesystem stays read-only. */
export function nonRootContainerContext(): SecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: NON_ROOT_UID,
    runAsGroup: NON_ROOT_UID,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/**
 * The tightest context an image that must start as root allows (Pod Security "baseline"):
 * no capabilities at all, no privilege escalation, the runtime's seccomp profile. The root
 * filesystem stays writable because the image writes into its own tree at start.
 */
export function rootContainerContext(): SecurityContext {
  return {
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}

export function rootPodContext(): PodSecurityContext {
  return { seccompProfile: { type: "RuntimeDefault" } };
}

/** Timings of the three probes; the startup probe gives slow first starts (downloads) room. */
export interface ProbeTimings {
  /** How long the first start may take before the kubelet gives up, in seconds. */
  startupSeconds: number;
  periodSeconds?: number;
  /** Liveness on another HTTP path than the other probes, failing for this long before a restart. */
  liveness?: { path: string; graceSeconds: number };
}

type Handler = Pick<Probe, "httpGet" | "tcpSocket">;

function probes(handler: Handler, timings: ProbeTimings): Pick<Container, "startupProbe" | "livenessProbe" | "readinessProbe"> {
  const startupPeriod = 10;
  const period = timings.periodSeconds ?? 10;
  return {
    startupProbe: { ...handler, periodSeconds: startupPeriod, timeoutSeconds: 5, failureThreshold: Math.ceil(timings.startupSeconds / startupPeriod) },
    livenessProbe: timings.liveness && handler.httpGet
      ? { httpGet: { ...handler.httpGet, path: timings.liveness.path }, periodSeconds: period * 2, timeoutSeconds: 5, failureThreshold: Math.ceil(timings.liveness.graceSeconds / (period * 2)) }
      : { ...handler, periodSeconds: period * 2, timeoutSeconds: 5, failureThreshold: 3 },
    readinessProbe: { ...handler, periodSeconds: period, timeoutSeconds: 5, failureThreshold: 3 },
  };
}

/** Startup, liveness and readiness on an HTTP path of the container's named port. */
export function httpProbes(path: string, port: string, timings: ProbeTimings) {
  return probes({ httpGet: { path, port } }, timings);
}

/**
 * Startup, liveness and readiness as TCP connects: Wyoming servers speak no HTTP, and they only
 * listen once their model is loaded, so an open port means ready.
 */
export function tcpProbes(port: string, timings: ProbeTimings) {
  return probes({ tcpSocket: { port } }, timings);
}

/** Requests and limits of one container; `gpus` adds the device plugin's GPU resource. */
export interface ContainerResources {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
  gpus?: number;
}

export function resourceRequirements(resources: ContainerResources): k8s.types.input.core.v1.ResourceRequirements {
  const gpu: Record<string, string> = resources.gpus ? { [GPU_RESOURCE]: String(resources.gpus) } : {};
  return {
    requests: { ...resources.requests, ...gpu },
    limits: { ...resources.limits, ...gpu },
  };
}

/** An emptyDir for /tmp (and friends) so the root filesystem can stay read-only. */
export function scratchVolume(name: string, sizeLimit = "1Gi"): k8s.types.input.core.v1.Volume {
  return { name, emptyDir: { sizeLimit } };
}

/**
 * Where a GPU workload may run: on the inventory's GPU nodes, selected by the admin-only GPU label
 * the K3s layer sets on them (node-labels.ts; a node cannot claim it for itself), tolerating the
 * taints those nodes carry, under the nvidia RuntimeClass.
 */
export function gpuPlacement(gpuNodes: NodeSpec[]): Pick<PodSpec, "runtimeClassName" | "affinity" | "tolerations"> {
  if (gpuNodes.length === 0) {
    throw new Error("the AI layer was asked for GPU placement but the inventory has no GPU node; declare one (nodes[].gpu) or set ai.accelerator: cpu");
  }
  const vendors = [...new Set(gpuNodes.map((n) => n.gpu!.vendor))].sort();
  const affinity: Affinity = {
    nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: GPU_NODE_LABEL, operator: "In", values: vendors }] }] } },
  };
  const seen = new Set<string>();
  const tolerations: Toleration[] = [];
  for (const node of gpuNodes) {
    for (const taint of node.taints) {
      const parsed = validators.parseTaint(taint);
      if (!parsed || seen.has(taint)) continue;
      seen.add(taint);
      tolerations.push(parsed.value === undefined
        ? { key: parsed.key, operator: "Exists", effect: parsed.effect }
        : { key: parsed.key, operator: "Equal", value: parsed.value, effect: parsed.effect });
    }
  }
  return { runtimeClassName: NVIDIA_RUNTIME_CLASS, affinity, tolerations };
}

// Quantity arithmetic for the namespace quotas (only the forms this layer writes).

/** CPU quantity ("500m", "2") in millicores. */
export function cpuMillis(quantity: string): number {
  const m = /^(\d+)(m?)$/.exec(quantity);
  if (!m) throw new Error(`unsupported CPU quantity "${quantity}" (expected e.g. 500m or 2)`);
  return m[2] === "m" ? Number(m[1]) : Number(m[1]) * 1000;
}

const BINARY_UNITS: Record<string, number> = { Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024 };

/** Memory or storage quantity ("512Mi", "200Gi") in MiB. */
export function mebibytes(quantity: string): number {
  const m = /^(\d+)(Ki|Mi|Gi|Ti)$/.exec(quantity);
  if (!m) throw new Error(`unsupported size "${quantity}" (expected binary units such as 512Mi or 20Gi)`);
  return Number(m[1]) * BINARY_UNITS[m[2]];
}

export function formatCpu(millis: number): string {
  return millis % 1000 === 0 ? String(millis / 1000) : `${Math.ceil(millis)}m`;
}

export function formatMebibytes(mib: number): string {
  return mib % 1024 === 0 ? `${mib / 1024}Gi` : `${Math.ceil(mib)}Mi`;
}
