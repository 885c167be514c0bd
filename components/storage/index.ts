// NFS storage: the csi-driver-nfs chart and the lab's three StorageClasses (general, postgres,
// backup). The NAS address and exports come from the secrets layer as one secret Output and stay
// secret in the StorageClass inputs; nothing about the NAS is written in git.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { HomelabConfig, StorageSettings } from "../config";
import type { LabNamespace, NamespaceSpec } from "../namespaces";
import { charts } from "../versions";
import { NfsClassKey, nfsClassSpecs, storageClassManifest } from "./classes";
import { csiDriverNfsValues } from "./values";
import { pinnedChart } from "../helm";

export * from "./classes";
export * from "./values";

/** The namespace the driver runs in. */
export const NFS_NAMESPACE = "nfs-csi";

/** What the secrets layer hands over (SecretsLayer.nfs). */
export interface NfsShares {
  server: string;
  shares: Record<NfsClassKey, string>;
}

export interface NfsStorageArgs {
  provider: k8s.Provider;
  namespace: LabNamespace;
  /** The NAS and its exports; treated as secret whether or not the caller marked it. */
  nfs: pulumi.Input<NfsShares>;
  settings: StorageSettings;
}

export class NfsStorage extends pulumi.ComponentResource {
  /** StorageClass names; each resolves once its class exists, so claims that use it wait for it. */
  readonly classes: Record<NfsClassKey, pulumi.Output<string>>;
  /** The driver's chart: depend on it before anything mounts an NFS volume. */
  readonly chart: k8s.helm.v4.Chart;

  constructor(name: string, args: NfsStorageArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:storage:NfsStorage", name, {}, opts);
    const childOpts = { parent: this, provider: args.provider };
    const pin = charts.csiDriverNfs;

    this.chart = pinnedChart(`${name}-csi-driver-nfs`, pin, {
      namespace: args.namespace.name,
      values: csiDriverNfsValues(),
    }, childOpts);

    const nfs = pulumi.secret(pulumi.output(args.nfs));
    const classes = {} as Record<NfsClassKey, pulumi.Output<string>>;
    for (const spec of nfsClassSpecs(args.settings)) {
      const body = storageClassManifest(spec, {
        server: nfs.apply((n) => n.server),
        share: nfs.apply((n) => n.shares[spec.key]),
      });
      // Not protected: a StorageClass holds no data, and deleting one leaves its volumes alone.
      // The data's safety lives in the class itself (Retain / archive, see classes.ts).
      const storageClass = new k8s.storage.v1.StorageClass(`${name}-${spec.name}`, body, {
        ...childOpts,
        dependsOn: [this.chart],
        // Parameters are immutable and the name is fixed: a change must delete the old class first.
        deleteBeforeReplace: true,
      });
      classes[spec.key] = storageClass.metadata.name;
    }
    this.classes = classes;

    this.registerOutputs({ classes: this.classes });
  }
}

/**
 * The driver's namespace. Privileged: the node plugin mounts NFS into the kubelet's directories
 * from a privileged, host-network container. No ingress or egress rules: both pods use the host
 * network (NetworkPolicy does not apply to them; they reach the NAS and the API server from the
 * node's own address) and expose no metrics, only localhost health ports. The default-deny
 * policies still fence any pod-network pod that lands here.
 */
export function storageNamespaces(config: HomelabConfig): NamespaceSpec[] {
  // One node-plugin pod per node, the controller, and room for a rolling update.
  const pods = config.nodes.length + 3;
  return [{
    name: NFS_NAMESPACE,
    podSecurity: "privileged",
    quota: {
      requestsCpu: `${pods * 100}m`,
      requestsMemory: `${pods * 128}Mi`,
      // The chart sets memory limits but no CPU limits; the namespace LimitRange fills in 500m per
      // container (up to four per pod).
      limitsCpu: String(pods * 2),
      limitsMemory: `${pods * 1280}Mi`,
      storage: "0",
      pods,
    },
    ingress: [],
    egress: [],
  }];
}
