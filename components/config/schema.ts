// The stack's configuration model: one schema per config key, defaults applied here and nowhere
// else. Objects are strict, so a misspelt key is an error instead of a silently ignored setting,
// and every field says what it expects (fields.ts), so a refused value names the bound or the
// allowed values.
import { z } from "zod";
import * as v from "./validators";
import { CRON_EXPECTED, cronProblem, isCron } from "./cron";
import { boolean, checked, list, mapping, oneOf, settingsBlock, text, wholeNumber } from "./fields";
import { describeValue } from "./messages";

const address = checked("an IP address or hostname", v.isAddress);
// The API endpoint and extra SANs are names in the server certificate: no scheme, no port.
const certificateName = checked("a DNS name or IP address", v.isAddress, (input) => {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input)) return "expected a DNS name or IP address without a scheme (the program builds https://<name>:6443)";
  if (/^[^:\s]+:\d+$/.test(input) || /^\[[^\]]*\]:\d+$/.test(input)) {
    return "expected a DNS name or IP address without a port (K3s serves the API on 6443, and the kubeconfig adds it)";
  }
  return undefined;
});
const ipAddress = checked("an IPv4 or IPv6 address", v.isIpAddress);
const cidr = checked("a network in CIDR notation such as 192.168.1.0/24", v.isCidr);
const port = wholeNumber(1, 65535);
// Parsed as an SSH key by the node checks, which know the host to name in ssh-keyscan's command.
const hostKey = text('an SSH public host key line such as "ssh-ed25519 AAAA..."');
const bytes = checked("a size in binary units such as 20Gi", v.isByteQuantity);
const retention = checked("a duration such as 30d or 744h", v.isRetention);
// Loki's compactor applies retention per daily index table (the 24h period of the schema below the
// chart) and refuses a retention period under 24h at startup.
const lokiRetention = checked("a duration of at least 24h such as 744h or 31d", (value) => v.isRetention(value) && v.durationHours(value) >= 24, (input) =>
  v.isRetention(input) ? `must be at least 24h (got ${input}): Loki's compactor keeps logs by the day` : undefined);
// K3s and CloudNative-PG both parse schedules with robfig/cron (see cron.ts).
const cron = checked("a cron schedule", isCron, (input) => `${input.trim() === "" ? "" : `${JSON.stringify(input)}: `}${cronProblem(input)}; expected ${CRON_EXPECTED}`);
const awsRegion = checked("an AWS region such as eu-west-1", (value) => /^[a-z]{2}(-[a-z]+)+-\d$/.test(value));
const unixUser = checked("a Unix user name (lowercase letters, digits, '_' and '-')", (value) => /^[a-z_][a-z0-9_-]*$/.test(value));
const backupServerName = checked("a backup server name: lowercase letters, digits and '-' (at most 63), such as postgres-2", v.isBackupServerName);

const labelKey = checked("a Kubernetes label key", v.isLabelKey);
const labels = mapping(labelKey, checked("a Kubernetes label value (at most 63 characters, alphanumeric at both ends)", v.isLabelValue), "labels (key: value)");

export const Architecture = oneOf(["amd64", "arm64"], {
  x86_64: 'x86_64 is called "amd64" here, as in Kubernetes and K3s', "x86-64": 'x86-64 is called "amd64" here', x86: 'x86 (64-bit) is "amd64"', x64: 'x64 is "amd64"',
  aarch64: 'aarch64 is called "arm64" here, as in Kubernetes and K3s', armv8: 'armv8 (64-bit) is "arm64"', armhf: "32-bit ARM is not supported; K3s on these boards needs a 64-bit OS (arm64)", armv7: "32-bit ARM is not supported; K3s on these boards needs a 64-bit OS (arm64)",
});
export const NodeRole = oneOf(["server", "agent"], {
  master: 'K3s calls a control-plane node "server"', "control-plane": 'K3s calls a control-plane node "server"', controller: 'K3s calls a control-plane node "server"',
  worker: 'K3s calls a worker "agent"', node: 'K3s calls a worker "agent"',
});

