// Exposure and data: Services reachable from outside the cluster only where the stack declares
// them, no literal Secret data except declared bootstrap credentials, and every namespace that
// runs workloads fenced by default-deny NetworkPolicies (ingress and egress) and a ResourceQuota.
import { asArray, asObject, exemptionsSchema, isExempt, isObject, isWorkload, knownString, namespaceOf, objectName } from "./lib/k8s";
import { isNamespace } from "./lib/pss";
import { Exemption, Finding, HomelabPolicy, PlainResource, ResourcePolicy, StackPolicy } from "./lib/types";

export interface ServiceExposureConfig {
  allowed: (Exemption & { singleHosts?: boolean })[];
}

const EXPOSED_TYPES = ["LoadBalancer", "NodePort"];

/** The annotation on which a Service states the networks its NetworkPolicy admits (components/ai). */
export const EXPOSURE_CIDRS_ANNOTATION = "homelab.dev/exposure-allowed-cidrs";

/** A network of exactly one address (/32, or /128 for IPv6). */
export function isSingleHost(cidr: string): boolean {
  const match = /^([^/]+)\/(\d+)$/.exec(cidr.trim());
  if (!match) return false;
  return match[1].includes(":") ? match[2] === "128" : match[2] === "32";
}

export const serviceExposurePolicy: ResourcePolicy<ServiceExposureConfig> = {
  scope: "resource",
  name: "service-exposure",
  description: "No LoadBalancer or NodePort Service unless the stack declares it (namespace/name and a reason in the pack config).",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Use a ClusterIP Service; if LAN exposure is deliberate (e.g. the Wyoming services for Home Assistant), add { namespace, name, reason } to service-exposure.allowed in policies/config/<stack>.json (with singleHosts: true for a service without authentication, such as Ollama).",
  tags: ["kubernetes", "network"],
  types: ["kubernetes:core/v1:Service"],
  configSchema: {
    properties: {
      allowed: {
        ...exemptionsSchema,
        description: "Services allowed to be LoadBalancer or NodePort; singleHosts: the Service may admit single hosts only (a service without authentication).",
        items: {
          ...exemptionsSchema.items,
          properties: { ...exemptionsSchema.items.properties, singleHosts: { type: "boolean", description: "Only /32 (or /128) networks may be admitted" } },
        },
      },
    },
  },
  check(r, config) {
    const type = knownString(asObject(r.props.spec).type);
    if (!type || !EXPOSED_TYPES.includes(type)) return [];
    const name = `${namespaceOf(r) ?? "(no namespace)"}/${objectName(r)}`;
    const entries = config.allowed.filter((e) => isExempt(r, [e]));
    if (entries.length === 0) return [`Service "${name}" is ${type}, which is not declared in service-exposure.allowed`];
    if (!entries.some((e) => e.singleHosts)) return [];
    // A declared service without authentication: every admitted network must be one host.
    const annotation = knownString(asObject(asObject(r.props.metadata).annotations)[EXPOSURE_CIDRS_ANNOTATION]);
    const cidrs = (annotation ?? "").split(",").map((c) => c.trim()).filter(Boolean);
    const wide = cidrs.filter((c) => !isSingleHost(c));
    if (cidrs.length === 0) return [`Service "${name}" may admit single hosts only, but it does not list them in ${EXPOSURE_CIDRS_ANNOTATION}`];
    if (wide.length > 0) return [`Service "${name}" may admit single hosts only (it has no authentication), but admits ${wide.join(", ")}; list each client as a /32`];
    return [];
  },
};

export interface SecretDataConfig {
  bootstrapSecrets: Exemption[];
  configSecrets: Exemption[];
}

/** The keys a Secret carries as literal values in the program or manifest. */
export function literalSecretKeys(props: Record<string, unknown>): string[] {
  const keys: string[] = [];
  for (const field of ["data", "stringData"]) {
    const value = props[field];
    if (isObject(value)) keys.push(...Object.keys(value).map((k) => `${field}.${k}`));
    else if (value != null) keys.push(field); // a whole map that is secret or unknown still holds literal data
  }
  return keys;
}

export const secretLiteralDataPolicy: ResourcePolicy<SecretDataConfig> = {
  scope: "resource",
  name: "secret-literal-data",
  description: "Kubernetes Secrets carry no literal data: credentials come from AWS Secrets Manager through External Secrets, except the declared bootstrap credentials.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Store the value in AWS Secrets Manager and sync it with an ExternalSecret; a credential needed before External Secrets runs goes in secret-literal-data.bootstrapSecrets with a reason, and a chart's configuration Secret that holds no credential in configSecrets.",
  tags: ["kubernetes", "secrets"],
  types: ["kubernetes:core/v1:Secret"],
  configSchema: {
    properties: {
      bootstrapSecrets: { ...exemptionsSchema, description: "Secrets allowed to hold literal data (bootstrap credentials)." },
      configSecrets: { ...exemptionsSchema, description: "Secrets a chart renders with configuration that holds no credential (e.g. Alertmanager's routing), each with why." },
    },
  },
  check(r, config) {
    const keys = literalSecretKeys(r.props);
    if (!keys.length || isExempt(r, config.bootstrapSecrets) || isExempt(r, config.configSecrets)) return [];
    return [`Secret "${namespaceOf(r) ?? "(no namespace)"}/${objectName(r)}" holds literal data (${keys.join(", ")}) and is not a declared bootstrap secret`];
  },
};

