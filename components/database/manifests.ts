// Pure builders for the CloudNative-PG objects: the Cluster, its backup ObjectStore (Barman Cloud
// plugin), the ScheduledBackup, the PgBouncer Pooler, Database objects and PodMonitors. Field names
// were checked against the CRDs of CloudNative-PG 1.30.0 and plugin-barman-cloud v0.13.0.
import type { DatabaseSettings, NodeSpec } from "../config";
import { podMonitor } from "../observability/monitors";
import { withSecondsField } from "../config/cron";
import { imageRef, images } from "../versions";
import type { Resources } from "./values";

/** The Cluster's name: its read-write Service is `postgres-rw`. */
export const CLUSTER_NAME = "postgres";
export const DATABASE_NAMESPACE = "database";
export const OPERATOR_NAMESPACE = "cnpg-system";
export const POSTGRES_PORT = 5432;
export const RW_SERVICE = `${CLUSTER_NAME}-rw`;
export const RW_HOST = `${RW_SERVICE}.${DATABASE_NAMESPACE}.svc`;
export const POOLER_NAME = `${CLUSTER_NAME}-pooler-rw`;
export const POOLER_HOST = `${POOLER_NAME}.${DATABASE_NAMESPACE}.svc`;
export const OBJECT_STORE_NAME = `${CLUSTER_NAME}-backups`;
export const SCHEDULED_BACKUP_NAME = `${CLUSTER_NAME}-daily`;
/** The Secret holding the backup identity's access key (created by this layer, see index.ts). */
export const BACKUP_CREDENTIALS_SECRET = `${CLUSTER_NAME}-backup-s3`;
export const BACKUP_CREDENTIAL_KEYS = {
  accessKeyId: "ACCESS_KEY_ID",
  secretAccessKey: "ACCESS_SECRET_KEY",
  region: "AWS_REGION",
} as const;
/** The plugin's name as the operator knows it (Cluster.spec.plugins, ScheduledBackup). */
export const BARMAN_PLUGIN = "barman-cloud.cloudnative-pg.io";

/** Ports the instances and poolers listen on (CloudNative-PG's fixed values). */
export const PORTS = {
  postgres: POSTGRES_PORT,
  instanceMetrics: 9187,
  poolerMetrics: 9127,
  instanceStatus: 8000,
  operatorWebhook: 9443,
  operatorMetrics: 8080,
  pluginGrpc: 9090,
} as const;

/** Labels the operator puts on pods (used by NetworkPolicies and PodMonitors). */
export const LABELS = {
  instances: { "cnpg.io/cluster": CLUSTER_NAME, "cnpg.io/podRole": "instance" },
  pooler: { "cnpg.io/poolerName": POOLER_NAME },
  /** Instances, poolers and the operator's join/initdb jobs all carry the cluster label. */
  clusterMembers: { "cnpg.io/cluster": CLUSTER_NAME },
  operator: { "app.kubernetes.io/name": "cloudnative-pg" },
  plugin: { "app.kubernetes.io/name": "plugin-barman-cloud" },
} as const;

// Sized for the reference lab's 8 GB mini PCs. Memory request equals the limit (as CloudNative-PG
// recommends) so the kernel never picks PostgreSQL as the OOM victim of an overcommitted node.
export const INSTANCE_RESOURCES: Resources = {
  requests: { cpu: "250m", memory: "1Gi" },
  limits: { cpu: "2", memory: "1Gi" },
};
/** The Barman Cloud sidecar in every instance pod (compresses and uploads WAL and base backups). */
export const SIDECAR_RESOURCES: Resources = {
  requests: { cpu: "50m", memory: "128Mi" },
  limits: { cpu: "1", memory: "512Mi" },
};
export const POOLER_RESOURCES: Resources = {
  requests: { cpu: "50m", memory: "64Mi" },
  limits: { cpu: "500m", memory: "256Mi" },
};

/**
 * PostgreSQL settings for a small lab on network storage: a quarter of the pod's memory for
 * shared buffers, WAL compressed (less NFS and S3 traffic), slow statements logged, and
 * pg_stat_statements (the operator adds it to shared_preload_libraries when it sees its keys).
 */