const GpuSchema = settingsBlock({
  vendor: oneOf(["nvidia"], { amd: "the GPU layer supports NVIDIA GPUs only", intel: "the GPU layer supports NVIDIA GPUs only" }),
  count: wholeNumber(0, 16),
  model: text("a GPU model name").optional(),
});

export const NodeSchema = settingsBlock({
  name: checked("a lowercase DNS label (a-z, 0-9, '-'), as Kubernetes node names are", v.isDns1123Label),
  host: address,
  port: port.default(22),
  user: unixUser,
  hostKey,
  arch: Architecture,
  role: NodeRole,
  labels: labels.default({}),
  taints: list(text("a taint"), "taints").default([]),
  gpu: GpuSchema.optional(),
  // Names this machine had before, oldest first: a rename then keeps the node's steps (they are
  // aliased) instead of removing one node and adding another, and the stale Node objects go.
  formerNames: list(checked("a lowercase DNS label (a-z, 0-9, '-'), as Kubernetes node names are", v.isDns1123Label), "former node names").default([]),
  nodeIp: ipAddress.optional(),
  flannelIface: checked("a network interface name such as eth0 or enp3s0", (value) => /^[A-Za-z0-9_.:-]{1,15}$/.test(value)).optional(),
});

const BastionSchema = settingsBlock({
  host: address,
  port: port.default(22),
  user: unixUser,
  hostKey,
});

const RegistryMirrorSchema = settingsBlock({
  endpoints: list(checked("a registry URL such as https://mirror.lan:5000", (value) => /^https?:\/\/[^\s/]+/.test(value) && URL.canParse(value)), "registry URLs")
    .min(1, { error: "expected at least one registry URL" }),
});

const EtcdS3Schema = settingsBlock({
  bucket: checked("an S3 bucket name (3-63 characters: lowercase letters, digits, '.' and '-', a letter or digit at both ends, not an IP address)", v.isS3BucketName),
  region: awsRegion,
  folder: checked("a folder such as k3s/staging (letters, digits and ._- in segments separated by single '/', none at either end)", v.isS3Folder).optional(),
  // Defaults to the region's AWS endpoint (s3.<region>.amazonaws.com); set it for MinIO or another S3 service.
  endpoint: checked("a hostname, optionally with a port, such as minio.home.arpa:9000", v.isHostPort).optional(),
});

export const K3sSchema = settingsBlock({
  // The kubeconfig names its cluster, context and user after it, and client-go reads that file as
  // YAML 1.1, where a plain "on" or "0123" is no string.
  clusterName: checked("a lowercase DNS label (a-z, 0-9, '-')", (value) => v.isDns1123Label(value) && v.isYaml11String(value), (input) =>
    v.isDns1123Label(input) ? `"${input}" is read as a boolean or number by the YAML 1.1 parser that reads the kubeconfig; add a word (e.g. "lab-${input}")` : undefined),
  version: checked("a pinned K3s release", v.isPinnedK3sVersion, (input) =>
    `expected a pinned K3s release such as "v1.33.5+k3s1", got ${describeValue(input)}; channels like "stable" or "latest" are not reproducible`),
  apiEndpoint: certificateName,
  tlsSans: list(certificateName, "DNS names or IP addresses").default([]),
  clusterCidr: cidr.default("10.42.0.0/16"),
  serviceCidr: cidr.default("10.43.0.0/16"),
  // `runtimes` is K3s's packaged RuntimeClass manifest; the K3s layer adds it by itself when the
  // inventory has GPU nodes, so the GPU operator alone owns RuntimeClass nvidia.
  disable: list(oneOf(["traefik", "servicelb", "metrics-server", "local-storage", "coredns", "runtimes"]), "K3s components").default(["traefik"]),
  secretsEncryption: boolean().default(true),
  etcdSnapshots: settingsBlock({
    schedule: cron.default("30 2 * * *"),
    retention: wholeNumber(1, 1000).default(30),
    // Scheduled snapshots are also uploaded here; the credentials are the secret keys
    // homelab:etcdS3AccessKeyId and homelab:etcdS3SecretAccessKey.
    s3: EtcdS3Schema.optional(),
    // Or upload them to a bucket this program creates (private, versioned, in homelab:aws.region,
    // folder k3s) with an IAM identity of its own; no credentials to set.
    programBucket: boolean().default(false),
  }).prefault({}),
  // A K3s version bump upgrades servers one at a time, then agents in this many waves.
  agentUpgradeWaves: wholeNumber(1, 20).default(4),
  // Pod traffic between nodes: VXLAN in the clear (K3s's default), or WireGuard-encrypted (every
  // node needs the wireguard kernel module, and UDP 51820 open between nodes).
  flannelBackend: oneOf(["vxlan", "wireguard-native"], { wireguard: 'K3s calls the WireGuard backend "wireguard-native"' }).default("vxlan"),
  // The API server's audit log on every server: who did what, when (bodies of Secrets never logged).
  auditLog: settingsBlock({
    retentionDays: wholeNumber(1, 3650).default(30),
  }).prefault({}),
  // Optional pins of K3s's install.sh by release: its sha256 is checked before it runs as root.
  installerSha256: mapping(
    checked('a pinned K3s release such as "v1.33.5+k3s1"', v.isPinnedK3sVersion),
    checked("a sha256 digest: 64 lowercase hex digits (sha256sum install.sh)", (value) => /^[0-9a-f]{64}$/.test(value)),
    "installer digests (release: sha256)",
  ).default({}),
  registryMirrors: mapping(text("a registry host"), RegistryMirrorSchema, "registry mirrors (registry: {endpoints})").default({}),
  bastion: BastionSchema.optional(),
});

