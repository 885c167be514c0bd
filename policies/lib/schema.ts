// A small JSON-schema subset: enough to validate a stack's pack config against each policy's
// configSchema (the engine validates the same schemas with a full implementation) and to fill in
// defaults, so offline runs see the config exactly as the pack does.
import { ConfigSchema, JsonSchema } from "./types";

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function typeMatches(expected: string, actual: string): boolean {
  return expected === actual || (expected === "number" && actual === "integer");
}

/** Every way `value` breaks `schema`, each as "path: problem". */
export function validateValue(value: unknown, schema: JsonSchema, path: string): string[] {
  const errors: string[] = [];
  const actual = typeOf(value);
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => typeMatches(t, actual))) return [`${path}: expected ${types.join(" or ")}, got ${actual}`];
  }
  if (schema.const !== undefined && JSON.stringify(schema.const) !== JSON.stringify(value)) errors.push(`${path}: expected ${JSON.stringify(schema.const)}`);
  if (schema.enum && !schema.enum.some((e) => JSON.stringify(e) === JSON.stringify(value))) {
    errors.push(`${path}: expected one of ${schema.enum.map((e) => JSON.stringify(e)).join(", ")}, got ${JSON.stringify(value)}`);
  }
  if (typeof value === "number") {
    if (schema.minimum !== undefined && value < schema.minimum) errors.push(`${path}: must be >= ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) errors.push(`${path}: must be <= ${schema.maximum}`);
  }
  if (typeof value === "string") {
    if (schema.minLength !== undefined && value.length < schema.minLength) errors.push(`${path}: must have at least ${schema.minLength} characters`);
    if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) errors.push(`${path}: must match ${schema.pattern}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) errors.push(`${path}: must have at least ${schema.minItems} items`);
    if (schema.items) value.forEach((item, i) => errors.push(...validateValue(item, schema.items!, `${path}[${i}]`)));
  }
  if (actual === "object") {
    const obj = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in obj)) errors.push(`${path}: missing required "${key}"`);
    for (const [key, v] of Object.entries(obj)) {
      const sub = schema.properties?.[key];
      if (sub) errors.push(...validateValue(v, sub, `${path}.${key}`));
      else if (schema.additionalProperties === false) errors.push(`${path}: unknown property "${key}"`);
      else if (typeof schema.additionalProperties === "object") errors.push(...validateValue(v, schema.additionalProperties, `${path}.${key}`));
    }
  }
  return errors;
}

/** Validates one policy's config (without enforcementLevel) against its configSchema. */
export function validatePolicyConfig(config: Record<string, unknown>, schema: ConfigSchema, path: string): string[] {
  return validateValue(config, { type: "object", properties: schema.properties, required: schema.required, additionalProperties: false }, path);
}

/** The config with every top-level default from the schema filled in. */
export function withDefaults<C>(config: Record<string, unknown>, schema: ConfigSchema): C {
  const out: Record<string, unknown> = {};
  for (const [key, prop] of Object.entries(schema.properties)) if (prop.default !== undefined) out[key] = structuredClone(prop.default);
  return { ...out, ...config } as C;
}