export const POSTGRESQL_PARAMETERS: Record<string, string> = {
  shared_buffers: "256MB",
  effective_cache_size: "768MB",
  work_mem: "8MB",
  maintenance_work_mem: "64MB",
  max_connections: "100",
  wal_compression: "zstd",
  max_wal_size: "2GB",
  min_wal_size: "256MB",
  checkpoint_completion_target: "0.9",
  log_min_duration_statement: "1000",
  log_checkpoints: "on",
  log_lock_waits: "on",
  "pg_stat_statements.max": "5000",
  "pg_stat_statements.track": "all",
};

/** Nodes an instance may land on: any node without a NoSchedule/NoExecute taint (we set no tolerations). */
export function schedulableNodes(nodes: Pick<NodeSpec, "name" | "taints">[]): string[] {
  return nodes.filter((n) => !n.taints.some((t) => /:(NoSchedule|NoExecute)$/.test(t))).map((n) => n.name);
}

/**
 * Anti-affinity between instances. "required" when every instance can have a host of its own, so
 * two replicas never share a machine (a single node failure would take both); "preferred" when
 * there are fewer schedulable nodes than instances, so the cluster still comes up, degraded.
 * The data lives on NFS, so an instance can move to any node: there is no node-local volume to pin it.
 */
export function antiAffinityType(instances: number, schedulableNodeCount: number): "required" | "preferred" {
  return instances > 1 && instances <= schedulableNodeCount ? "required" : "preferred";
}

export interface ClusterInputs {
  settings: DatabaseSettings;
  /** The storage class for data and WAL (the storage layer's nfs-postgres-v2). */
  storageClass: string;
  schedulableNodeCount: number;
  superuserSecretName: string;
  /** The basic-auth Secret of each database's owner role, keyed by database name. */
  ownerSecretNames: Record<string, string>;
}

/** Each database's owner role is named after the database (the owner Secret's username). */
export function ownerRole(database: string): string {
  return database;
}

/** Every configured database needs its owner's Secret; says which are missing. */
export function requireOwnerSecrets(databases: string[], ownerSecretNames: Record<string, string>): void {
  const missing = databases.filter((db) => !ownerSecretNames[db]);
  if (missing.length > 0) {
    throw new Error(
      `database layer: no owner Secret for ${missing.map((db) => `"${db}"`).join(", ")}; ` +
        "pass ownerSecretNames for every entry of homelab:database.databases (the secrets layer creates them)",
    );
  }
}

/** The external cluster a restore reads from: the same ObjectStore, the old server name's folder. */
export const RESTORE_SOURCE = "origin";

/**
 * Refuses a restore whose new timeline would be archived under the server name it restores from:
 * barman would file the new timeline's WAL and base backups among the old ones, and the plugin's
 * retention would then prune the only copy of the history being restored. Config validation
 * refuses this first (crossCheck); this is the builder's own guard.
 */
export function requireNewArchive(settings: Pick<DatabaseSettings, "backup" | "restore">): void {
  const from = settings.restore?.fromServerName;
  if (from !== undefined && from === settings.backup.serverName) {
    throw new Error(`database restore: the Cluster would archive under "${from}", the server name it restores from; set homelab:database.backup.serverName to a new name`);
  }
}

/**
 * How the Cluster is created: initdb (a new, empty database with its first owner), or recovery
 * from the Barman Cloud archive of another server name, to the latest point archived or to a
 * target time. Undefined without databases and without a restore (the operator's default initdb).
 */
export function bootstrapSpec(settings: Pick<DatabaseSettings, "databases" | "backup" | "restore">, ownerSecretNames: Record<string, string>): Record<string, unknown> | undefined {
  requireNewArchive(settings);
  const [first] = settings.databases;
  const owner = first ? { database: first, owner: ownerRole(first), secret: { name: ownerSecretNames[first] } } : {};
  const restore = settings.restore;
  if (restore) {
    return {
      recovery: {
        source: RESTORE_SOURCE,
        ...owner,
        ...(restore.targetTime ? { recoveryTarget: { targetTime: restore.targetTime } } : {}),
      },
    };
  }
  return first ? { initdb: { ...owner, dataChecksums: true } } : undefined;
}

