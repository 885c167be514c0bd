// The stack's configuration model: one schema per config key, defaults applied here and nowhere
// else. Objects are strict, so a misspelt key is an error instead of a silently ignored setting.
import { z } from "zod";
import * as v from "./validators";

const text = (what: string) => z.string({ error: `expected ${what}` });
const address = text("an IP address or hostname").refine(v.isAddress, {
  error: "expected an IP address or hostname",
});
// The API endpoint and extra SANs are names in the server certificate: no scheme, no port.
const certificateName = text("a DNS name or IP address").refine(v.isAddress, {
  error: (issue) => {
    const input = String(issue.input);
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(input)) return "expected a DNS name or IP address without a scheme (the program builds https://<name>:6443)";
    if (/^[^:\s]+:\d+$/.test(input) || /^\[[^\]]*\]:\d+$/.test(input)) {
      return "expected a DNS name or IP address without a port (K3s serves the API on 6443, and the kubeconfig adds it)";
    }
    return "expected an IP address or hostname";
  },
});
const ipAddress = text("an IP address").refine(v.isIpAddress, { error: "expected an IPv4 or IPv6 address" });
const cidr = text("a CIDR").refine(v.isCidr, { error: "expected a network in CIDR notation, e.g. 192.168.1.0/24" });
const port = z.int({ error: "expected a TCP port number" }).min(1).max(65535);
const hostKey = text("an SSH public host key").refine(v.isSshPublicKey, {
  error: 'expected one public host key line such as "ssh-ed25519 AAAA..." (from `ssh-keyscan -t ed25519 <host>`)',
});
const bytes = text("a size").refine(v.isByteQuantity, { error: "expected a size in binary units, e.g. 20Gi" });
const retention = text("a duration").refine(v.isRetention, { error: "expected a duration such as 30d or 744h" });
const cron = text("a cron schedule").refine(v.isCron, {
  error: 'expected a five-field cron schedule, e.g. "30 2 * * *"',
});
const backupServerName = text("a backup server name").refine(v.isBackupServerName, {
  error: "expected a lowercase name of letters, digits and '-' (at most 63), e.g. postgres-2",
});
const count = (min: number, max: number) => z.int({ error: "expected a whole number" }).min(min).max(max);
const awsRegion = text("an AWS region").regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: "expected an AWS region such as eu-west-1" });

const labelKey = text("a label key").refine(v.isLabelKey, { error: "expected a Kubernetes label key" });
const labels = z.record(labelKey, text("a label value").refine(v.isLabelValue, {
  error: "expected a Kubernetes label value (at most 63 characters, alphanumeric at both ends)",
}));

export const Architecture = z.enum(["amd64", "arm64"], {
  error: 'expected "amd64" (x86_64) or "arm64" (aarch64)',
});
export const NodeRole = z.enum(["server", "agent"], { error: 'expected "server" or "agent"' });

const GpuSchema = z.strictObject({
  vendor: z.literal("nvidia", { error: 'expected "nvidia" (the only GPU vendor the GPU layer supports)' }),
  count: count(0, 16),
  model: text("a GPU model name").optional(),
});

export const NodeSchema = z.strictObject({
  name: text("a node name").refine(v.isDns1123Label, {
    error: "expected a lowercase DNS label (a-z, 0-9, '-'), as Kubernetes node names are",
  }),
  host: address,
  port: port.default(22),
  user: text("an SSH user").regex(/^[a-z_][a-z0-9_-]*$/, { error: "expected a Unix user name" }),
  hostKey,
  arch: Architecture,
  role: NodeRole,
  labels: labels.default({}),
  taints: z.array(text("a taint")).default([]),
  gpu: GpuSchema.optional(),
  // Names this machine had before, oldest first: a rename then keeps the node's steps (they are
  // aliased) instead of removing one node and adding another, and the stale Node objects go.
  formerNames: z.array(text("a node name").refine(v.isDns1123Label, {
    error: "expected a lowercase DNS label (a-z, 0-9, '-'), as Kubernetes node names are",
  })).default([]),
  nodeIp: ipAddress.optional(),
  flannelIface: text("a network interface").regex(/^[A-Za-z0-9_.:-]{1,15}$/, {
    error: "expected a network interface name such as eth0 or enp3s0",
  }).optional(),
});

const BastionSchema = z.strictObject({
  host: address,
  port: port.default(22),
  user: text("an SSH user"),
  hostKey,
});

const RegistryMirrorSchema = z.strictObject({
  endpoints: z.array(text("a registry URL").url({ error: "expected a registry URL such as https://mirror.lan:5000" })).min(1),
});

