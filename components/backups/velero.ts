// Pure builders for Velero (chart velero 12.1.0, Velero v1.18.1, kopia file-system backup through
// the node agent): the chart values, the backup storage location in the program's bucket, the two
// schedules of the reference lab, and the namespace. Values keys were checked against the chart's
// values.yaml (tests/backups/velero-12.1.0.keys.txt); CR fields against its CRDs.
import type { NamespaceSpec } from "../namespaces";
import { apiServerEgress, dnsEgress, internetEgress } from "../namespaces/egress";
import { imageRef, images } from "../versions";

export const VELERO_NAMESPACE = "velero";
export const VELERO_RELEASE = "velero";
/** The AWS shared-credentials file of the bucket's writer (the chart mounts it at /credentials/cloud). */
export const VELERO_CREDENTIALS_SECRET = "velero-s3";
export const VELERO_CREDENTIALS_KEY = "cloud";
/**
 * The kopia repository's encryption password. Velero creates this Secret with a fixed, public
 * password ("static-passw0rd", pkg/repository/keys/keys.go) unless it exists, so the program
 * creates it first, from a protected random password.
 */
export const VELERO_REPOSITORY_SECRET = "velero-repo-credentials";
export const VELERO_REPOSITORY_KEY = "repository-password";
export const BACKUP_LOCATION = "default";
/** Objects go under this prefix; the kopia repositories under <prefix>/kopia/<namespace>. */
export const BACKUP_PREFIX = "velero";
export const METRICS_PORT = 8085;

export interface BackupTier {
  schedule: string;
  retentionDays: number;
}

export interface BackupSettings {
  /** Every resource of every namespace, without volume data. */
  resources: BackupTier;
  /** Every resource plus the data of the volumes services opt in (volumes.ts). */
  full: BackupTier;
}

/** The Schedule objects' names: Velero labels every backup and its metrics with them. */
export const SCHEDULES = { resources: "resources-daily", full: "full-weekly" } as const;

/**
 * The schedule as Velero reads it: robfig/cron's standard parser, the grammar the config already
 * holds schedules to (components/config/cron.ts, which refuses a Sunday written 7).
 */
export function veleroCron(schedule: string): string {
  return schedule.trim().split(/\s+/).join(" ");
}

/** Velero's ttl: a Go duration in hours. */
export function ttl(days: number): string {
  if (!Number.isInteger(days) || days < 1) throw new Error(`backup retention: expected a whole number of days >= 1, got ${days}`);
  return `${days * 24}h0m0s`;
}

/** The AWS shared-credentials file Velero and its AWS plugin read (secret: it holds the key). */
export function awsCredentialsFile(accessKeyId: string, secretAccessKey: string): string {
  for (const [what, value] of [["access key ID", accessKeyId], ["secret access key", secretAccessKey]]) {
    if (!value || /[\s\x00-\x1f\x7f]/.test(value)) throw new Error(`the Velero ${what} is empty or contains whitespace`);
  }
  return `[default]\naws_access_key_id=${accessKeyId}\naws_secret_access_key=${secretAccessKey}\n`;
}

const resources = (requests: [string, string], limits: [string, string]) => ({
  requests: { cpu: requests[0], memory: requests[1] },
  limits: { cpu: limits[0], memory: limits[1] },
});

/**
 * The chart values. The chart installs Velero, its CRDs and the node agent; the storage location
 * and schedules are the program's own objects (they need the bucket's name, known only once AWS
 * made it). Hooks never run under Chart v4, so the chart's CRD-upgrade Job is off.
 */
