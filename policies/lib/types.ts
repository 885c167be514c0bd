// The plain shapes every policy works on. The same evaluation code runs inside the CrossGuard pack
// (resources from the engine), on the offline plan (resources from the mock runtime) and on
// Kubernetes YAML files, so nothing here depends on @pulumi/policy at runtime.

export type EnforcementLevel = "advisory" | "mandatory" | "remediate" | "disabled";
export type Severity = "low" | "medium" | "high" | "critical";
export type PodSecurityLevel = "privileged" | "baseline" | "restricted";

/** What the plan and the pack print for a value that is not known before the update. */
export const UNKNOWN = "[unknown]";
/** What the offline plan shows in place of a secret value. */
export const SECRET = "[secret]";

/** One resource, as plain data. */
export interface PlainResource {
  /** Pulumi type token, e.g. `kubernetes:apps/v1:Deployment` (manifests are mapped to the same tokens). */
  type: string;
  /** Pulumi resource name (for a manifest: its metadata.name). */
  name: string;
  urn: string;
  /** Inputs (resource policies, plan) or outputs (stack policies); unknowns are "[unknown]". */
  props: Record<string, unknown>;
  /** True for custom resources; false for components; undefined when the source cannot tell. */
  custom?: boolean;
  /** The provider reference (`urn::id` or just a URN); undefined when none was given. */
  provider?: string;
  parent?: string;
  dependencies?: string[];
  /** Input name → URNs it depends on. */
  propertyDependencies?: Record<string, string[]>;
  /** Dotted input paths that are secret; only the offline plan knows them (the pack sees plain values). */
  secretPaths?: string[];
  /** The manifest file it came from (policy:check only). */
  file?: string;
}

/** Where the resources come from: it decides what a policy can know. */
export interface EvaluationContext {
  /**
   * "stack": every resource of a stack (the pack's stack policies, the offline plan);
   * "manifests": a set of YAML files, possibly a partial view of a cluster.
   */
  source: "stack" | "manifests";
}

/** A failed check on one resource (or the whole stack when `resource` is absent). */
export interface Finding {
  message: string;
  resource?: PlainResource;
}

/** An exemption declared in a stack's pack config; it always says why. */
export interface Exemption {
  /** Kubernetes namespace (k8s resources only). */
  namespace?: string;
  /** metadata.name for Kubernetes objects, or the Pulumi resource name; a trailing `*` matches a prefix. */
  name?: string;
  /** Kubernetes kind (Deployment, Service, ...) or a Pulumi type token. */
  kind?: string;
  reason: string;
}

export interface JsonSchema {
  type?: string | string[];
  description?: string;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  pattern?: string;
  items?: JsonSchema;
  minItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
}

export interface ConfigSchema {
  properties: Record<string, JsonSchema>;
  required?: string[];
}

interface PolicyBase<C> {
  name: string;
  description: string;
  enforcementLevel: EnforcementLevel;
  severity: Severity;
  remediationSteps: string;
  configSchema: ConfigSchema;
  /** Compliance framework metadata; PSS checks name the upstream check ID in `specification`. */
  framework?: { name: string; version: string; reference: string; specification: string };
  /** For Pod Security Standards checks: the check's own level and upstream ID. */
  pss?: { level: "baseline" | "restricted"; check: string };
  tags?: string[];
  /** Only for typing: the config object this policy reads (schema defaults applied). */
  readonly __config?: C;
}

/** A policy that looks at one resource at a time (its inputs). */
export interface ResourcePolicy<C = Record<string, unknown>> extends PolicyBase<C> {
  scope: "resource";
  /** Pulumi type tokens this policy looks at; undefined means every resource. */
  types?: string[];
  check(resource: PlainResource, config: C, context: EvaluationContext): string[];
}

/** A policy that needs the whole picture (other resources in the stack). */
export interface StackPolicy<C = Record<string, unknown>> extends PolicyBase<C> {
  scope: "stack";
  check(resources: PlainResource[], config: C, context: EvaluationContext): Finding[];
}

export type HomelabPolicy<C = any> = ResourcePolicy<C> | StackPolicy<C>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** One reported violation, as the CLIs print it. */
export interface Violation {
  policy: string;
  enforcementLevel: EnforcementLevel;
  severity: Severity;
  message: string;
  pss: { level: "baseline" | "restricted"; check: string } | null;
  resource?: { type: string; name: string; urn: string; kind?: string; namespace?: string; file?: string };
}