/**
 * The stack's long-lived IAM access keys, by identity: External Secrets' one per namespace with
 * synced secrets (eso-<namespace>; cert-manager only with ACME DNS-01) and the database backup's (pg-backup).
 */
export const ACCESS_KEY_IDENTITIES = ["eso-database", "eso-open-webui", "eso-monitoring", "eso-cert-manager", "pg-backup"] as const;

export const AwsSchema = settingsBlock({
  region: awsRegion,
  profile: text("an AWS profile name").optional(),
  secretPrefix: checked("a Secrets Manager name prefix (letters, digits and /_+=.@-)", (value) => /^[A-Za-z0-9/_+=.@-]+$/.test(value)).optional(),
  recoveryWindowDays: wholeNumber(7, 30, ", the window AWS Secrets Manager allows").default(7),
  customerManagedKey: boolean().default(false),
  // Key generations per identity (default [1]); the newest is in use. Rotate: add the next
  // generation, pulumi up, let the consumer switch, drop the old one, pulumi up (docs/security.md).
  // Partial: an identity left out has generation [1].
  accessKeyGenerations: z.partialRecord(oneOf(ACCESS_KEY_IDENTITIES), list(wholeNumber(1, 9999), "key generations"), {
    error: (issue) => (issue.code === "invalid_type" ? "expected key generations by identity (identity: [generation, ...])" : undefined),
  }).default({}),
  // The managed policy every IAM user of the stack carries as its permissions boundary; CI's deploy
  // role may create users only with it (bootstrap/ci-roles makes both).
  permissionsBoundary: checked(
    "an IAM managed policy ARN such as arn:aws:iam::123456789012:policy/homelab-staging-workload-boundary",
    (value) => /^arn:aws[a-z-]*:iam::\d{12}:policy\/[\w+=,.@/-]+$/.test(value),
  ).optional(),
});

export const StorageSchema = settingsBlock({
  // local-path stays the cluster default: K3s re-asserts its annotation on every start, and every
  // claim this program makes names its class explicitly.
  defaultClass: oneOf(["local-path", "nfs-csi-v2"]).default("local-path"),
  // Unquoted, YAML reads 4.2 as a number; the mount option wants the text.
  nfsVersion: z.preprocess((value) => (typeof value === "number" ? String(value) : value), oneOf(["4.1", "4.2"])).default("4.1"),
});

