// Reads a stack's configuration the way the Pulumi CLI does (Pulumi.yaml, then Pulumi.<stack>.yaml,
// then `config set` overrides), without the CLI: encrypted and absent secrets become deterministic
// placeholders, so a plan needs neither the stack's passphrase nor a cloud account. An absent
// secret gets one when the stack must set it: it has no default, or the stack's settings require
// it (requiredSecretKeys, e.g. the SSH key unless homelab:ssh.agent); an optional one stays unset.
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { checkSettings, HomelabSchema, parseConfigValue, requiredSecretKeys } from "../../components/config";

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

/** A file's path as the operator would type it: relative to the working directory when inside it. */
function shown(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative.startsWith("..") || path.isAbsolute(relative) ? file : relative;
}

/**
 * Parses a YAML file as the Pulumi CLI does, duplicate keys included (its Go parser refuses them
 * too). Errors are reported as `file:line:column: message` with the line and a caret: every
 * duplicate key, and the first other syntax error (what follows one is mostly its echo).
 */
export function readYamlFile(file: string): unknown {
  const text = fs.readFileSync(file, "utf8");
  const lineCounter = new YAML.LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const lines = text.split(/\r?\n/);
    const firstSyntaxError = doc.errors.find((err) => err.code !== "DUPLICATE_KEY");
    const reported = doc.errors.filter((err) => err.code === "DUPLICATE_KEY" || err === firstSyntaxError);
    throw new StackConfigError(reported.map((err) => {
      const { line, col } = lineCounter.linePos(err.pos[0]);
      const source = (lines[line - 1] ?? "").replace(/\t/g, "→");
      return `${shown(file)}:${line}:${col}: ${err.message}\n    ${source}\n    ${" ".repeat(Math.max(0, col - 1))}^`;
    }).join("\n"));
  }
  return doc.toJS();
}

export function readProjectFile(root: string): ProjectFile {
  const file = path.join(root, "Pulumi.yaml");
  const doc = readYamlFile(file) as { name?: string; config?: ProjectFile["config"] } | null;
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
  const doc = (readYamlFile(file) ?? {}) as { config?: unknown };
  if (doc.config !== undefined && doc.config !== null && (typeof doc.config !== "object" || Array.isArray(doc.config))) {
    throw new StackConfigError(`${shown(file)}: "config:" must hold key: value pairs such as homelab:nodes`);
  }
  const stackConfig = (doc.config ?? {}) as Record<string, unknown>;
  refusePlainSecrets(project, stack, shown(file), stackConfig);

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
  for (const [rawKey, value] of Object.entries(stackConfig)) {
    const key = qualify(project.name, rawKey);
    if (containsSecure(value)) {
      // Encrypted in the stack file: the plan never decrypts, it stands in a placeholder.
      put(key, placeholderFor(key));
      secretKeys.add(key);
      placeholders.add(key);
    } else put(key, value);
  }
  const plainOverrides = overrides.filter((o) => !o.secret && project.config[qualify(project.name, o.key)]?.secret);
  if (plainOverrides.length > 0) {
    throw new StackConfigError(plainOverrides.map((o) => `--set ${o.key}: Pulumi.yaml declares ${qualify(project.name, o.key)} secret; pass it with --set-secret`).join("\n"));
  }
  for (const o of overrides) {
    const key = qualify(project.name, o.key);
    put(key, o.value);
    placeholders.delete(key);
    if (o.secret) secretKeys.add(key);
  }
  for (const [key, spec] of Object.entries(project.config)) if (spec.secret) secretKeys.add(key);
  // A secret the stack must set gets a placeholder when it has no value; an optional one stays unset.
  const declaredRequired = Object.entries(project.config).filter(([, spec]) => spec.secret && spec.default === undefined).map(([key]) => key);
  for (const key of new Set([...declaredRequired, ...requiredBySettings(project.name, values)])) {
    if (values[key] !== undefined) continue;
    put(key, placeholderFor(key));
    secretKeys.add(key);
    placeholders.add(key);
  }
  return { project: project.name, stack, values, secretKeys: [...secretKeys].sort(), placeholders: [...placeholders].sort() };
}

/**
 * Refuses a key Pulumi.yaml declares secret that the stack file holds in plain text, as `pulumi up`
 * does ("must be encrypted as it's secret"), naming the command that stores it encrypted. The value
 * itself is never repeated. Overrides (--set-secret) are how tests feed such values, and stay allowed.
 */
function refusePlainSecrets(project: ProjectFile, stack: string, file: string, stackConfig: Record<string, unknown>): void {
  const plain = Object.entries(stackConfig)
    .map(([rawKey, value]) => [qualify(project.name, rawKey), value] as const)
    .filter(([key, value]) => project.config[key]?.secret && !containsSecure(value));
  if (plain.length === 0) return;
  throw new StackConfigError(plain.map(([key, value]) => {
    const input = typeof value === "string" && value.includes("\n") ? "< <file holding the value>" : "<value>";
    return `${file}: ${key} is in plain text, but Pulumi.yaml declares it secret; delete that line and store the value encrypted: ` +
      `pulumi config set --stack ${stack} --secret ${key} ${input}`;
  }).join("\n"));
}

/**
 * The secret keys the stack's settings require: the always-required ones, and those a setting makes
 * required (the SSH key unless homelab:ssh.agent). Read from whatever parsed; the plan reports the rest.
 */
function requiredBySettings(project: string, values: Record<string, string>): string[] {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(HomelabSchema.shape)) {
    const value = values[`${project}:${key}`];
    if (value !== undefined) raw[key] = parseConfigValue(value);
  }
  return requiredSecretKeys(checkSettings(raw).parts).map((key) => `${project}:${key}`);
}

function containsSecure(value: unknown): boolean {
  if (value === null || typeof value !== "object") return false;
  if (!Array.isArray(value) && Object.keys(value).length === 1 && "secure" in value) return true;
  return Object.values(value).some(containsSecure);
}
