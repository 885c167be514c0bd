// The secret config keys: what each holds, the command that sets it, and which settings make an
// optional one mandatory. Their values never pass through the settings schema.
import type { SettingsParts } from "./cross-checks";
import { CONFIG_NAMESPACE, ConfigProblem } from "./problems";

/** Config keys whose values are secret; each is documented with the command that sets it. */
export const SECRET_KEYS = {
  nfsServer: "the NAS address that serves the NFS exports",
  nfsShareGeneral: "the NFS export for general application state (class nfs-csi-v2)",
  nfsSharePostgres: "the NFS export for PostgreSQL data; it must allow UID 26 (class nfs-postgres-v2)",
  nfsShareBackup: "the NFS export for backups (class nfs-backup)",
} as const;
/** Optional secret keys: features that stay off while the key is unset. */
export const OPTIONAL_SECRET_KEYS = {
  sshPrivateKey: "the private key (OpenSSH format) that logs in to every node (unless homelab:ssh.agent is true)",
  alertWebhookUrl: "an HTTPS webhook (ntfy, Discord, Slack...) that Alertmanager sends alerts to",
  etcdS3AccessKeyId: "the access key ID K3s uploads etcd snapshots to S3 with (required with homelab:k3s.etcdSnapshots.s3)",
  etcdS3SecretAccessKey: "the secret access key that goes with homelab:etcdS3AccessKeyId (required with homelab:k3s.etcdSnapshots.s3)",
  acmeCloudflareApiToken: "a Cloudflare API token allowed Zone:DNS:Edit on the zone of homelab:ingress.domain only (required with homelab:ingress.acme.dns01.provider cloudflare)",
} as const;

export type SecretKey = keyof typeof SECRET_KEYS;
export type OptionalSecretKey = keyof typeof OPTIONAL_SECRET_KEYS;

export const ALL_SECRET_KEYS = [...Object.keys(SECRET_KEYS), ...Object.keys(OPTIONAL_SECRET_KEYS)] as (SecretKey | OptionalSecretKey)[];

/** The command that stores a secret key encrypted; the private key is read from its file. */
export function setSecretCommand(key: string): string {
  const value = key === "sshPrivateKey" ? "< ~/.ssh/<private key file>" : "<value>";
  return `pulumi config set --secret ${CONFIG_NAMESPACE}:${key} ${value}`;
}

/**
 * What is wrong with a secret's value, in words that never repeat it: an empty value, or a newline
 * or space in the etcd S3 credentials, which K3s would send as part of the key.
 */
export function secretValueProblem(key: string, value: string): string | undefined {
  if (value.trim() === "") return `is empty; set it with \`${setSecretCommand(key)}\``;
  if ((key === "etcdS3AccessKeyId" || key === "etcdS3SecretAccessKey") && /[\s\x00-\x1f\x7f]/.test(value)) {
    return `contains whitespace or control characters (a trailing newline from a file or echo?); set it again with \`${setSecretCommand(key)}\``;
  }
  return undefined;
}

/** Optional secret keys that a setting makes mandatory (`why` completes "is required ..."). */
const SECRETS_REQUIRED_BY: { keys: OptionalSecretKey[]; when: (s: SettingsParts) => boolean; why: string; how?: string }[] = [
  { keys: ["etcdS3AccessKeyId", "etcdS3SecretAccessKey"], when: (s) => s.k3s?.etcdSnapshots?.s3 !== undefined, why: `because ${CONFIG_NAMESPACE}:k3s.etcdSnapshots.s3 is set` },
  { keys: ["acmeCloudflareApiToken"], when: (s) => s.ingress?.acme?.dns01?.provider === "cloudflare", why: `because ${CONFIG_NAMESPACE}:ingress.acme.dns01.provider is set` },
  {
    keys: ["sshPrivateKey"],
    // An ssh block that did not parse says nothing either way: its own problem is reported.
    when: (s) => s.ssh !== undefined && s.ssh.agent !== true,
    why: `unless ${CONFIG_NAMESPACE}:ssh.agent is true`,
    how: `\`${setSecretCommand("sshPrivateKey")}\`, or log in through your SSH agent with \`pulumi config set --path ${CONFIG_NAMESPACE}:ssh.agent true\``,
  },
];

/** Optional secret keys a setting forbids: they would keep what the setting is meant to keep out. */
const SECRETS_FORBIDDEN_BY: { key: OptionalSecretKey; when: (s: SettingsParts) => boolean; message: string }[] = [{
  key: "sshPrivateKey",
  when: (s) => s.ssh?.agent === true,
  message: `is set although ${CONFIG_NAMESPACE}:ssh.agent is true: the key would stay in the stack's config and in the state of every command; remove it with \`pulumi config rm ${CONFIG_NAMESPACE}:sshPrivateKey\``,
}];

/** Every secret key these settings need: the required ones and those their settings make required. */
export function requiredSecretKeys(settings: SettingsParts): (SecretKey | OptionalSecretKey)[] {
  return [...Object.keys(SECRET_KEYS) as SecretKey[], ...SECRETS_REQUIRED_BY.filter((rule) => rule.when(settings)).flatMap((rule) => rule.keys)];
}

/**
 * Problems between settings and optional secrets. Secret values are Outputs, so only their presence
 * can be checked, and only where the runtime's config is read; `present` holds the names of the
 * secret keys that are set.
 */
export function secretPresenceProblems(settings: SettingsParts, present: ReadonlySet<string>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const rule of SECRETS_REQUIRED_BY) {
    if (!rule.when(settings)) continue;
    for (const key of rule.keys) {
      if (present.has(key)) continue;
      problems.push({
        path: `${CONFIG_NAMESPACE}:${key}`,
        message: `is required ${rule.why}: ${OPTIONAL_SECRET_KEYS[key]}; set it with ${rule.how ?? `\`${setSecretCommand(key)}\``}`,
      });
    }
  }
  for (const rule of SECRETS_FORBIDDEN_BY) {
    if (rule.when(settings) && present.has(rule.key)) problems.push({ path: `${CONFIG_NAMESPACE}:${rule.key}`, message: rule.message });
  }
  return problems;
}