export const GpuLayerSchema = settingsBlock({
  timeSlicingReplicas: wholeNumber(1, 16, "; 1 turns time-slicing off").default(1),
  // Consumer GeForce cards have no DCGM profiling metrics; asking for them crashes the exporter.
  profilingMetrics: boolean().default(false),
});

export const DatabaseSchema = settingsBlock({
  instances: wholeNumber(1, 9).default(1),
  storageSize: bytes.default("10Gi"),
  walStorageSize: bytes.default("5Gi"),
  // Each database's owner gets a Kubernetes Secret "<name>-owner" ('_' as '-'): a letter first, 63 characters at most.
  databases: list(checked("a database name: a lowercase letter, then lowercase letters, digits or '_', 57 characters at most", (value) => /^[a-z][a-z0-9_]{0,56}$/.test(value)), "database names").default(["openwebui"]),
  poolerInstances: wholeNumber(0, 5, "; 0 turns the pooler off").default(1),
  // Password login for the postgres superuser (CloudNative-PG enableSuperuserAccess): off, since
  // nothing in the lab needs it; turn it on only to repair something (break-glass).
  superuserAccess: boolean().default(false),
  backup: settingsBlock({
    schedule: cron.default("0 2 * * *"),
    retentionDays: wholeNumber(1, 3650).default(30),
    // The folder in the bucket this Cluster files its WAL and base backups under (the Barman Cloud
    // plugin's serverName). "postgres" is what the plugin used before the name was explicit.
    serverName: backupServerName.default("postgres"),
  }).prefault({}),
  // Bootstraps the Cluster from the backups of another server name instead of initdb (see
  // docs/recovery.md): to the latest point archived, or to targetTime.
  restore: settingsBlock({
    fromServerName: backupServerName,
    targetTime: checked("an RFC 3339 timestamp with a zone, such as 2026-11-28T21:30:00Z", v.isZonedTimestamp).optional(),
    // On a stack whose earlier deployment had a Cluster: the server name that Cluster archived
    // under (stack output postgres.serverName), confirming it was deleted as docs/recovery.md says.
    deletedServerName: backupServerName.optional(),
  }).optional(),
});

export const ObservabilitySchema = settingsBlock({
  prometheus: settingsBlock({
    retention: retention.default("30d"),
    storageSize: bytes.default("50Gi"),
  }).prefault({}),
  alertmanagerStorageSize: bytes.default("2Gi"),
  grafanaStorageSize: bytes.default("5Gi"),
  loki: settingsBlock({
    retention: lokiRetention.default("744h"),
    storageSize: bytes.default("50Gi"),
  }).prefault({}),
});

const ExposureSchema = settingsBlock({
  serviceType: oneOf(["LoadBalancer", "NodePort"], { clusterip: "ClusterIP is the default without lanExposure; remove the lanExposure block to keep the services off the LAN" }).default("LoadBalancer"),
  // Who may call the exposed services from the LAN (Home Assistant for the Wyoming servers,
  // browsers for Open WebUI's plain port when declared); nothing else gets in. Ollama's NodePort
  // has its own list of hosts.
  allowedCidrs: list(cidr, "networks in CIDR notation").min(1, { error: "expected at least one LAN network allowed to call the exposed services" }),
  // Open WebUI's plain-HTTP port on the LAN as well; browsers normally use its HTTPS name
  // (homelab:ingress), so this is off unless declared.
  openWebui: boolean().default(false),
});

/**
 * The wake word models built into openWakeWord 2.x (wyoming-openwakeword 2.1.0). A name outside
 * this list is silently ignored by the server, so the config refuses it.
 */
export const OPEN_WAKE_WORD_MODELS = ["okay_nabu", "hey_jarvis", "hey_mycroft", "alexa", "hey_rhasspy"] as const;

