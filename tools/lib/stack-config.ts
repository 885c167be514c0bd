// Reads a stack's configuration the way the Pulumi CLI does (Pulumi.yaml, then Pulumi.<stack>.yaml,
// then `config set` overrides), without the CLI: encrypted and absent secrets become deterministic
// placeholders, so a plan needs neither the stack's passphrase nor a cloud account. An absent
// secret gets one when the stack must set it: it has no default, or the stack's settings require
// it (requiredSecretKeys, e.g. the SSH key unless homelab:ssh.agent); an optional one stays unset.
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { HomelabSchema, parseSettings, requiredSecretKeys } from "../../components/config";

export interface ProjectFile {
  name: string;
  /** Keys declared in Pulumi.yaml's `config:` block (already namespaced), with their settings. */
  config: Record<string, { type?: string; description?: string; secret?: boolean; default?: unknown; value?: unknown }>;
}

export interface StackConfig {
  project: string;
  stack: string;
  /** Namespaced key → value as the runtime expects it: strings as-is, everything else as JSON. */
  values: Record<string, string>;
  secretKeys: string[];
  /** Secret keys that got a placeholder because they were encrypted or absent. */
  placeholders: string[];
}

export interface Override {
  key: string;
  value: string;
  secret: boolean;
}

export class StackConfigError extends Error {}

export function readProjectFile(root: string): ProjectFile {
  const file = path.join(root, "Pulumi.yaml");
  const doc = YAML.parse(fs.readFileSync(file, "utf8")) as { name?: string; config?: ProjectFile["config"] };
  if (!doc?.name) throw new StackConfigError(`${file}: no project name`);
  const config: ProjectFile["config"] = {};
  for (const [key, spec] of Object.entries(doc.config ?? {})) {
    config[key.includes(":") ? key : `${doc.name}:${key}`] = spec ?? {};
  }
  return { name: doc.name, config };
}

/** The placeholder a plan uses for a secret it cannot (or must not) decrypt. */
export function placeholderFor(key: string): string {
  return `plan-placeholder-${key.replace(/[^A-Za-z0-9]+/g, "-")}`;
}

/** Qualifies a bare key with the project namespace, as `pulumi config set` does. */
export function qualify(project: string, key: string): string {
  return key.includes(":") ? key : `${project}:${key}`;
}

export function parseOverride(spec: string, secret: boolean): Override {
  const eq = spec.indexOf("=");
  if (eq <= 0) throw new StackConfigError(`expected KEY=VALUE, got "${spec}"`);
  return { key: spec.slice(0, eq), value: spec.slice(eq + 1), secret };
}

export function loadStackConfig(root: string, stack: string, configFile?: string, overrides: Override[] = []): StackConfig {
  const project = readProjectFile(root);
  const file = configFile ?? path.join(root, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) throw new StackConfigError(`no stack config file ${file}; create it or pass --config-file`);
  const doc = (YAML.parse(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };

  const values: Record<string, string> = {};
  const secretKeys = new Set<string>();
  const placeholders = new Set<string>();
  const put = (key: string, value: unknown) => {
    values[key] = typeof value === "string" ? value : JSON.stringify(value);
  };

  // Project-level defaults and values first, then the stack file, then overrides: the CLI's order.
  for (const [key, spec] of Object.entries(project.config)) {
    if (spec.value !== undefined) put(key, spec.value);
    else if (spec.default !== undefined) put(key, spec.default);
  }
  for (const [rawKey, value] of Object.entries(doc.config ?? {})) {
    const key = qualify(project.name, rawKey);
    if (containsSecure(value)) {
      // Encrypted in the stack file: the plan never decrypts, it stands in a placeholder.
      put(key, placeholderFor(key));
      secretKeys.add(key);
      placeholders.add(key);
    } else put(key, value);
  }
  for (const o of overrides) {
    const key = qualify(project.name, o.key);
    put(key, o.value);
    placeholders.delete(key);
    if (o.secret) secretKeys.add(key);
  }
  const required = new Set(requiredBySettings(project.name, values));
  for (const [key, spec] of Object.entries(project.config)) {
    if (spec.secret) {
      secretKeys.add(key);
      // A secret the stack must set gets a placeholder; an optional one stays unset ("" or absent).
      const unset = values[key] === undefined || (values[key] === "" && spec.default === "");
      if (unset && (spec.default === undefined || required.has(key))) {
        put(key, placeholderFor(key));
        placeholders.add(key);
      }
    }
  }
  return { project: project.name, stack, values, secretKeys: [...secretKeys].sort(), placeholders: [...placeholders].sort() };
}

/** The secret keys the stack's settings require (none when the settings do not parse: the plan reports them). */
function requiredBySettings(project: string, values: Record<string, string>): string[] {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(HomelabSchema.shape)) {
    const value = values[`${project}:${key}`];
    if (value === undefined) continue;
    try {
      raw[key] = JSON.parse(value);
    } catch {
      return [];
    }
  }
  try {
    return requiredSecretKeys(parseSettings(raw)).map((key) => `${project}:${key}`);
  } catch {
    return [];
  }
}

function containsSecure(value: unknown): boolean {
  if (value === null || typeof value !== "object") return false;
  if (!Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value) return true;
  return Object.values(value).some(containsSecure);
}
