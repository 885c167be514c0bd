// Serves the pure policies through @pulumi/policy: converts the engine's resources (proxied, with
// unknown sentinels) into plain objects, applies config defaults, and reports findings. Only this
// file and index.ts depend on the policy SDK at runtime.
import type { PolicyConfigSchema, ReportViolation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { withDefaults } from "./schema";
import { HomelabPolicy, PlainResource, UNKNOWN } from "./types";

// The SDK's sentinels for values not known during preview (internal, but part of the wire protocol).
const proxyModule = require("@pulumi/policy/proxy") as Record<string, unknown>; // eslint-disable-line @typescript-eslint/no-require-imports
const UNKNOWN_SENTINELS = new Set(
  Object.entries(proxyModule).filter(([k, v]) => k.startsWith("unknown") && k.endsWith("Value") && typeof v === "string").map(([, v]) => v as string),
);
const PROXY_TARGET = "__getSpecialProxyTarget";

/** A deep, plain copy of engine props: proxies unwrapped, unknown values replaced by "[unknown]". */
export function plainProps(value: unknown): any { // eslint-disable-line @typescript-eslint/no-explicit-any
  if (typeof value === "string") return UNKNOWN_SENTINELS.has(value) ? UNKNOWN : value;
  if (value === null || typeof value !== "object") return value;
  const target = (value as Record<string, unknown>)[PROXY_TARGET] ?? value;
  if (Array.isArray(target)) return target.map(plainProps);
  if (target.constructor !== Object && target.constructor !== undefined) return target; // assets, archives
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(target as object)) out[key] = plainProps((target as Record<string, unknown>)[key]);
  return out;
}

function metadata(policy: HomelabPolicy) {
  return {
    name: policy.name,
    description: policy.description,
    enforcementLevel: policy.enforcementLevel,
    severity: policy.severity,
    remediationSteps: policy.remediationSteps,
    configSchema: policy.configSchema as PolicyConfigSchema,
    ...(policy.framework ? { framework: policy.framework } : {}),
    ...(policy.tags ? { tags: policy.tags } : {}),
  };
}

/** The @pulumi/policy form of one homelab policy. */
export function toPackPolicy(policy: HomelabPolicy): ResourceValidationPolicy | StackValidationPolicy {
  if (policy.scope === "resource") {
    return {
      ...metadata(policy),
      validateResource: (args, reportViolation: ReportViolation) => {
        if (policy.types && !policy.types.includes(args.type)) return;
        const resource: PlainResource = {
          type: args.type,
          name: args.name,
          urn: args.urn,
          props: plainProps(args.props),
          provider: args.provider?.urn,
          parent: args.opts.parent,
        };
        const config = withDefaults(plainProps(args.getConfig()), policy.configSchema);
        for (const message of policy.check(resource, config, { source: "stack" })) reportViolation(message);
      },
    };
  }
  return {
    ...metadata(policy),
    validateStack: (args, reportViolation: ReportViolation) => {
      const resources: PlainResource[] = args.resources.map((r) => ({
        type: r.type,
        name: r.name,
        urn: r.urn,
        props: plainProps(r.props),
        provider: r.provider?.urn,
        parent: r.parent?.urn,
        dependencies: r.dependencies.map((d) => d.urn),
        propertyDependencies: Object.fromEntries(Object.entries(r.propertyDependencies).map(([k, deps]) => [k, deps.map((d) => d.urn)])),
      }));
      const config = withDefaults(plainProps(args.getConfig()), policy.configSchema);
      for (const f of policy.check(resources, config, { source: "stack" })) reportViolation(f.message, f.resource?.urn);
    },
  };
}