const EtcdS3Schema = z.strictObject({
  bucket: text("an S3 bucket name").refine(v.isS3BucketName, {
    error: "expected an S3 bucket name (3-63 characters: lowercase letters, digits, '.' and '-', a letter or digit at both ends, not an IP address)",
  }),
  region: awsRegion,
  folder: text("a folder in the bucket").refine(v.isS3Folder, {
    error: "expected a folder such as k3s/staging (letters, digits and ._- in segments separated by single '/', none at either end)",
  }).optional(),
  // Defaults to the region's AWS endpoint (s3.<region>.amazonaws.com); set it for MinIO or another S3 service.
  endpoint: text("an S3 endpoint").refine(v.isHostPort, { error: "expected a hostname, optionally with a port, such as minio.home.arpa:9000" }).optional(),
});

export const K3sSchema = z.strictObject({
  clusterName: text("a cluster name").refine(v.isDns1123Label, { error: "expected a lowercase DNS label" }),
  version: text("a K3s release").refine(v.isPinnedK3sVersion, {
    error: 'expected a pinned K3s release such as "v1.33.5+k3s1"; channels like "stable" or "latest" are not reproducible',
  }),
  apiEndpoint: certificateName,
  tlsSans: z.array(certificateName).default([]),
  clusterCidr: cidr.default("10.42.0.0/16"),
  serviceCidr: cidr.default("10.43.0.0/16"),
  // `runtimes` is K3s's packaged RuntimeClass manifest; the K3s layer adds it by itself when the
  // inventory has GPU nodes, so the GPU operator alone owns RuntimeClass nvidia.
  disable: z.array(z.enum(["traefik", "servicelb", "metrics-server", "local-storage", "coredns", "runtimes"])).default(["traefik"]),
  secretsEncryption: z.boolean().default(true),
  etcdSnapshots: z.strictObject({
    schedule: cron.default("30 2 * * *"),
    retention: count(1, 1000).default(30),
    // Scheduled snapshots are also uploaded here; the credentials are the secret keys
    // homelab:etcdS3AccessKeyId and homelab:etcdS3SecretAccessKey.
    s3: EtcdS3Schema.optional(),
    // Or upload them to a bucket this program creates (private, versioned, in homelab:aws.region,
    // folder k3s) with an IAM identity of its own; no credentials to set.
    programBucket: z.boolean().default(false),
  }).prefault({}),
  // A K3s version bump upgrades servers one at a time, then agents in this many waves.
  agentUpgradeWaves: count(1, 20).default(4),
  registryMirrors: z.record(text("a registry host"), RegistryMirrorSchema).default({}),
  bastion: BastionSchema.optional(),
});

export const AwsSchema = z.strictObject({
  region: awsRegion,
  profile: text("an AWS profile name").optional(),
  secretPrefix: text("a prefix").regex(/^[A-Za-z0-9/_+=.@-]+$/, {
    error: "expected a Secrets Manager name prefix (letters, digits and /_+=.@-)",
  }).optional(),
  recoveryWindowDays: count(7, 30).default(7),
  customerManagedKey: z.boolean().default(false),
});

export const StorageSchema = z.strictObject({
  // local-path stays the cluster default: K3s re-asserts its annotation on every start, and every
  // claim this program makes names its class explicitly.
  defaultClass: z.enum(["local-path", "nfs-csi-v2"]).default("local-path"),
  nfsVersion: z.enum(["4.1", "4.2"]).default("4.1"),
});

export const GpuLayerSchema = z.strictObject({
  timeSlicingReplicas: count(1, 16).default(1),
  // Consumer GeForce cards have no DCGM profiling metrics; asking for them crashes the exporter.
  profilingMetrics: z.boolean().default(false),
});

export const DatabaseSchema = z.strictObject({
  instances: count(1, 9).default(1),
  storageSize: bytes.default("10Gi"),
  walStorageSize: bytes.default("5Gi"),
  databases: z.array(text("a database name").regex(/^[a-z_][a-z0-9_]{0,62}$/, {
    error: "expected a PostgreSQL identifier (lowercase letters, digits, '_')",
  })).default(["openwebui"]),
  poolerInstances: count(0, 5).default(1),
  backup: z.strictObject({
    schedule: cron.default("0 2 * * *"),
    retentionDays: count(1, 3650).default(30),
    // The folder in the bucket this Cluster files its WAL and base backups under (the Barman Cloud
    // plugin's serverName). "postgres" is what the plugin used before the name was explicit.
    serverName: backupServerName.default("postgres"),
  }).prefault({}),
  // Bootstraps the Cluster from the backups of another server name instead of initdb (see
  // docs/recovery.md): to the latest point archived, or to targetTime.
  restore: z.strictObject({
    fromServerName: backupServerName,
    targetTime: text("a timestamp").refine(v.isZonedTimestamp, {
      error: "expected an RFC 3339 timestamp with a zone, e.g. 2026-11-28T21:30:00Z",
    }).optional(),
    // On a stack whose earlier deployment had a Cluster: the server name that Cluster archived
    // under (stack output postgres.serverName), confirming it was deleted as docs/recovery.md says.
    deletedServerName: backupServerName.optional(),
  }).optional(),
});

