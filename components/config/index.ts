// Turns raw stack config into a typed, validated HomelabConfig. Validation is pure: it runs before
// any resource is registered and reports every problem at once, each with its key path.
import * as pulumi from "@pulumi/pulumi";
import * as runtimeConfig from "@pulumi/pulumi/runtime/config";
import * as v from "./validators";
import { crossCheck, SettingsParts } from "./cross-checks";
import { parseParts } from "./partial";
import { CONFIG_NAMESPACE, ConfigError, ConfigProblem, fallbackMessage, formatPath, issuesAtTheirPaths } from "./problems";
import { HomelabSchema, NodeSpec, RawHomelabSettings } from "./schema";
import { ALL_SECRET_KEYS, OPTIONAL_SECRET_KEYS, OptionalSecretKey, SECRET_KEYS, SecretKey, secretPresenceProblems, setSecretCommand } from "./secrets";
import { sortStackKeys } from "./stack-keys";
export { parseConfigValue } from "./stack-keys";

export * from "./schema";
export { crossCheck } from "./cross-checks";
export { ingressHosts } from "./ingress";
export { databaseBootstrap, nextServerName, restoreProblems } from "./restore";
export type { RecordedDatabase } from "./restore";
export { nodeAddress } from "./network";
export { CONFIG_NAMESPACE, ConfigError, formatPath } from "./problems";
export type { ConfigProblem } from "./problems";
export { OPTIONAL_SECRET_KEYS, requiredSecretKeys, SECRET_KEYS, secretPresenceProblems } from "./secrets";
export type { OptionalSecretKey, SecretKey } from "./secrets";
export { v as validators };

/** The validated configuration, with defaults applied and a few facts derived once. */
export interface HomelabConfig extends RawHomelabSettings {
  stack: string;
  /** Server nodes in inventory order; the first one initialises the cluster. */
  servers: NodeSpec[];
  agents: NodeSpec[];
  gpuNodes: NodeSpec[];
  /** Where AI inference runs, decided from the inventory unless the stack overrides it. */
  accelerator: "nvidia" | "cpu";
  secretPrefix: string;
  secrets: Record<SecretKey, pulumi.Output<string>> & Partial<Record<OptionalSecretKey, pulumi.Output<string>>>;
}

/**
 * Every problem in raw settings (as parsed from the stack): the schema's, and the cross-key checks'
 * run on whatever parsed. `settings` is defined only when there is no problem.
 */
export function checkSettings(raw: Record<string, unknown>): { settings?: RawHomelabSettings; parts: SettingsParts; problems: ConfigProblem[] } {
  const result = HomelabSchema.safeParse(raw, { reportInput: true, error: fallbackMessage });
  if (result.success) {
    const problems = crossCheck(result.data);
    return { settings: problems.length === 0 ? result.data : undefined, parts: result.data, problems };
  }
  const issues = issuesAtTheirPaths(result.error.issues, HomelabSchema, ALL_SECRET_KEYS);
  const hasProblem = (path: readonly PropertyKey[]) => issues.some((issue) => path.every((part, i) => issue.path[i] === part));
  const parts = (parseParts(HomelabSchema, raw) ?? {}) as SettingsParts;
  return {
    parts,
    problems: [...issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })), ...crossCheck(parts, hasProblem)],
  };
}

/** Validates raw settings and applies defaults; throws one ConfigError listing every problem. */
export function parseSettings(raw: Record<string, unknown>): RawHomelabSettings {
  const { settings, problems } = checkSettings(raw);
  if (!settings) throw new ConfigError(problems);
  return settings;
}

/** The Secrets Manager prefix of a stack that sets no homelab:aws.secretPrefix. */
export function defaultSecretPrefix(stack: string): string {
  return `homelab/${stack}`;
}

/** Facts derived from valid settings, computed once so no layer recomputes them. */
export function deriveConfig(
  settings: RawHomelabSettings,
  stack: string,
  secrets: HomelabConfig["secrets"],
): HomelabConfig {
  const gpuNodes = settings.nodes.filter((n) => n.gpu && n.gpu.count > 0);
  return {
    ...settings,
    stack,
    servers: settings.nodes.filter((n) => n.role === "server"),
    agents: settings.nodes.filter((n) => n.role === "agent"),
    gpuNodes,
    accelerator: settings.ai.accelerator ?? (gpuNodes.length > 0 ? "nvidia" : "cpu"),
    secretPrefix: settings.aws.secretPrefix ?? defaultSecretPrefix(stack),
    secrets,
  };
}

// Whether the engine passed a key as a secret. The SDK keeps this internal (runtime/config.js,
// isConfigSecret reads PULUMI_CONFIG_SECRET_KEYS, which the language host sets from the stack's
// encrypted values); config.getSecret cannot tell, it wraps any value.
const isConfigSecret = (runtimeConfig as unknown as { isConfigSecret(key: string): boolean }).isConfigSecret;

/** Reads the stack's config through the Pulumi runtime, validates it, and returns the typed model. */
export function loadConfig(): HomelabConfig {
  const keys = sortStackKeys(pulumi.runtime.allConfig(), isConfigSecret);
  const config = new pulumi.Config(CONFIG_NAMESPACE);
  const problems: ConfigProblem[] = [];
  const secrets: Record<string, pulumi.Output<string>> = {};
  for (const [key, purpose] of Object.entries(SECRET_KEYS)) {
    const value = config.getSecret(key);
    if (value === undefined) {
      problems.push({ path: `${CONFIG_NAMESPACE}:${key}`, message: `is required: ${purpose}; set it with \`${setSecretCommand(key)}\`` });
    } else secrets[key] = value;
  }
  for (const key of Object.keys(OPTIONAL_SECRET_KEYS)) {
    const value = config.getSecret(key);
    if (value !== undefined) secrets[key] = value;
  }

  const checked = checkSettings(keys.settings);
  problems.push(...checked.problems, ...keys.problems, ...secretPresenceProblems(checked.parts, new Set(Object.keys(secrets))));
  const settings = checked.settings;
  if (problems.length > 0 || settings === undefined) throw new ConfigError(problems);
  return deriveConfig(settings, pulumi.getStack(), secrets as HomelabConfig["secrets"]);
}
