// Checks custom resources against a checked-in list of a CRD version's fields (one per line:
// `<path> <type>[ <enum values joined by |>]`, `[]` for list items, `*` for open maps). The lists
// are derived from the pinned CRDs with `crdFieldList` (see tools/crd-fields.ts); the CRDs
// themselves are not in this repository. A field the CRD does not have is pruned silently by the
// API server, so a misspelt one fails a unit test here instead.
import * as fs from "node:fs";
import * as YAML from "yaml";

interface Schema {
  type?: string;
  enum?: unknown[];
  properties?: Record<string, Schema>;
  items?: Schema;
  additionalProperties?: Schema | boolean;
  "x-kubernetes-preserve-unknown-fields"?: boolean;
  "x-kubernetes-int-or-string"?: boolean;
}

/** Every field path of one kind's served version, as lines of a field list. */
export function crdFieldList(crdYaml: string, kind: string, version: string): string[] {
  const docs = YAML.parseAllDocuments(crdYaml.replace(/^\{\{.*\}\}\s*$/gm, "")).map((d) => d.toJSON()).filter(Boolean);
  const crd = docs.find((d) => d.kind === "CustomResourceDefinition" && d.spec?.names?.kind === kind);
  if (!crd) throw new Error(`no CRD for kind ${kind}`);
  const served = crd.spec.versions.find((v: { name: string }) => v.name === version);
  if (!served) throw new Error(`CRD ${kind} has no version ${version}`);
  const lines: string[] = [];
  const walk = (schema: Schema, path: string) => {
    const type = schema["x-kubernetes-int-or-string"] ? "int-or-string" : schema.type ?? "any";
    if (path) lines.push([path, type, ...(schema.enum ? [schema.enum.join("|")] : [])].join(" "));
    if (schema["x-kubernetes-preserve-unknown-fields"] || typeof schema.additionalProperties === "object" || schema.additionalProperties === true) {
      lines.push(`${path}.* any`);
    }
    for (const [key, child] of Object.entries(schema.properties ?? {})) walk(child, path ? `${path}.${key}` : key);
    if (schema.items) walk(schema.items, `${path}[]`);
  };
  walk(served.schema.openAPIV3Schema, "");
  return lines;
}

export interface FieldSpec {
  type: string;
  enum?: string[];
}

export function readFieldList(file: string): Map<string, FieldSpec> {
  const fields = new Map<string, FieldSpec>();
  for (const line of fs.readFileSync(file, "utf8").split("\n")) {
    if (!line.trim() || line.startsWith("#")) continue;
    const [path, type, enums] = line.split(" ");
    fields.set(path, { type, ...(enums ? { enum: enums.split("|") } : {}) });
  }
  return fields;
}

function typeOf(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (value === null) return "null";
  if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
  return typeof value;
}

function typeMatches(declared: string, value: unknown): boolean {
  const actual = typeOf(value);
  if (declared === "any") return true;
  if (declared === "int-or-string") return actual === "integer" || actual === "string";
  if (declared === "number") return actual === "number" || actual === "integer";
  return declared === actual;
}

/** Every field of `object` (an object's top level: apiVersion, kind, metadata, spec) the list lacks or mistypes. */
export function crdViolations(object: unknown, fields: Map<string, FieldSpec>, prefix = ""): string[] {
  const problems: string[] = [];
  if (object === null || typeof object !== "object") return problems;
  const entries: [string, unknown][] = Array.isArray(object)
    ? object.map((item) => [`${prefix}[]`, item])
    : Object.entries(object).map(([key, value]) => [prefix ? `${prefix}.${key}` : key, value]);
  for (const [path, value] of entries) {
    // Object metadata is the API server's own (the CRD schema says only "object").
    if (path === "metadata") continue;
    if (fields.has(`${prefix}.*`) && !fields.has(path)) continue;
    const spec = fields.get(path);
    if (!spec) {
      problems.push(`${path}: not a field of the CRD`);
      continue;
    }
    if (!typeMatches(spec.type, value)) problems.push(`${path}: expected ${spec.type}, got ${typeOf(value)}`);
    else if (spec.enum && !spec.enum.includes(String(value))) problems.push(`${path}: expected one of ${spec.enum.join(", ")}, got ${String(value)}`);
    else if (spec.type === "object" || spec.type === "array" || spec.type === "any") problems.push(...crdViolations(value, fields, path));
  }
  return problems;
}
