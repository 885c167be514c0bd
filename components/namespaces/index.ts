// LabNamespace: the one way a layer gets a namespace. Each comes with its Pod Security level,
// quota, limits, default-deny ingress and egress plus the allow rules the layer declares, and,
// where the program runs its own workloads, their service account. The policy pack reads the PSA
// label to know what it enforces there, and requires both default-deny policies.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { counterpartEgress } from "./egress";
import {
  allowEgressSpec,
  allowIngressSpec,
  defaultDenyEgressSpec,
  defaultDenySpec,
  egressRuleName,
  HostNetworks,
  limitRangeSpec,
  namespaceLabels,
  NamespaceSpec,
  quotaSpec,
  ruleName,
} from "./manifests";

export * from "./egress";
export * from "./manifests";

export interface LabNamespaceArgs {
  spec: NamespaceSpec;
  provider: k8s.Provider;
  /** Where the API server, the nodes and the internet are (hostNetworks(config)). */
  networks: HostNetworks;
}

export class LabNamespace extends pulumi.ComponentResource {
  /** The namespace's name, resolved only once the Namespace exists (use it to order children). */
  readonly name: pulumi.Output<string>;
  /** The service account of the program's own workloads (only with spec.workloadServiceAccount). */
  readonly serviceAccountName?: pulumi.Output<string>;
  readonly spec: NamespaceSpec;

  constructor(name: string, args: LabNamespaceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:namespaces:LabNamespace", name, {}, opts);
    const { spec, provider, networks } = args;
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
    // A policy of its own rather than Egress added to the ingress one: labs deployed before egress
    // control keep that object exactly as it is, and this one is only created.
    new k8s.networking.v1.NetworkPolicy(`${name}-default-deny-egress`, {
      metadata: metadata("default-deny-egress"),
      spec: defaultDenyEgressSpec(),
    }, childOpts);
    const policyNames = new Set(["default-deny-ingress", "default-deny-egress"]);
    const unique = (policyName: string) => {
      if (policyNames.has(policyName)) {
        throw new Error(`namespace "${spec.name}": two network rules are both named "${policyName}"; give one of them another description (or name)`);
      }
      policyNames.add(policyName);
      return policyName;
    };
    for (const rule of spec.ingress) {
      const policyName = unique(ruleName(rule));
      new k8s.networking.v1.NetworkPolicy(`${name}-${policyName}`, {
        metadata: { ...metadata(policyName), annotations: { "homelab.dev/why": rule.description } },
        spec: allowIngressSpec(rule),
      }, childOpts);
    }
    for (const rule of spec.egress) {
      const policyName = unique(egressRuleName(rule));
      const annotations: Record<string, string> = { "homelab.dev/why": rule.description };
      if (rule.counterpartOf) annotations["homelab.dev/counterpart-of"] = rule.counterpartOf;
      new k8s.networking.v1.NetworkPolicy(`${name}-${policyName}`, {
        metadata: { ...metadata(policyName), annotations },
        spec: allowEgressSpec(rule, networks),
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

/**
 * Creates every namespace of the lab, keyed by namespace name; refuses duplicate specs. Each
 * namespace also gets the egress counterpart of the ingress paths the others declare for it.
 */
export function createNamespaces(
  provider: k8s.Provider,
  specs: NamespaceSpec[],
  networks: HostNetworks,
  opts?: pulumi.ComponentResourceOptions,
): Record<string, LabNamespace> {
  const seen = new Set<string>();
  for (const spec of specs) {
    if (seen.has(spec.name)) throw new Error(`namespace "${spec.name}" is declared twice; one layer must own it`);
    seen.add(spec.name);
  }
  const namespaces: Record<string, LabNamespace> = {};
  for (const spec of counterpartEgress(specs)) {
    namespaces[spec.name] = new LabNamespace(spec.name, { spec, provider, networks }, opts);
  }
  return namespaces;
}