/** The Cluster's spec (postgresql.cnpg.io/v1). */
export function clusterSpec(input: ClusterInputs): Record<string, unknown> {
  const { settings, storageClass, superuserSecretName, ownerSecretNames } = input;
  requireOwnerSecrets(settings.databases, ownerSecretNames);
  const bootstrap = bootstrapSpec(settings, ownerSecretNames);
  return {
    instances: settings.instances,
    imageName: imageRef(images.postgresql),
    // The NFS export must let this UID write (see the storage layer's nfs-postgres-v2 class).
    postgresUID: 26,
    postgresGID: 26,
    primaryUpdateStrategy: "unsupervised",
    // A single instance with a PodDisruptionBudget can never be evicted, so `kubectl drain` hangs.
    enablePDB: settings.instances > 1,
    storage: { size: settings.storageSize, storageClass },
    walStorage: { size: settings.walStorageSize, storageClass },
    affinity: {
      enablePodAntiAffinity: true,
      topologyKey: "kubernetes.io/hostname",
      podAntiAffinityType: antiAffinityType(settings.instances, input.schedulableNodeCount),
    },
    resources: INSTANCE_RESOURCES,
    postgresql: { parameters: POSTGRESQL_PARAMETERS },
    // No superuser login: the operator, its instance managers, backups and the pooler work over
    // local or certificate connections, and each application has its own owner role. Disabled,
    // CloudNative-PG 1.30 ignores the Secret's content and sets the postgres password to NULL
    // (api/v1/cluster_types.go EnableSuperuserAccess); the Secret stays referenced, so turning
    // homelab:database.superuserAccess on (break-glass) applies its password, nothing else needed.
    enableSuperuserAccess: settings.superuserAccess,
    superuserSecret: { name: superuserSecretName },
    // Without databases the operator's default ("app", with a generated secret) is what you get.
    ...(bootstrap ? { bootstrap } : {}),
    ...(settings.restore ? {
      externalClusters: [{
        name: RESTORE_SOURCE,
        plugin: {
          name: BARMAN_PLUGIN,
          parameters: { barmanObjectName: OBJECT_STORE_NAME, serverName: settings.restore.fromServerName },
        },
      }],
    } : {}),
    // Every owner, the bootstrap one included, is a managed role: a password rotated in Secrets
    // Manager (synced by External Secrets) is applied to the role, not only read once at initdb.
    ...(settings.databases.length > 0 ? {
      managed: {
        roles: settings.databases.map((db) => ({
          name: ownerRole(db),
          ensure: "present",
          login: true,
          inherit: true,
          passwordSecret: { name: ownerSecretNames[db] },
        })),
      },
    } : {}),
    plugins: [{
      name: BARMAN_PLUGIN,
      isWALArchiver: true,
      // Explicit, so the archive's folder never depends on the Cluster's name, and a restored
      // Cluster's new timeline goes to a folder of its own (requireNewArchive).
      parameters: { barmanObjectName: OBJECT_STORE_NAME, serverName: settings.backup.serverName },
    }],
  };
}

/** The CloudNative-PG retention syntax: days. */
export function retentionPolicy(retentionDays: number): string {
  if (!Number.isInteger(retentionDays) || retentionDays < 1) {
    throw new Error(`backup retention: expected a whole number of days >= 1, got ${retentionDays}`);
  }
  return `${retentionDays}d`;
}