export const AiSchema = settingsBlock({
  accelerator: oneOf(["nvidia", "cpu"], { gpu: '"nvidia" runs inference on the GPU nodes', cuda: '"nvidia" runs inference on the GPU nodes' }).optional(),
  ollama: settingsBlock({
    models: list(checked('an Ollama model reference such as "llama3.2:3b"', (value) => /^[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9._-]+)?$/.test(value)), "Ollama models")
      .min(1, { error: "expected at least one Ollama model" }).default(["tinyllama"]),
    storageSize: bytes.default("20Gi"),
    nodePort: wholeNumber(30000, 32767, ", the NodePort range (Ollama itself listens on 11434; the reference lab exposes 31434)").optional(),
    // Ollama has no authentication: its NodePort admits these hosts only, one address each. Open
    // WebUI (which has accounts) is the way in for everyone else.
    allowedClients: list(checked(
      "one host as a /32 (or IPv6 /128) such as 192.168.1.20/32: Ollama has no authentication, so a whole network may not call it",
      v.isSingleHostCidr,
    ), "single hosts").optional(),
  }).prefault({}),
  openWebui: settingsBlock({ storageSize: bytes.default("5Gi") }).prefault({}),
  whisper: settingsBlock({
    model: oneOf(["tiny", "tiny-int8", "base", "base-int8", "small", "small-int8", "medium", "medium-int8"]).default("tiny-int8"),
    language: checked('a two-letter language code such as "en"', (value) => /^[a-z]{2}$/.test(value)).default("en"),
  }).prefault({}),
  piper: settingsBlock({
    voices: list(checked('a Piper voice such as "en_US-lessac-medium"', (value) => /^[a-z]{2}_[A-Z]{2}-[a-z0-9_]+-(x_low|low|medium|high)$/.test(value)), "Piper voices")
      .min(1, { error: "expected at least one Piper voice" }).default(["en_US-lessac-medium"]),
    minReplicas: wholeNumber(1, 10).default(1),
    maxReplicas: wholeNumber(1, 10).default(1),
  }).prefault({}),
  openWakeWord: settingsBlock({
    // Home Assistant picks one of these per pipeline; the server has no flag that selects them.
    wakeWords: list(oneOf(OPEN_WAKE_WORD_MODELS, { ok_nabu: '2.0 renamed "ok_nabu" to "okay_nabu"' }), "wake words")
      .min(1, { error: "expected at least one wake word" }).default(["okay_nabu"]),
  }).prefault({}),
  lanExposure: ExposureSchema.optional(),
});

export const NetworkSchema = settingsBlock({
  // The LAN network(s) the nodes' addresses are in. Pods reach the API server, the kubelets and
  // node-exporter at node addresses, so the egress NetworkPolicies name these networks (on those
  // ports only). Optional when every node has an IP (nodeIp, or an IP host): each is named instead.
  nodeCidrs: list(cidr, "networks in CIDR notation").min(1, { error: "expected at least one network, or leave nodeCidrs out" }).optional(),
});

/** The private IPv4 networks (RFC 1918): who "LAN-only" admits when the stack names no narrower networks. */
export const PRIVATE_NETWORKS = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"] as const;

/** The web interfaces the ingress layer serves, each with the host label it gets under ingress.domain by default. */
export const INGRESS_SERVICES = { openWebui: "ai", grafana: "grafana" } as const;
export type IngressService = keyof typeof INGRESS_SERVICES;

/** Let's Encrypt's production directory: the default ACME server. */
export const LETS_ENCRYPT_DIRECTORY = "https://acme-v02.api.letsencrypt.org/directory";

const dnsName = (what: string) => text(what).refine(v.isDnsName, {
  error: "expected a lowercase DNS name of two or more labels, such as lab.home.arpa (no wildcard, no trailing dot)",
});

/**
 * ACME DNS-01: certificates from a public CA for a domain the operator owns. One entry per DNS
 * provider the program implements; each provider's credentials are secret config (see
 * OPTIONAL_SECRET_KEYS) synced into cert-manager's namespace through External Secrets.
 */
const Dns01Schema = z.discriminatedUnion("provider", [
  settingsBlock({ provider: z.literal("cloudflare") }),
], { error: 'expected a DNS-01 provider this program implements: "cloudflare"' });

const AcmeSchema = settingsBlock({
  email: z.email({ error: "expected the email address the ACME account is registered with (expiry notices go there)" }),
  server: text("an ACME directory URL").url({ error: "expected an ACME directory URL such as " + LETS_ENCRYPT_DIRECTORY }).default(LETS_ENCRYPT_DIRECTORY),
  dns01: Dns01Schema,
});

