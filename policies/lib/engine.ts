// Runs the pack's policies on plain resources, outside the Pulumi engine: the offline plan and
// `npm run policy:check` use it. Config follows the CLI's rules: a policy's own entry wins over
// "all", which wins over the policy's default level.
import * as fs from "node:fs";
import { isKubernetes, kindOf, namespaceOf, objectName } from "./k8s";
import { validatePolicyConfig, withDefaults } from "./schema";
import { EnforcementLevel, EvaluationContext, HomelabPolicy, PlainResource, Violation } from "./types";

/** A pack config file: policy name (or "all") → a level, or `{ enforcementLevel?, ...settings }`. */
export type PackConfig = Record<string, unknown>;

const LEVELS: EnforcementLevel[] = ["advisory", "mandatory", "remediate", "disabled"];

export function isEnforcementLevel(value: unknown): value is EnforcementLevel {
  return typeof value === "string" && (LEVELS as string[]).includes(value);
}

/** The level and settings a policy runs with under a pack config. */
export function resolvePolicyConfig<C>(policy: HomelabPolicy<C>, pack: PackConfig): { level: EnforcementLevel; config: C } {
  const entry = pack[policy.name];
  const all = pack.all;
  let level: EnforcementLevel = policy.enforcementLevel;
  if (isEnforcementLevel(all)) level = all;
  let settings: Record<string, unknown> = {};
  if (isEnforcementLevel(entry)) level = entry;
  else if (entry !== null && typeof entry === "object") {
    const { enforcementLevel, ...rest } = entry as Record<string, unknown>;
    if (isEnforcementLevel(enforcementLevel)) level = enforcementLevel;
    settings = rest;
  }
  // A violation is never remediated here: the CLI downgrades "remediate" to "mandatory" for validations.
  if (level === "remediate") level = "mandatory";
  return { level, config: withDefaults<C>(settings, policy.configSchema) };
}

/** Every problem in a pack config: unknown policy names, bad levels, settings outside the schemas. */
export function validatePackConfig(policies: HomelabPolicy[], pack: PackConfig): string[] {
  const errors: string[] = [];
  const byName = new Map(policies.map((p) => [p.name, p]));
  for (const [name, entry] of Object.entries(pack)) {
    if (name === "$schema" || name === "$comment") continue;
    if (name === "all") {
      if (!isEnforcementLevel(entry)) errors.push(`all: expected an enforcement level (${LEVELS.join(", ")})`);
      continue;
    }
    const policy = byName.get(name);
    if (!policy) {
      errors.push(`${name}: no such policy in the pack`);
      continue;
    }
    if (isEnforcementLevel(entry)) continue;
    if (entry === null || typeof entry !== "object" || Array.isArray(entry)) {
      errors.push(`${name}: expected an enforcement level or an object`);
      continue;
    }
    const { enforcementLevel, ...settings } = entry as Record<string, unknown>;
    if (enforcementLevel !== undefined && !isEnforcementLevel(enforcementLevel)) errors.push(`${name}.enforcementLevel: expected one of ${LEVELS.join(", ")}`);
    errors.push(...validatePolicyConfig(settings, policy.configSchema, name));
  }
  return errors;
}

export class PackConfigError extends Error {}

/** Reads and validates a pack config file (`policies/config/<stack>.json`). */
export function loadPackConfig(file: string, policies: HomelabPolicy[]): PackConfig {
  let pack: PackConfig;
  try {
    pack = JSON.parse(fs.readFileSync(file, "utf8")) as PackConfig;
  } catch (err) {
    throw new PackConfigError(`${file}: ${(err as Error).message}`);
  }
  const errors = validatePackConfig(policies, pack);
  if (errors.length) throw new PackConfigError(`${file} does not match the pack's config schema:\n  ${errors.join("\n  ")}`);
  return pack;
}

function describeResource(r: PlainResource): Violation["resource"] {
  if (!isKubernetes(r)) return { type: r.type, name: r.name, urn: r.urn, ...(r.file ? { file: r.file } : {}) };
  return {
    type: r.type,
    name: objectName(r),
    urn: r.urn,
    kind: kindOf(r),
    namespace: namespaceOf(r),
    ...(r.file ? { file: r.file } : {}),
  };
}

/** Runs every enabled policy on the resources; violations come out in policy order, then resource order. */
export function evaluate(policies: HomelabPolicy[], resources: PlainResource[], pack: PackConfig, context: EvaluationContext): Violation[] {
  const violations: Violation[] = [];
  for (const policy of policies) {
    const { level, config } = resolvePolicyConfig(policy, pack);
    if (level === "disabled") continue;
    const base = { policy: policy.name, enforcementLevel: level, severity: policy.severity, pss: policy.pss ?? null };
    if (policy.scope === "resource") {
      for (const r of resources) {
        if (policy.types && !policy.types.includes(r.type)) continue;
        for (const message of policy.check(r, config, context)) violations.push({ ...base, message, resource: describeResource(r) });
      }
    } else {
      for (const f of policy.check(resources, config, context)) {
        violations.push({ ...base, message: f.message, ...(f.resource ? { resource: describeResource(f.resource) } : {}) });
      }
    }
  }
  return violations;
}

export function hasMandatory(violations: Violation[]): boolean {
  return violations.some((v) => v.enforcementLevel === "mandatory");
}

/** One line per violation, for humans. */
export function formatViolation(v: Violation): string {
  const r = v.resource;
  const where = r ? (r.kind ? `${r.kind} ${r.namespace ? `${r.namespace}/` : ""}${r.name}` : `${r.type} ${r.name}`) : "stack";
  const file = r?.file ? `${r.file}: ` : "";
  const pss = v.pss ? ` [PSS ${v.pss.level}: ${v.pss.check}]` : "";
  return `${file}${v.enforcementLevel.toUpperCase()} ${v.policy}${pss} — ${where}: ${v.message}`;
}
