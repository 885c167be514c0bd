// Database: the CloudNative-PG operator and its Barman Cloud plugin, one PostgreSQL
// Cluster with a pooler, daily base backups plus continuous WAL archiving to a private S3 bucket,
// the least-privilege identity that writes there, and PodMonitors. Pure builders live in
// values.ts, manifests.ts, iam.ts and namespaces.ts; this file only wires them to resources.
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { databaseBootstrap, type DatabaseSettings, type NodeSpec } from "../config";
import type { LabNamespace } from "../namespaces";
import { charts } from "../versions";
import { backupPolicyDocument, backupUserName, bucketPolicyDocument, bucketPrefix, lifecycleRules } from "./iam";
import {
  BACKUP_CREDENTIAL_KEYS,
  BACKUP_CREDENTIALS_SECRET,
  CLUSTER_NAME,
  clusterSpec,
  DATABASE_NAMESPACE,
  databaseSpecs,
  OBJECT_STORE_NAME,
  objectStoreSpec,
  OPERATOR_NAMESPACE,
  POOLER_HOST,
  POOLER_NAME,
  poolerSpec,
  podMonitors,
  requireOwnerSecrets,
  RW_HOST,
  SCHEDULED_BACKUP_NAME,
  scheduledBackupSpec,
  schedulableNodes,
} from "./manifests";
import { barmanPluginValues, cnpgOperatorValues } from "./values";
import { rotatingAccessKeys } from "../access-keys";
import { pinnedChart } from "../helm";

export * from "./iam";
export * from "./manifests";
export * from "./namespaces";
export * from "./values";

export interface DatabaseArgs {
  provider: k8s.Provider;
  awsProvider: aws.Provider;
  /** The `database` namespace: the Cluster, pooler, backups and the backup credentials. */
  namespace: LabNamespace;
  /** `cnpg-system`: the operator and the Barman Cloud plugin (which must share it). */
  operatorNamespace: LabNamespace;
  /** cert-manager (the certificates layer's chart): the plugin's Issuer and Certificates need its webhook. */
  certManager: pulumi.Resource;
  /** The storage layer's database class (nfs-postgres-v2) for data and WAL volumes. */
  storageClass: pulumi.Input<string>;
  settings: DatabaseSettings;
  stack: string;
  /** The AWS region of the backup bucket (homelab:aws.region). */
  region: string;
  /** The permissions boundary of the backup user (homelab:aws.permissionsBoundary), if the stack sets one. */
  permissionsBoundary?: string;
  /** The backup user's access key generations (homelab:aws.accessKeyGenerations "pg-backup"); [1] by default. */
  accessKeyGenerations?: number[];
  /** The inventory: instances get a host each when enough nodes take untainted pods. */
  nodes: Pick<NodeSpec, "name" | "taints">[];
  /** basic-auth Secret (username postgres) in the database namespace, synced by the secrets layer. */
  superuserSecretName: string;
  /** basic-auth Secret per database (username = database name), keyed by database name. */
  ownerSecretNames: Record<string, string>;
  /** What must exist before the Cluster bootstraps, e.g. the secrets layer's ExternalSecrets. */
  credentialsReady?: pulumi.Resource[];
  /**
   * The Prometheus Operator CRDs (observability layer). PodMonitors wait for them; without them
   * in the cluster the PodMonitors cannot be created.
   */
  monitoringReady?: pulumi.Resource[];
}

function expectNamespace(ns: LabNamespace, expected: string, arg: string): void {
  if (ns.spec.name !== expected) {
    throw new Error(`Database: ${arg} must be the "${expected}" namespace (from databaseNamespaces()), got "${ns.spec.name}"`);
  }
}

export class Database extends pulumi.ComponentResource {
  readonly clusterName: pulumi.Output<string>;
  /** Read-write service of the primary: `postgres-rw.database.svc`. */
  readonly rwHost: string;
  /** The PgBouncer service, when the stack runs poolers. */
  readonly poolerHost?: string;
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  readonly backupUserArn: pulumi.Output<string>;
  /** The server name the Cluster archives under (its folder in the bucket). */
  readonly serverName: string;
  /** How the Cluster was created: "initdb" or "recovery from <server name>[ to <time>]". */
  readonly bootstrap: string;

  constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    // Checked before anything registers, so a wiring mistake leaves nothing half-created.
    expectNamespace(args.namespace, DATABASE_NAMESPACE, "namespace");
    expectNamespace(args.operatorNamespace, OPERATOR_NAMESPACE, "operatorNamespace");
    requireOwnerSecrets(args.settings.databases, args.ownerSecretNames);
    super("homelab:database:Database", name, {}, opts);
    const { provider, awsProvider, settings } = args;
    const k8sOpts = { parent: this, provider };
    const awsOpts = { parent: this, provider: awsProvider };
    const tags = { "homelab:stack": args.stack, "homelab:layer": "database" };
    const dbNamespace = args.namespace.name;

    // Operators. The plugin needs cert-manager (Issuer and Certificates) and the CNPG CRDs.
    const operator = pinnedChart(`${name}-cnpg`, charts.cloudnativePg, {
      release: "cnpg", namespace: args.operatorNamespace.name, values: cnpgOperatorValues(),
    }, k8sOpts);
    const plugin = pinnedChart(`${name}-barman-cloud`, charts.barmanCloudPlugin, {
      release: "plugin-barman-cloud", namespace: args.operatorNamespace.name, values: barmanPluginValues(),
    }, { ...k8sOpts, dependsOn: [args.certManager, operator] });