export function veleroValues(): Record<string, unknown> {
  return {
    image: { repository: images.velero.repository, tag: images.velero.tag },
    // The AWS object-store plugin is copied into /plugins by an init container.
    initContainers: [{
      name: "velero-plugin-for-aws",
      image: imageRef(images.veleroPluginAws),
      imagePullPolicy: "IfNotPresent",
      volumeMounts: [{ mountPath: "/target", name: "plugins" }],
      resources: resources(["10m", "32Mi"], ["200m", "128Mi"]),
    }],
    resources: resources(["100m", "128Mi"], ["1", "512Mi"]),
    upgradeCRDs: false,
    credentials: { useSecret: true, existingSecret: VELERO_CREDENTIALS_SECRET },
    backupsEnabled: false,
    snapshotsEnabled: false,
    configuration: {
      uploaderType: "kopia",
      // Volume data only where a service opts in (volumes.ts), never by default.
      defaultVolumesToFsBackup: false,
      defaultBackupStorageLocation: BACKUP_LOCATION,
    },
    // The node agent reads pod volumes from the kubelet's directory (hostPath, as root): this is
    // what makes the namespace privileged. It runs on every node a backed-up pod may land on.
    deployNodeAgent: true,
    nodeAgent: {
      podVolumePath: "/var/lib/kubelet/pods",
      resources: resources(["50m", "128Mi"], ["1", "1Gi"]),
      tolerations: [{ operator: "Exists" }],
    },
    metrics: {
      enabled: true,
      serviceMonitor: { enabled: true, autodetect: false },
      nodeAgentPodMonitor: { enabled: true, autodetect: false },
    },
  };
}

/** Where backups go: the program's bucket, in the stack's region. */
export function backupStorageLocationSpec(bucket: string, region: string): Record<string, unknown> {
  return {
    provider: "aws",
    default: true,
    accessMode: "ReadWrite",
    objectStorage: { bucket, prefix: BACKUP_PREFIX },
    config: { region },
  };
}

/**
 * The reference lab's two tiers. Daily: every resource of every namespace, pods left out (their
 * controllers re-create them, and a backup that includes no pod copies no pod volume), so it
 * never carries volume data. Weekly: everything, pods included, with the volumes services opt in.
 */
export function scheduleSpecs(settings: BackupSettings): { name: string; spec: Record<string, unknown> }[] {
  return [
    {
      name: SCHEDULES.resources,
      spec: {
        schedule: veleroCron(settings.resources.schedule),
        useOwnerReferencesInBackup: false,
        template: {
          ttl: ttl(settings.resources.retentionDays),
          includedNamespaces: ["*"],
          includeClusterResources: true,
          excludedResources: ["pods", "events", "events.events.k8s.io"],
          snapshotVolumes: false,
          defaultVolumesToFsBackup: false,
          storageLocation: BACKUP_LOCATION,
        },
      },
    },
    {
      name: SCHEDULES.full,
      spec: {
        schedule: veleroCron(settings.full.schedule),
        useOwnerReferencesInBackup: false,
        template: {
          ttl: ttl(settings.full.retentionDays),
          includedNamespaces: ["*"],
          includeClusterResources: true,
          excludedResources: ["events", "events.events.k8s.io"],
          snapshotVolumes: false,
          defaultVolumesToFsBackup: false,
          storageLocation: BACKUP_LOCATION,
        },
      },
    },
  ];
}

/**
 * The namespace: privileged, because the node agent mounts the kubelet's pod directory from the
 * host as root. Prometheus scrapes the server and the node agents.
 */
export function veleroNamespaces(config: { nodes: readonly unknown[] }): NamespaceSpec[] {
  const nodeCount = config.nodes.length;
  // The server, one node agent per node, and up to three kept repository maintenance jobs.
  const pods = 1 + nodeCount + 3;
  return [{
    name: VELERO_NAMESPACE,
    podSecurity: "privileged",
    quota: {
      requestsCpu: `${200 + nodeCount * 50}m`,
      requestsMemory: `${512 + nodeCount * 128}Mi`,
      limitsCpu: String(4 + nodeCount),
      limitsMemory: `${4 + nodeCount}Gi`,
      storage: "0",
      pods,
    },
    egress: [
      dnsEgress(),
      apiServerEgress("Velero reads the resources it backs up and re-creates them on restore; its node agents watch their backups through the API server"),
      // The server, the node agents (file-system backups of the declared volumes) and the
      // repository maintenance jobs all read and write the bucket; nothing else runs here.
      internetEgress("s3-backups", "Velero writes backups to its S3 bucket and reads them back to restore"),
    ],
    ingress: [
      {
        description: "Prometheus scrapes the Velero server",
        podSelector: { "app.kubernetes.io/name": "velero", name: "velero" },
        fromNamespaces: ["monitoring"],
        ports: [METRICS_PORT],
      },
      {
        description: "Prometheus scrapes Velero's node agents",
        podSelector: { name: "node-agent" },
        fromNamespaces: ["monitoring"],
        ports: [METRICS_PORT],
      },
    ],
  }];
}
