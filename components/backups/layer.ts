// VolumeBackups: Velero with its node agent, its own bucket and writer identity, the kopia
// repository's password, the storage location and the reference lab's two schedules. Pure
// builders live in velero.ts and volumes.ts; this file only wires them to resources.
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { pinnedChart } from "../helm";
import type { LabNamespace } from "../namespaces";
import { charts } from "../versions";
import { BackupBucket } from "./bucket";
import {
  awsCredentialsFile,
  BACKUP_LOCATION,
  BackupSettings,
  backupStorageLocationSpec,
  scheduleSpecs,
  VELERO_CREDENTIALS_KEY,
  VELERO_CREDENTIALS_SECRET,
  VELERO_NAMESPACE,
  VELERO_RELEASE,
  VELERO_REPOSITORY_KEY,
  VELERO_REPOSITORY_SECRET,
  veleroValues,
} from "./velero";

export interface VolumeBackupsArgs {
  provider: k8s.Provider;
  awsProvider: aws.Provider;
  randomProvider: random.Provider;
  /** The `velero` namespace (veleroNamespaces). */
  namespace: LabNamespace;
  stack: string;
  /** The bucket's region (homelab:aws.region). */
  region: string;
  settings: BackupSettings;
  /** The Prometheus Operator CRDs: the chart's ServiceMonitor and PodMonitor need them. */
  monitoringReady: pulumi.Resource[];
}

export class VolumeBackups extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  /** The Schedule names, as Velero's metrics label them. */
  readonly schedules: string[];

  constructor(name: string, args: VolumeBackupsArgs, opts?: pulumi.ComponentResourceOptions) {
    if (args.namespace.spec.name !== VELERO_NAMESPACE) {
      throw new Error(`VolumeBackups: namespace must be "${VELERO_NAMESPACE}" (from veleroNamespaces()), got "${args.namespace.spec.name}"`);
    }
    super("homelab:backups:VolumeBackups", name, {}, opts);
    const k8sOpts = { parent: this, provider: args.provider };
    const namespace = args.namespace.name;
    const bootstrap = (why: string) => ({
      labels: { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "backups" },
      annotations: { "homelab.dev/bootstrap-credential": "true", "homelab.dev/why": why },
    });

    const bucket = new BackupBucket(`${name}-bucket`, { stack: args.stack, purpose: "velero", keepPrunedDays: 7 }, { parent: this, provider: args.awsProvider });

    // protect: it encrypts every kopia repository; without it no volume backup can be read back.
    const repositoryPassword = new random.RandomPassword(`${name}-repository-password`, {
      length: 48,
      special: false,
    }, { parent: this, provider: args.randomProvider, protect: true });

    const credentials = new k8s.core.v1.Secret(`${name}-credentials`, {
      metadata: { name: VELERO_CREDENTIALS_SECRET, namespace, ...bootstrap("access key of the Velero bucket's IAM user, created by the backups layer itself") },
      type: "Opaque",
      stringData: {
        [VELERO_CREDENTIALS_KEY]: pulumi.secret(pulumi.all([bucket.accessKeyId, bucket.secretAccessKey]).apply(([id, key]) => awsCredentialsFile(id, key))),
      },
    }, k8sOpts);
    const repository = new k8s.core.v1.Secret(`${name}-repository`, {
      metadata: { name: VELERO_REPOSITORY_SECRET, namespace, ...bootstrap("the kopia repositories' password, made by the program so Velero never falls back to its public default") },
      type: "Opaque",
      stringData: { [VELERO_REPOSITORY_KEY]: pulumi.secret(repositoryPassword.result) },
    }, k8sOpts);

    const chart = pinnedChart(`${name}-velero`, charts.velero, {
      release: VELERO_RELEASE, namespace, values: veleroValues(),
    }, { ...k8sOpts, dependsOn: [credentials, repository, ...args.monitoringReady] });

    const location = new k8s.apiextensions.CustomResource(`${name}-location`, {
      apiVersion: "velero.io/v1",
      kind: "BackupStorageLocation",
      metadata: { name: BACKUP_LOCATION, namespace },
      spec: bucket.bucketName.apply((b) => backupStorageLocationSpec(b, args.region)),
    }, { ...k8sOpts, dependsOn: [chart] });

    const schedules = scheduleSpecs(args.settings);
    for (const schedule of schedules) {
      new k8s.apiextensions.CustomResource(`${name}-${schedule.name}`, {
        apiVersion: "velero.io/v1",
        kind: "Schedule",
        metadata: { name: schedule.name, namespace },
        spec: schedule.spec,
      }, { ...k8sOpts, dependsOn: [location] });
    }

    this.bucketName = bucket.bucketName;
    this.schedules = schedules.map((s) => s.name);
    this.registerOutputs({ bucketName: this.bucketName, schedules: this.schedules });
  }
}