    // The backup bucket. protect: it holds every base backup and WAL segment, the only copy of the
    // data outside the cluster; forceDestroy stays false so even an unprotected delete fails on a
    // non-empty bucket.
    const bucket = new aws.s3.Bucket(`${name}-backups`, {
      bucketPrefix: bucketPrefix(args.stack),
      forceDestroy: false,
      tags,
    }, { ...awsOpts, protect: true });
    const ownership = new aws.s3.BucketOwnershipControls(`${name}-backups-ownership`, {
      bucket: bucket.id,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    }, awsOpts);
    const publicAccess = new aws.s3.BucketPublicAccessBlock(`${name}-backups-public-access`, {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    }, awsOpts);
    const versioning = new aws.s3.BucketVersioning(`${name}-backups-versioning`, {
      bucket: bucket.id,
      versioningConfiguration: { status: "Enabled" },
    }, awsOpts);
    const encryption = new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-backups-encryption`, {
      bucket: bucket.id,
      // SSE-S3: encrypted at rest with no KMS key policy for the backup identity to need.
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    }, awsOpts);
    new aws.s3.BucketLifecycleConfiguration(`${name}-backups-lifecycle`, {
      bucket: bucket.id,
      rules: lifecycleRules(settings.backup.retentionDays),
    }, { ...awsOpts, dependsOn: [versioning] });
    new aws.s3.BucketPolicy(`${name}-backups-tls-only`, {
      bucket: bucket.id,
      policy: bucket.arn.apply((arn) => JSON.stringify(bucketPolicyDocument(arn))),
    }, { ...awsOpts, dependsOn: [publicAccess, ownership] });

    // The backup identity: one IAM user whose only permissions are on this bucket.
    const user = new aws.iam.User(`${name}-backup`, {
      name: backupUserName(args.stack),
      path: "/homelab/",
      permissionsBoundary: args.permissionsBoundary,
      tags,
    }, awsOpts);
    new aws.iam.UserPolicy(`${name}-backup`, {
      user: user.name,
      policy: bucket.arn.apply((arn) => JSON.stringify(backupPolicyDocument(arn))),
    }, awsOpts);
    // Rotated by generations (homelab:aws.accessKeyGenerations "pg-backup"); the Secret carries the newest.
    const accessKey = rotatingAccessKeys(`${name}-backup`, user.name, args.accessKeyGenerations ?? [1], awsOpts);

    // A bootstrap credential: it is born here (from the access key), so it cannot come from
    // Secrets Manager through External Secrets like the others. Secret from creation on.
    const credentials = new k8s.core.v1.Secret(`${name}-backup-credentials`, {
      metadata: {
        name: BACKUP_CREDENTIALS_SECRET,
        namespace: dbNamespace,
        labels: { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "database" },
        annotations: {
          "homelab.dev/bootstrap-credential": "true",
          "homelab.dev/why": "access key of the backup IAM user, created by the database layer itself",
        },
      },
      type: "Opaque",
      stringData: {
        [BACKUP_CREDENTIAL_KEYS.accessKeyId]: pulumi.secret(accessKey.id),
        [BACKUP_CREDENTIAL_KEYS.secretAccessKey]: pulumi.secret(accessKey.secret),
        [BACKUP_CREDENTIAL_KEYS.region]: args.region,
      },
    }, k8sOpts);

    const objectStore = new k8s.apiextensions.CustomResource(`${name}-object-store`, {
      apiVersion: "barmancloud.cnpg.io/v1",
      kind: "ObjectStore",
      metadata: { name: OBJECT_STORE_NAME, namespace: dbNamespace },
      spec: bucket.bucket.apply((bucketName) => objectStoreSpec(bucketName, settings.backup.retentionDays)),
    }, { ...k8sOpts, dependsOn: [plugin, credentials, encryption, versioning] });

    const spec = pulumi.output(args.storageClass).apply((storageClass) => clusterSpec({
      settings,
      storageClass,
      schedulableNodeCount: schedulableNodes(args.nodes).length,
      superuserSecretName: args.superuserSecretName,
      ownerSecretNames: args.ownerSecretNames,
    }));
    // protect: deleting the Cluster makes the operator delete its PVCs, i.e. the database itself.
    const cluster = new k8s.apiextensions.CustomResource(`${name}-cluster`, {
      apiVersion: "postgresql.cnpg.io/v1",
      kind: "Cluster",
      metadata: { name: CLUSTER_NAME, namespace: dbNamespace },
      spec,
    }, {
      ...k8sOpts,
      protect: true,
      // A Cluster bootstraps once; CloudNative-PG ignores a later change of spec.bootstrap. Marked
      // as replacing, so switching an existing Cluster to a restore is refused by the engine
      // (a protected resource is never replaced) instead of silently doing nothing.
      replaceOnChanges: ["spec.bootstrap"],
      dependsOn: [operator, plugin, objectStore, ...(args.credentialsReady ?? [])],
    });

    new k8s.apiextensions.CustomResource(`${name}-scheduled-backup`, {
      apiVersion: "postgresql.cnpg.io/v1",
      kind: "ScheduledBackup",
      metadata: { name: SCHEDULED_BACKUP_NAME, namespace: dbNamespace },
      spec: scheduledBackupSpec(settings.backup.schedule),
    }, { ...k8sOpts, dependsOn: [cluster] });

    const pooler = poolerSpec(settings);
    if (pooler) {
      new k8s.apiextensions.CustomResource(`${name}-pooler`, {
        apiVersion: "postgresql.cnpg.io/v1",
        kind: "Pooler",
        metadata: { name: POOLER_NAME, namespace: dbNamespace },
        spec: pooler,
      }, { ...k8sOpts, dependsOn: [cluster] });
    }

    for (const db of databaseSpecs(settings.databases)) {
      new k8s.apiextensions.CustomResource(`${name}-${db.name}`, {
        apiVersion: "postgresql.cnpg.io/v1",
        kind: "Database",
        metadata: { name: db.name, namespace: dbNamespace },
        spec: db.spec,
      }, { ...k8sOpts, dependsOn: [cluster] });
    }

    const namespaceOutputs: Record<string, pulumi.Output<string>> = {
      [DATABASE_NAMESPACE]: dbNamespace,
      [OPERATOR_NAMESPACE]: args.operatorNamespace.name,
    };
    const monitors = podMonitors({
      pooler: pooler !== undefined,
      operatorNamespace: OPERATOR_NAMESPACE,
    });
    for (const monitor of monitors) {
      const meta = monitor.metadata as { name: string; namespace: string; labels: Record<string, string> };
      new k8s.apiextensions.CustomResource(`${name}-podmonitor-${meta.name}`, {
        apiVersion: monitor.apiVersion as string,
        kind: monitor.kind as string,
        metadata: { ...meta, namespace: namespaceOutputs[meta.namespace] },
        spec: monitor.spec as Record<string, unknown>,
      }, { ...k8sOpts, dependsOn: args.monitoringReady ?? [] });
    }

    this.clusterName = cluster.metadata.apply((m) => m.name ?? CLUSTER_NAME);
    this.rwHost = RW_HOST;
    this.poolerHost = pooler ? POOLER_HOST : undefined;
    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.backupUserArn = user.arn;
    this.serverName = settings.backup.serverName;
    this.bootstrap = databaseBootstrap(settings);
    this.registerOutputs({
      serverName: this.serverName,
      bootstrap: this.bootstrap,
      clusterName: this.clusterName,
      rwHost: this.rwHost,
      poolerHost: this.poolerHost,
      bucketName: this.bucketName,
      bucketArn: this.bucketArn,
      backupUserArn: this.backupUserArn,
    });
  }
}