/** Whether a NetworkPolicy selects every pod of its namespace. */
function selectsAllPods(spec: Record<string, unknown>): boolean {
  const selector = spec.podSelector;
  if (!isObject(selector)) return false;
  return Object.keys(asObject(selector.matchLabels)).length === 0 && asArray(selector.matchExpressions).length === 0;
}

/** A NetworkPolicy that selects every pod and allows no ingress. */
export function isDefaultDenyIngress(props: Record<string, unknown>): boolean {
  const spec = asObject(props.spec);
  const types = asArray(spec.policyTypes);
  // Without policyTypes, a policy governs ingress (and egress only if it has egress rules).
  const coversIngress = types.includes("Ingress") || (types.length === 0 && spec.egress == null);
  return selectsAllPods(spec) && coversIngress && asArray(spec.ingress).length === 0;
}

/**
 * A NetworkPolicy that selects every pod and allows no egress. Egress must be named in policyTypes:
 * a policy without them governs egress only when it lists egress rules, which then allow something.
 */
export function isDefaultDenyEgress(props: Record<string, unknown>): boolean {
  const spec = asObject(props.spec);
  return selectsAllPods(spec) && asArray(spec.policyTypes).includes("Egress") && asArray(spec.egress).length === 0;
}

export interface IsolationConfig {
  exemptNamespaces: { name: string; reason: string }[];
}

export const namespaceIsolationPolicy: StackPolicy<IsolationConfig> = {
  scope: "stack",
  name: "namespace-isolation",
  description: "Every namespace that runs workloads has default-deny ingress and egress NetworkPolicies (one policy may deny both) and a ResourceQuota (the shared LabNamespace builder creates them).",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Create the namespace with the shared LabNamespace builder (components/namespaces), or add NetworkPolicies with podSelector: {} and policyTypes [Ingress] and [Egress] (or one with both) and no rules, and a ResourceQuota.",
  tags: ["kubernetes", "network", "multi-tenancy"],
  configSchema: {
    properties: {
      exemptNamespaces: {
        type: "array",
        default: [],
        description: "Namespaces that run workloads without this fence, each with a reason.",
        items: {
          type: "object",
          properties: { name: { type: "string", minLength: 1 }, reason: { type: "string", minLength: 10 } },
          required: ["name", "reason"],
          additionalProperties: false,
        },
      },
    },
  },
  check(resources, config, context) {
    // A set of manifests is a partial view: judge only namespaces whose Namespace object it holds.
    const defined = new Set(resources.filter(isNamespace).map(objectName));
    const inScope = (ns: string) => context.source === "stack" || defined.has(ns);
    const firstWorkload = new Map<string, PlainResource>();
    for (const r of resources) {
      if (!isWorkload(r)) continue;
      const ns = namespaceOf(r) ?? (context.source === "stack" ? "default" : undefined);
      if (ns !== undefined && inScope(ns) && !firstWorkload.has(ns)) firstWorkload.set(ns, r);
    }
    const findings: Finding[] = [];
    for (const [ns, workload] of firstWorkload) {
      if (config.exemptNamespaces.some((e) => e.name === ns)) continue;
      const inNs = (type: string) => resources.filter((r) => r.type === type && namespaceOf(r) === ns);
      const missing: string[] = [];
      const policies = inNs("kubernetes:networking.k8s.io/v1:NetworkPolicy");
      if (!policies.some((np) => isDefaultDenyIngress(np.props))) missing.push("a default-deny ingress NetworkPolicy");
      if (!policies.some((np) => isDefaultDenyEgress(np.props))) missing.push("a default-deny egress NetworkPolicy");
      if (!inNs("kubernetes:core/v1:ResourceQuota").length) missing.push("a ResourceQuota");
      if (missing.length) {
        const target = resources.find((r) => isNamespace(r) && objectName(r) === ns) ?? workload;
        const list = missing.length > 1 ? `${missing.slice(0, -1).join(", ")} and ${missing[missing.length - 1]}` : missing[0];
        findings.push({ resource: target, message: `namespace "${ns}" runs workloads but lacks ${list}` });
      }
    }
    return findings;
  },
};

export const exposurePolicies: HomelabPolicy[] = [serviceExposurePolicy, secretLiteralDataPolicy, namespaceIsolationPolicy];
