// LabNamespace: the one way a layer gets a namespace. Each comes with its Pod Security level,
// quota, limits, default-deny ingress plus the allow rules the layer declares, and, where the
// program runs its own workloads, their service account. The policy pack reads the PSA label to
// know what it enforces there.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  allowIngressSpec,
  defaultDenySpec,
  limitRangeSpec,
  namespaceLabels,
  NamespaceSpec,
  quotaSpec,
  ruleName,
} from "./manifests";

export * from "./manifests";

export interface LabNamespaceArgs {
  spec: NamespaceSpec;
  provider: k8s.Provider;
}

export class LabNamespace extends pulumi.ComponentResource {
  /** The namespace's name, resolved only once the Namespace exists (use it to order children). */
  readonly name: pulumi.Output<string>;
  /** The service account of the program's own workloads (only with spec.workloadServiceAccount). */
  readonly serviceAccountName?: pulumi.Output<string>;
  readonly spec: NamespaceSpec;

  constructor(name: string, args: LabNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:namespaces:LabNamespace", name, {}, opts);
    const { spec, provider } = args;
    this.spec = spec;
    const childOpts = { parent: this, provider };

    const namespace = new k8s.core.v1.Namespace(name, {
      metadata: { name: spec.name, labels: namespaceLabels(spec) },
    }, childOpts);
    this.name = namespace.metadata.name;
    const metadata = (suffix: string) => ({ name: suffix, namespace: this.name });

    new k8s.core.v1.ResourceQuota(`${name}-quota`, { metadata: metadata("quota"), spec: quotaSpec(spec.quota) }, childOpts);
    new k8s.core.v1.LimitRange(`${name}-limits`, { metadata: metadata("defaults"), spec: limitRangeSpec() }, childOpts);
    new k8s.networking.v1.NetworkPolicy(`${name}-default-deny`, {
      metadata: metadata("default-deny-ingress"),
      spec: defaultDenySpec(),
    }, childOpts);
    for (const rule of spec.ingress) {
      const policyName = ruleName(rule);
      new k8s.networking.v1.NetworkPolicy(`${name}-${policyName}`, {
        metadata: { ...metadata(policyName), annotations: { "homelab.dev/why": rule.description } },
        spec: allowIngressSpec(rule),
      }, childOpts);
    }
    if (spec.workloadServiceAccount) {
      const account = new k8s.core.v1.ServiceAccount(`${name}-sa`, {
        metadata: metadata(spec.name),
        automountServiceAccountToken: false,
      }, childOpts);
      this.serviceAccountName = account.metadata.name;
    }

    this.registerOutputs({ name: this.name, serviceAccountName: this.serviceAccountName });
  }
}

/** Creates every namespace of the lab, keyed by namespace name; refuses duplicate specs. */
export function createNamespaces(provider: k8s.Provider, specs: NamespaceSpec[], opts?: pulumi.ComponentResourceOptions): Record<string, LabNamespace> {
  const namespaces: Record<string, LabNamespace> = {};
  for (const spec of specs) {
    if (namespaces[spec.name]) throw new Error(`namespace "${spec.name}" is declared twice; one layer must own it`);
    namespaces[spec.name] = new LabNamespace(spec.name, { spec, provider }, opts);
  }
  return namespaces;
}