export const IngressSchema = settingsBlock({
  // Every web interface gets a name under this domain; the lab's CA may sign names under it only.
  domain: dnsName("a DNS domain"),
  // Per-service host names instead of <label>.<domain> (ai.<domain>, grafana.<domain>).
  hosts: settingsBlock({
    openWebui: dnsName("a host name").optional(),
    grafana: dnsName("a host name").optional(),
  }).prefault({}),
  // Who may reach the ingress controller's LoadBalancer; the private networks unless narrowed.
  allowedCidrs: list(cidr, "networks in CIDR notation").min(1, { error: "expected at least one network allowed to reach the web interfaces" }).default([...PRIVATE_NETWORKS]),
  // Certificates from an ACME CA (DNS-01) instead of the lab's own CA.
  acme: AcmeSchema.optional(),
});

/**
 * How the program logs in to the nodes: with homelab:sshPrivateKey (the default), or through the
 * operator's SSH agent, so the key stays out of the stack's config and every command's state.
 */
export const SshSchema = settingsBlock({
  agent: boolean().default(false),
  // Without it the agent at $SSH_AUTH_SOCK is used (read by the provider, never stored). A path set
  // here is stored with every command, so set it only for a socket that does not move between
  // logins (e.g. ~/.1password/agent.sock expanded): a new path updates every step.
  agentSocketPath: checked("the absolute path of the agent's socket, such as /home/me/.1password/agent.sock", (value) => /^\/\S+$/.test(value)).optional(),
});

const BackupTierSchema = (schedule: string, retentionDays: number) => settingsBlock({
  schedule: cron.default(schedule),
  retentionDays: wholeNumber(1, 3650).default(retentionDays),
}).prefault({});

// Velero's tiers (components/backups): the reference lab backs up resources daily at 02:00 for
// 30 days, and everything with the declared volumes on Sundays at 03:00 for longer.
export const BackupsSchema = settingsBlock({
  resources: BackupTierSchema("0 2 * * *", 30),
  full: BackupTierSchema("0 3 * * 0", 90),
});

/** Every config key the program reads, with its schema. Secret keys are listed in `SecretKeys`. */
export const HomelabSchema = settingsBlock({
  nodes: list(NodeSchema, "nodes").min(1, { error: "expected at least one node" }),
  k3s: K3sSchema,
  ssh: SshSchema.prefault({}),
  aws: AwsSchema,
  storage: StorageSchema.prefault({}),
  gpu: GpuLayerSchema.prefault({}),
  database: DatabaseSchema.prefault({}),
  observability: ObservabilitySchema.prefault({}),
  ai: AiSchema.prefault({}),
  network: NetworkSchema.prefault({}),
  // HTTPS names for the web interfaces (Traefik, cert-manager); without it they stay in the cluster.
  ingress: IngressSchema.optional(),
  backups: BackupsSchema.prefault({}),
});

export type NodeSpec = z.infer<typeof NodeSchema>;
export type K3sSettings = z.infer<typeof K3sSchema>;
export type SshSettings = z.infer<typeof SshSchema>;
export type EtcdS3Settings = z.infer<typeof EtcdS3Schema>;
export type AwsSettings = z.infer<typeof AwsSchema>;
export type StorageSettings = z.infer<typeof StorageSchema>;
export type GpuSettings = z.infer<typeof GpuLayerSchema>;
export type DatabaseSettings = z.infer<typeof DatabaseSchema>;
export type ObservabilitySettings = z.infer<typeof ObservabilitySchema>;
export type AiSettings = z.infer<typeof AiSchema>;
export type NetworkSettings = z.infer<typeof NetworkSchema>;
export type IngressSettings = z.infer<typeof IngressSchema>;
export type AcmeSettings = z.infer<typeof AcmeSchema>;
export type BackupsSettings = z.infer<typeof BackupsSchema>;
export type RawHomelabSettings = z.infer<typeof HomelabSchema>;