/** The ObjectStore's spec (barmancloud.cnpg.io/v1): where WAL and base backups go, and for how long. */
export function objectStoreSpec(bucket: string, retentionDays: number): Record<string, unknown> {
  const key = (k: string) => ({ name: BACKUP_CREDENTIALS_SECRET, key: k });
  return {
    retentionPolicy: retentionPolicy(retentionDays),
    configuration: {
      destinationPath: `s3://${bucket}/`,
      s3Credentials: {
        accessKeyId: key(BACKUP_CREDENTIAL_KEYS.accessKeyId),
        secretAccessKey: key(BACKUP_CREDENTIAL_KEYS.secretAccessKey),
        region: key(BACKUP_CREDENTIAL_KEYS.region),
      },
      // zstd for WAL (many small files, archived continuously); base backups only offer
      // bzip2/gzip/lz4/snappy, and gzip gives the smallest daily upload of those.
      wal: { compression: "zstd", maxParallel: 2 },
      data: { compression: "gzip", jobs: 2 },
    },
    instanceSidecarConfiguration: { resources: SIDECAR_RESOURCES },
  };
}

/** The daily base backup through the plugin; `immediate` takes the first one at creation. */
export function scheduledBackupSpec(schedule: string): Record<string, unknown> {
  return {
    schedule: withSecondsField(schedule),
    cluster: { name: CLUSTER_NAME },
    method: "plugin",
    pluginConfiguration: { name: BARMAN_PLUGIN },
    // Backup objects belong to the ScheduledBackup, so they go when it goes (the data in S3 stays).
    backupOwnerReference: "self",
    immediate: true,
  };
}

/**
 * The PgBouncer pooler in front of the primary. Transaction pooling: the lab's clients (Open WebUI
 * through SQLAlchemy) hold idle connections open, and transaction mode lets a few server
 * connections serve them all; PgBouncer >= 1.21 keeps protocol-level prepared statements working
 * (max_prepared_statements). Anything that needs session state (advisory locks, LISTEN/NOTIFY,
 * SET outside a transaction) connects to postgres-rw directly. Undefined when poolerInstances is 0.
 */
export function poolerSpec(settings: Pick<DatabaseSettings, "poolerInstances">): Record<string, unknown> | undefined {
  if (settings.poolerInstances === 0) return undefined;
  return {
    cluster: { name: CLUSTER_NAME },
    instances: settings.poolerInstances,
    type: "rw",
    pgbouncer: {
      poolMode: "transaction",
      parameters: {
        max_client_conn: "500",
        default_pool_size: "20",
        max_prepared_statements: "200",
      },
    },
    template: {
      metadata: { labels: { ...LABELS.pooler } },
      spec: {
        containers: [{ name: "pgbouncer", resources: POOLER_RESOURCES }],
        // Spread poolers over hosts when there is room; never block scheduling for it.
        affinity: {
          podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [{
              weight: 100,
              podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { ...LABELS.pooler } } },
            }],
          },
        },
      },
    },
  };
}

/**
 * Database objects for every database after the first (initdb creates that one). Reclaim policy
 * "retain": deleting the object (or dropping it from the config) never drops the data.
 */
export function databaseSpecs(databases: string[]): { name: string; spec: Record<string, unknown> }[] {
  return databases.slice(1).map((db) => ({
    name: `${CLUSTER_NAME}-${db.replace(/_/g, "-")}`,
    spec: {
      name: db,
      owner: ownerRole(db),
      cluster: { name: CLUSTER_NAME },
      ensure: "present",
      databaseReclaimPolicy: "retain",
    },
  }));
}

/**
 * What Prometheus scrapes in this layer: the instances (port "metrics", 9187), the poolers
 * (port "metrics", 9127) and the operator (8080). The Cluster's own
 * `monitoring.enablePodMonitor` is deprecated; these replace it.
 */
export function podMonitors(opts: { pooler: boolean; operatorNamespace: string }): Record<string, unknown>[] {
  return [
    podMonitor(CLUSTER_NAME, DATABASE_NAMESPACE, LABELS.instances, "metrics"),
    ...(opts.pooler ? [podMonitor(POOLER_NAME, DATABASE_NAMESPACE, LABELS.pooler, "metrics")] : []),
    podMonitor("cnpg-operator", opts.operatorNamespace, LABELS.operator, "metrics"),
  ];
}
