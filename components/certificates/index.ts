// The certificates layer: cert-manager, which the database layer's Barman Cloud plugin uses (and
// other layers may). Pure builders live in values.ts and namespaces.ts; this file only wires them
// to resources.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { pinnedChart } from "../helm";
import type { LabNamespace } from "../namespaces";
import { podMonitor } from "../observability/monitors";
import { charts } from "../versions";
import { CERT_MANAGER_LABELS, CERT_MANAGER_NAMESPACE } from "./namespaces";
import { certManagerValues } from "./values";

export * from "./namespaces";
export * from "./values";

/** A component that created some of this layer's resources before it existed, by its name and type token. */
export interface FormerOwner {
  name: string;
  type: string;
}

export interface CertManagerArgs {
  provider: k8s.Provider;
  /** `cert-manager` (from certManagerNamespaces()). */
  namespace: LabNamespace;
  /** The Prometheus Operator CRDs, which the PodMonitor needs. */
  monitoringReady?: pulumi.Resource[];
  /**
   * Where the chart and its PodMonitor were registered before this layer existed: the database
   * layer's component. Aliases keep their identity, so an existing lab's release is neither
   * uninstalled nor installed again (a changed URN without an alias is a delete and a create).
   */
  formerOwner?: FormerOwner;
}

/** cert-manager, its CRDs and its PodMonitor. Depend on it before creating cert-manager objects. */
export class CertManager extends pulumi.ComponentResource {
  readonly chart: k8s.helm.v4.Chart;

  constructor(name: string, args: CertManagerArgs, opts?: pulumi.ComponentResourceOptions) {
    if (args.namespace.spec.name !== CERT_MANAGER_NAMESPACE) {
      throw new Error(`CertManager: namespace must be "${CERT_MANAGER_NAMESPACE}" (from certManagerNamespaces()), got "${args.namespace.spec.name}"`);
    }
    super("homelab:certificates:CertManager", name, {}, opts);
    const k8sOpts = { parent: this, provider: args.provider };
    const former = args.formerOwner;
    const formerParent = former ? pulumi.createUrn(former.name, former.type) : undefined;
    const formerly = (oldName: string): pulumi.Input<pulumi.Alias>[] => (formerParent ? [{ name: oldName, parent: formerParent }] : []);

    this.chart = pinnedChart(`${name}-chart`, charts.certManager, {
      release: "cert-manager", namespace: args.namespace.name, values: certManagerValues(CERT_MANAGER_NAMESPACE),
    }, { ...k8sOpts, aliases: formerly(`${former?.name}-cert-manager`) });

    const monitor = podMonitor("cert-manager", CERT_MANAGER_NAMESPACE, CERT_MANAGER_LABELS, "http-metrics");
    const meta = monitor.metadata as { name: string; labels: Record<string, string> };
    new k8s.apiextensions.CustomResource(`${name}-podmonitor`, {
      apiVersion: monitor.apiVersion as string,
      kind: monitor.kind as string,
      metadata: { ...meta, namespace: args.namespace.name },
      spec: monitor.spec as Record<string, unknown>,
    }, { ...k8sOpts, dependsOn: args.monitoringReady ?? [], aliases: formerly(`${former?.name}-podmonitor-cert-manager`) });

    this.registerOutputs({});
  }
}
