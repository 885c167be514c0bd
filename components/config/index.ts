// Turns raw stack config into a typed, validated HomelabConfig. Validation is pure: it runs before
// any resource is registered and reports every problem at once, each with its key path.
import * as pulumi from "@pulumi/pulumi";
import * as v from "./validators";
import { crossCheck, SettingsParts } from "./cross-checks";
import { parseParts } from "./partial";
import { CONFIG_NAMESPACE, ConfigError, ConfigProblem, fallbackMessage, formatPath, issuesAtTheirPaths } from "./problems";
import { HomelabSchema, NodeSpec, RawHomelabSettings } from "./schema";

export * from "./schema";
export { crossCheck } from "./cross-checks";
export { CONFIG_NAMESPACE, ConfigError, formatPath } from "./problems";
export type { ConfigProblem } from "./problems";
export { v as validators };

/** Config keys whose values are secret; each is documented with the command that sets it. */
export const SECRET_KEYS = {
  sshPrivateKey: "the private key (OpenSSH format) that logs in to every node",
  nfsServer: "the NAS address that serves the NFS exports",
  nfsShareGeneral: "the NFS export for general application state (class nfs-csi-v2)",
  nfsSharePostgres: "the NFS export for PostgreSQL data; it must allow UID 26 (class nfs-postgres-v2)",
  nfsShareBackup: "the NFS export for backups (class nfs-backup)",
} as const;
/** Optional secret keys: features that stay off while the key is unset. */
export const OPTIONAL_SECRET_KEYS = {
  alertWebhookUrl: "an HTTPS webhook (ntfy, Discord, Slack...) that Alertmanager sends alerts to",
  etcdS3AccessKeyId: "the access key ID K3s uploads etcd snapshots to S3 with (required with homelab:k3s.etcdSnapshots.s3)",
  etcdS3SecretAccessKey: "the secret access key that goes with homelab:etcdS3AccessKeyId (required with homelab:k3s.etcdSnapshots.s3)",
} as const;

export type SecretKey = keyof typeof SECRET_KEYS;
export type OptionalSecretKey = keyof typeof OPTIONAL_SECRET_KEYS;

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

/** Optional secret keys that a setting makes mandatory. */
const SECRETS_REQUIRED_BY: { keys: OptionalSecretKey[]; when: (s: SettingsParts) => boolean; setting: string }[] = [
  { keys: ["etcdS3AccessKeyId", "etcdS3SecretAccessKey"], when: (s) => s.k3s?.etcdSnapshots?.s3 !== undefined, setting: "k3s.etcdSnapshots.s3" },
];

/**
 * Problems between settings and optional secrets. Secret values are Outputs, so only their presence
 * can be checked, and only here (config.getSecret returns undefined for an unset key); `present`
 * holds the names of the secret keys that are set.
 */
export function secretPresenceProblems(settings: SettingsParts, present: ReadonlySet<string>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const rule of SECRETS_REQUIRED_BY) {
    if (!rule.when(settings)) continue;
    for (const key of rule.keys) {
      if (present.has(key)) continue;
      problems.push({
        path: `${CONFIG_NAMESPACE}:${key}`,
        message: `is required because ${CONFIG_NAMESPACE}:${rule.setting} is set: ${OPTIONAL_SECRET_KEYS[key]}; set it with \`pulumi config set --secret ${CONFIG_NAMESPACE}:${key} <value>\``,
      });
    }
  }
  return problems;
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
  const secretKeys = [...Object.keys(SECRET_KEYS), ...Object.keys(OPTIONAL_SECRET_KEYS)];
  const issues = issuesAtTheirPaths(result.error.issues, HomelabSchema, secretKeys);
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
    secretPrefix: settings.aws.secretPrefix ?? `homelab/${stack}`,
    secrets,
  };
}

/** Reads the stack's config through the Pulumi runtime, validates it, and returns the typed model. */
export function loadConfig(): HomelabConfig {
  const config = new pulumi.Config(CONFIG_NAMESPACE);
  const problems: ConfigProblem[] = [];
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(HomelabSchema.shape)) {
    try {
      const value = config.getObject<unknown>(key);
      if (value !== undefined) raw[key] = value;
    } catch {
      problems.push({ path: `${CONFIG_NAMESPACE}:${key}`, message: "expected a YAML/JSON object or list" });
    }
  }
  const secrets: Record<string, pulumi.Output<string>> = {};
  for (const [key, purpose] of Object.entries(SECRET_KEYS)) {
    const value = config.getSecret(key);
    if (value === undefined) {
      problems.push({
        path: `${CONFIG_NAMESPACE}:${key}`,
        message: `is required: ${purpose}; set it with \`pulumi config set --secret ${CONFIG_NAMESPACE}:${key} <value>\``,
      });
    } else secrets[key] = value;
  }
  for (const key of Object.keys(OPTIONAL_SECRET_KEYS)) {
    const value = config.getSecret(key);
    if (value !== undefined) secrets[key] = value;
  }

  const checked = checkSettings(raw);
  problems.push(...checked.problems, ...secretPresenceProblems(checked.parts, new Set(Object.keys(secrets))));
  const settings = checked.settings;
  if (problems.length > 0 || settings === undefined) throw new ConfigError(problems);
  return deriveConfig(settings, pulumi.getStack(), secrets as HomelabConfig["secrets"]);
}
