// Nodes: SSH commands that verify the host key, log in with a key (never a password), keep secrets
// out of the command text, and install a pinned K3s release.
import { asObject, exemptionsSchema, isExempt, isObject, knownString } from "./lib/k8s";
import { Exemption, HomelabPolicy, PlainResource, ResourcePolicy } from "./lib/types";

export const REMOTE_TYPES = ["command:remote:Command", "command:remote:CopyToRemote", "command:remote:CopyFile"];
const COMMAND_FIELDS = ["create", "update", "delete"] as const;

export interface ExemptionsConfig {
  exemptions: Exemption[];
}

/** True when `path` or one of its parents is secret. Undefined when the source cannot tell (inside the pack). */
export function isSecretPath(r: PlainResource, path: string): boolean | undefined {
  if (!r.secretPaths) return undefined;
  return r.secretPaths.some((p) => p === path || path.startsWith(`${p}.`));
}

/** Problems with one SSH connection block (`connection` or its `proxy`). */
export function connectionProblems(r: PlainResource, connection: unknown, path: string): string[] {
  if (!isObject(connection)) return connection === undefined ? [`${path} is missing`] : [];
  const problems: string[] = [];
  const hostKey = connection.hostKey;
  if (hostKey === undefined || hostKey === null || hostKey === "") problems.push(`${path}.hostKey is not set, so the host's identity is never verified`);
  if (connection.password != null && connection.password !== "") problems.push(`${path}.password is set; log in with a key (privateKey or agentSocketPath)`);
  if (connection.privateKey != null && isSecretPath(r, `${path}.privateKey`) === false) {
    problems.push(`${path}.privateKey is not a secret; read it with config.requireSecret or wrap it in pulumi.secret`);
  }
  if (connection.proxy !== undefined) problems.push(...connectionProblems(r, connection.proxy, `${path}.proxy`));
  return problems;
}

export const remoteConnectionPolicy: ResourcePolicy<ExemptionsConfig> = {
  scope: "resource",
  name: "remote-command-connection",
  description: "SSH commands pin the node's host key, never authenticate with a password, and take the private key as a secret.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps: "Set connection.hostKey from the node's hostKey in the stack config (`ssh-keyscan -t ed25519 <host>`), remove connection.password, and pass the key from config.requireSecret(\"sshPrivateKey\").",
  tags: ["nodes", "ssh"],
  types: REMOTE_TYPES,
  configSchema: { properties: { exemptions: exemptionsSchema } },
  check(r, config) {
    return isExempt(r, config.exemptions) ? [] : connectionProblems(r, r.props.connection, "connection");
  },
};

/** Literal credentials in shell text: `X_TOKEN=value`, `password=value`, `--token value`, `token: value` (YAML). */
export const DEFAULT_SECRET_PATTERNS = [
  String.raw`[A-Za-z0-9_.-]*(?:token|password|passwd)=["']?[^\s"'$]`,
  String.raw`--(?:token|agent-token|password)(?:=|\s+)["']?[^\s"'$-]`,
  String.raw`(?:^|\n)\s*(?:token|agent-token|password):\s*["']?[^\s"'$#]`,
];

/** The fields of a command that carry a secret in their text (by pattern, or because the value is secret). */
export function commandSecretProblems(r: PlainResource, extraPatterns: string[] = []): string[] {
  const patterns = [...DEFAULT_SECRET_PATTERNS, ...extraPatterns].map((p) => new RegExp(p, "i"));
  const problems: string[] = [];
  for (const field of COMMAND_FIELDS) {
    const value = r.props[field];
    if (value === undefined) continue;
    if (isSecretPath(r, field)) {
      problems.push(`${field} is a secret value: a secret is interpolated into the command line; pass it on stdin or in a root-only file`);
      continue;
    }
    const text = knownString(value);
    if (text === undefined) continue;
    const hit = patterns.find((p) => p.test(text));
    if (hit) {
      // Name the marker, never the value.
      const marker = (text.match(hit)?.[0] ?? "").replace(/[=:\s].*$/s, "").trim();
      problems.push(`${field} contains a literal credential (${marker || "pattern"}...); pass it on stdin or in a root-only file`);
    }
  }
  return problems;
}

export interface CommandSecretsConfig extends ExemptionsConfig {
  extraPatterns: string[];
}

export const commandSecretsPolicy: ResourcePolicy<CommandSecretsConfig> = {
  scope: "resource",
  name: "remote-command-no-secrets",
  description: "No secret in a command line: create/update/delete text holds no literal token or password and is not built from a secret value.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps: "Send the secret on the command's stdin, or write it to a root-only file first; reference it by path (e.g. K3S_TOKEN_FILE / --token-file).",
  tags: ["nodes", "secrets"],
  types: ["command:remote:Command", "command:local:Command"],
  configSchema: {
    properties: {
      exemptions: exemptionsSchema,
      extraPatterns: { type: "array", items: { type: "string", minLength: 1 }, default: [], description: "More regular expressions that mark a literal credential." },
    },
  },
  check(r, config) {
    return isExempt(r, config.exemptions) ? [] : commandSecretProblems(r, config.extraPatterns);
  },
};

export const PINNED_K3S = /v\d+\.\d+\.\d+\+k3s\d+/;
const INSTALLS_K3S = /get\.k3s\.io|INSTALL_K3S_|k3s-install|k3s-io\/k3s\/releases/;

/** For a command that installs K3s: why its version is not pinned, if it is not. */
export function k3sPinProblems(props: Record<string, unknown>): string[] {
  const env = asObject(props.environment);
  const text = COMMAND_FIELDS.map((f) => knownString(props[f]) ?? "").join("\n");
  const envText = Object.entries(env).map(([k, v]) => `${k}=${String(v)}`).join("\n");
  if (!INSTALLS_K3S.test(text) && !INSTALLS_K3S.test(envText)) return [];
  const problems: string[] = [];
  if (/INSTALL_K3S_CHANNEL/.test(text) || env.INSTALL_K3S_CHANNEL !== undefined) problems.push("installs K3s from a channel (INSTALL_K3S_CHANNEL) instead of a pinned release");
  const version = knownString(env.INSTALL_K3S_VERSION);
  if (version !== undefined && !PINNED_K3S.test(version)) problems.push(`INSTALL_K3S_VERSION "${version}" is not a pinned release (vX.Y.Z+k3sN)`);
  if (!PINNED_K3S.test(text) && !PINNED_K3S.test(envText)) problems.push("installs K3s without a pinned release (vX.Y.Z+k3sN) in INSTALL_K3S_VERSION or the download URL");
  return problems;
}

export const k3sVersionPolicy: ResourcePolicy<ExemptionsConfig> = {
  scope: "resource",
  name: "k3s-version-pinned",
  description: "Commands that install K3s pin a release (vX.Y.Z+k3sN); channels such as stable or latest are not reproducible.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Pass INSTALL_K3S_VERSION from homelab:k3s.version (pinned in components/versions.ts) and drop INSTALL_K3S_CHANNEL.",
  tags: ["nodes", "supply-chain"],
  types: ["command:remote:Command"],
  configSchema: { properties: { exemptions: exemptionsSchema } },
  check(r, config) {
    return isExempt(r, config.exemptions) ? [] : k3sPinProblems(r.props);
  },
};

export const nodePolicies: HomelabPolicy[] = [remoteConnectionPolicy, commandSecretsPolicy, k3sVersionPolicy];
