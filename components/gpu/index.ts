// The NVIDIA GPU operator, for stacks with GPU nodes only: host drivers, the container toolkit wired
// into K3s's containerd, the device plugin (time-sliced when configured), DCGM metrics and node
// feature discovery.
//
// RuntimeClass `nvidia`: Pulumi creates none. The operator always creates or adopts it (pointing
// at the runtime handler its toolkit writes into containerd) and owns it through the ClusterPolicy;
// no chart value turns that off. K3s also ships an identical `nvidia` RuntimeClass in its packaged
// `runtimes` manifest, so for a single owner the K3s layer should add `runtimes` to K3s's `disable`
// list on stacks with GPU nodes (K3s's copy would otherwise be re-applied on every K3s restart,
// with the same name and handler, so a leftover copy is harmless but has two writers).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { GpuSettings, HomelabConfig, NodeSpec } from "../config";
import { apiServerEgress, dnsEgress } from "../namespaces/egress";
import type { LabNamespace, NamespaceSpec } from "../namespaces";
import { charts } from "../versions";
import { DCGM_EXPORTER_PORT, gpuOperatorValues, NVIDIA_RUNTIME_CLASS } from "./values";
import { pinnedChart } from "../helm";

export * from "./values";

/** The namespace the operator and its node daemonsets run in. */
export const GPU_NAMESPACE = "gpu-operator";

export interface GpuOperatorArgs {
  provider: k8s.Provider;
  namespace: LabNamespace;
  /** The inventory's GPU nodes (HomelabConfig.gpuNodes); at least one. */
  gpuNodes: NodeSpec[];
  settings: GpuSettings;
}

export class GpuOperator extends pulumi.ComponentResource {
  readonly chart: k8s.helm.v4.Chart;
  /** The RuntimeClass GPU workloads may name (the operator creates it). */
  readonly runtimeClassName: string = NVIDIA_RUNTIME_CLASS;

  constructor(name: string, args: GpuOperatorArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:gpu:GpuOperator", name, {}, opts);
    if (args.gpuNodes.length === 0) {
      throw new Error(`GpuOperator "${name}": the inventory has no GPU nodes; construct it only when config.gpuNodes is not empty`);
    }
    const pin = charts.gpuOperator;
    this.chart = pinnedChart(`${name}-gpu-operator`, pin, {
      namespace: args.namespace.name,
      values: gpuOperatorValues({ gpuNodes: args.gpuNodes, settings: args.settings }),
    }, { parent: this, provider: args.provider });

    this.registerOutputs({ runtimeClassName: this.runtimeClassName });
  }
}

/**
 * The GPU operator when the inventory has GPU nodes, otherwise nothing (dev installs none of it).
 * `namespace` is `namespaces["gpu-operator"]`, which gpuNamespaces declares only for GPU stacks.
 */
export function gpuOperatorIfNeeded(
  name: string,
  args: Omit<GpuOperatorArgs, "namespace"> & { namespace: LabNamespace | undefined },
  opts?: pulumi.ComponentResourceOptions,
): GpuOperator | undefined {
  if (args.gpuNodes.length === 0) return undefined;
  if (!args.namespace) {
    throw new Error(`the inventory has GPU nodes but no "${GPU_NAMESPACE}" namespace; pass ...gpuNamespaces(config) to createNamespaces`);
  }
  return new GpuOperator(name, { ...args, namespace: args.namespace }, opts);
}

/**
 * The operator's namespace, only in stacks with GPU nodes. Privileged: the toolkit, device plugin
 * and validators mount host paths and run privileged on the GPU nodes. Prometheus may scrape the
 * DCGM exporter; nothing else connects in (node-feature-discovery talks through the API server).
 * Out: DNS and the API server only.
 */
export function gpuNamespaces(config: HomelabConfig): NamespaceSpec[] {
  const gpuNodes = config.gpuNodes.length;
  if (gpuNodes === 0) return [];
  // Per GPU node: toolkit, device plugin, feature discovery, DCGM exporter, validator, NFD worker,
  // MIG manager where supported, plus validation pods; cluster-wide: the operator, NFD master and gc,
  // and a chart Job.
  const pods = 6 + gpuNodes * 10;
  return [{
    name: GPU_NAMESPACE,
    podSecurity: "privileged",
    quota: {
      requestsCpu: `${pods * 100}m`,
      requestsMemory: `${pods * 128}Mi`,
      // The operands declare no limits; the namespace LimitRange gives each container 500m / 512Mi.
      limitsCpu: String(pods * 2),
      limitsMemory: `${pods * 2}Gi`,
      storage: "0",
      pods,
      // The operator's plugin validator requests one GPU per node while it runs.
      gpus: gpuNodes,
    },
    ingress: [{
      description: "Prometheus scrapes the DCGM exporter",
      podSelector: { app: "nvidia-dcgm-exporter" },
      fromNamespaces: ["monitoring"],
      ports: [DCGM_EXPORTER_PORT],
    }],
    // Drivers are preinstalled on the hosts, so nothing here downloads; the operands that run on the
    // host network (if any) are not limited by these rules.
    egress: [
      dnsEgress(),
      apiServerEgress("the operator, node feature discovery, the device plugin's config manager and the validators read and label nodes through the API server"),
    ],
  }];
}
