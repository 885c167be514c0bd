// Stack-wide: every resource names its provider. Default providers read ambient credentials (a
// kubeconfig, an AWS profile) and could deploy to the wrong cluster or account.
import { exemptionsSchema, isExempt } from "./lib/k8s";
import { Exemption, HomelabPolicy, PlainResource, ResourcePolicy } from "./lib/types";

/** Resources that are not deployed through a provider of their own. */
function needsProvider(r: PlainResource): boolean {
  if (r.type.startsWith("pulumi:")) return false; // the stack itself, providers
  if (r.custom === false) return r.type === "kubernetes:helm.sh/v4:Chart" || r.type.startsWith("kubernetes:kustomize") || r.type.startsWith("kubernetes:yaml/v2");
  return true;
}

/** Why a resource uses a default provider, or undefined when it names one explicitly. */
export function defaultProviderProblem(r: PlainResource): string | undefined {
  if (!needsProvider(r)) return undefined;
  const provider = r.provider;
  if (provider === undefined || provider === "") {
    // The engine reports a provider for every custom resource; a missing one (offline plan) means no explicit provider.
    return r.custom === undefined ? undefined : "no explicit provider: the engine would use a default provider";
  }
  const match = /^(.*::default(?:_[0-9_]+)?)(?:::|$)/.exec(provider);
  if (match) return `uses the default provider (${match[1]})`;
  return undefined;
}

export interface ProvidersConfig {
  exemptions: Exemption[];
}

export const explicitProviderPolicy: ResourcePolicy<ProvidersConfig> = {
  scope: "resource",
  name: "no-default-provider",
  description: "No resource uses a default provider: every Kubernetes and AWS resource takes the stack's explicit provider.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Pass { provider } (k8s: the cluster's provider; AWS: the stack's aws.Provider) in the resource options, or { parent } of a component that was given providers; keep pulumi:disable-default-providers set.",
  tags: ["stack"],
  configSchema: { properties: { exemptions: exemptionsSchema } },
  check(r, config, context) {
    if (context.source === "manifests" || isExempt(r, config.exemptions)) return [];
    const problem = defaultProviderProblem(r);
    return problem ? [problem] : [];
  },
};

export const providerPolicies: HomelabPolicy[] = [explicitProviderPolicy];