export const ObservabilitySchema = z.strictObject({
  prometheus: z.strictObject({
    retention: retention.default("30d"),
    storageSize: bytes.default("50Gi"),
  }).prefault({}),
  alertmanagerStorageSize: bytes.default("2Gi"),
  grafanaStorageSize: bytes.default("5Gi"),
  loki: z.strictObject({
    retention: retention.default("744h"),
    storageSize: bytes.default("50Gi"),
  }).prefault({}),
});

const ExposureSchema = z.strictObject({
  serviceType: z.enum(["LoadBalancer", "NodePort"]).default("LoadBalancer"),
  // Who may call the exposed services from the LAN (Home Assistant for the Wyoming servers,
  // browsers for Open WebUI, and Ollama's NodePort when declared); nothing else gets in.
  allowedCidrs: z.array(cidr).min(1, { error: "expected at least one LAN network allowed to call the exposed services" }),
});

/**
 * The wake word models built into openWakeWord 2.x (wyoming-openwakeword 2.1.0). A name outside
 * this list is silently ignored by the server, so the config refuses it.
 */
export const OPEN_WAKE_WORD_MODELS = ["okay_nabu", "hey_jarvis", "hey_mycroft", "alexa", "hey_rhasspy"] as const;

export const AiSchema = z.strictObject({
  accelerator: z.enum(["nvidia", "cpu"]).optional(),
  ollama: z.strictObject({
    models: z.array(text("an Ollama model").regex(/^[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9._-]+)?$/, {
      error: 'expected an Ollama model reference such as "llama3.2:3b"',
    })).min(1).default(["tinyllama"]),
    storageSize: bytes.default("20Gi"),
    nodePort: count(30000, 32767).optional(),
  }).prefault({}),
  openWebui: z.strictObject({ storageSize: bytes.default("5Gi") }).prefault({}),
  whisper: z.strictObject({
    model: z.enum(["tiny", "tiny-int8", "base", "base-int8", "small", "small-int8", "medium", "medium-int8"]).default("tiny-int8"),
    language: text("a language code").regex(/^[a-z]{2}$/).default("en"),
  }).prefault({}),
  piper: z.strictObject({
    voices: z.array(text("a Piper voice").regex(/^[a-z]{2}_[A-Z]{2}-[a-z0-9_]+-(x_low|low|medium|high)$/, {
      error: 'expected a Piper voice such as "en_US-lessac-medium"',
    })).min(1).default(["en_US-lessac-medium"]),
    minReplicas: count(1, 10).default(1),
    maxReplicas: count(1, 10).default(1),
  }).prefault({}),
  openWakeWord: z.strictObject({
    // Home Assistant picks one of these per pipeline; the server has no flag that selects them.
    wakeWords: z.array(z.enum(OPEN_WAKE_WORD_MODELS, {
      error: (issue) => `expected a wake word openWakeWord 2.x ships (${OPEN_WAKE_WORD_MODELS.join(", ")})` +
        (issue.input === "ok_nabu" ? '; 2.0 renamed "ok_nabu" to "okay_nabu"' : ""),
    })).min(1).default(["okay_nabu"]),
  }).prefault({}),
  lanExposure: ExposureSchema.optional(),
});

const BackupTierSchema = (schedule: string, retentionDays: number) => z.strictObject({
  schedule: cron.default(schedule),
  retentionDays: count(1, 3650).default(retentionDays),
}).prefault({});

// Velero's tiers (components/backups): the reference lab backs up resources daily at 02:00 for
// 30 days, and everything with the declared volumes on Sundays at 03:00 for longer.
export const BackupsSchema = z.strictObject({
  resources: BackupTierSchema("0 2 * * *", 30),
  full: BackupTierSchema("0 3 * * 0", 90),
});

/** Every config key the program reads, with its schema. Secret keys are listed in `SecretKeys`. */
export const HomelabSchema = z.strictObject({
  nodes: z.array(NodeSchema).min(1, { error: "expected at least one node" }),
  k3s: K3sSchema,
  aws: AwsSchema,
  storage: StorageSchema.prefault({}),
  gpu: GpuLayerSchema.prefault({}),
  database: DatabaseSchema.prefault({}),
  observability: ObservabilitySchema.prefault({}),
  ai: AiSchema.prefault({}),
  backups: BackupsSchema.prefault({}),
});

export type NodeSpec = z.infer<typeof NodeSchema>;
export type K3sSettings = z.infer<typeof K3sSchema>;
export type EtcdS3Settings = z.infer<typeof EtcdS3Schema>;
export type AwsSettings = z.infer<typeof AwsSchema>;
export type StorageSettings = z.infer<typeof StorageSchema>;
export type GpuSettings = z.infer<typeof GpuLayerSchema>;
export type DatabaseSettings = z.infer<typeof DatabaseSchema>;
export type ObservabilitySettings = z.infer<typeof ObservabilitySchema>;
export type AiSettings = z.infer<typeof AiSchema>;
export type BackupsSettings = z.infer<typeof BackupsSchema>;
export type RawHomelabSettings = z.infer<typeof HomelabSchema>;
