// The composition root. It reads like the architecture: config, then the cluster, then the
// namespaces and secrets every layer stands on, then each layer, each given only what it needs.
// A new stack's first `pulumi up` stops after the cluster (components/previous-deployment.ts).
import * as aws from "@pulumi/aws";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import { aiNamespaces, openWebuiSecretsFrom, pickAiNamespaces, VoicePipeline } from "./components/ai";
import { BackupBucket, VolumeBackups, veleroNamespaces } from "./components/backups";
import { CertManager, certManagerNamespaces, dnsCredentialsFrom, LabIssuers } from "./components/certificates";
import { ConfigError, loadConfig, restoreProblems } from "./components/config";
import { Database, databaseNamespaces } from "./components/database";
import { gpuNamespaces, gpuOperatorIfNeeded } from "./components/gpu";
import { admitIngressController, IngressLayer, ingressNamespaces, ingressUrls } from "./components/ingress";
import { etcdS3CredentialsFrom, K3sCluster, PROGRAM_BUCKET_FOLDER } from "./components/k3s";
import { createNamespaces, hostNetworks } from "./components/namespaces";
import { MonitoringCrds, Observability, observabilityNamespaces } from "./components/observability";
import { ownerSecretName, SecretsLayer, secretsNamespaces } from "./components/secrets";
import { FIRST_DEPLOYMENT_NOTICE, previousDeployment } from "./components/previous-deployment";
import { NfsStorage, storageNamespaces } from "./components/storage";

export = async () => {
const config = loadConfig();
const previous = await previousDeployment();
// A Cluster bootstraps once: a restore is for a stack without one (docs/recovery.md). Checked
// before anything registers.
const restoreRefusals = restoreProblems(config.database, previous.database);
if (restoreRefusals.length > 0) throw new ConfigError(restoreRefusals);

// Default providers are disabled for every stack (Pulumi.yaml): each package gets one explicit provider.
const commandProvider = new command.Provider("command");
const randomProvider = new random.Provider("random");
const tlsProvider = new tls.Provider("tls");
const awsProvider = new aws.Provider("aws", {
  region: config.aws.region,
  profile: config.aws.profile,
  defaultTags: { tags: { "homelab:stack": config.stack, "managed-by": "pulumi" } },
});

// 1. The cluster, over SSH; its kubeconfig becomes the only Kubernetes provider. Its etcd
// snapshots' own bucket, when the stack wants one, is AWS only: made in the first run too.
const etcdBucket = config.k3s.etcdSnapshots.programBucket
  ? new BackupBucket("etcd-snapshots", { stack: config.stack, purpose: "etcd", keepPrunedDays: 7 }, { provider: awsProvider })
  : undefined;
const etcdPlacement = { region: config.aws.region, folder: PROGRAM_BUCKET_FOLDER };
const cluster = new K3sCluster("homelab", {
  nodes: config.nodes,
  k3s: config.k3s,
  // A key from secret config, or the operator's SSH agent (homelab:ssh.agent): loadConfig makes sure it is one of them.
  ...(config.ssh.agent ? { sshAgent: { socketPath: config.ssh.agentSocketPath } } : { sshPrivateKey: config.secrets.sshPrivateKey }),
  etcdS3Credentials: etcdS3CredentialsFrom(config.secrets),
  etcdS3Bucket: etcdBucket && {
    placement: etcdPlacement,
    bucket: etcdBucket.bucketName,
    credentials: pulumi.secret(pulumi.all([etcdBucket.accessKeyId, etcdBucket.secretAccessKey])
      .apply(([accessKeyId, secretAccessKey]) => ({ accessKeyId, secretAccessKey }))),
  },
}, { providers: [commandProvider, randomProvider, tlsProvider] });
const provider = cluster.provider;
const clusterOutputs = {
  kubeconfig: cluster.kubeconfig,
  apiServer: cluster.apiServerUrl,
  clusterIdentifier: cluster.clusterIdentifier,
  // For an etcd restore on new machines (docs/recovery.md): the token and where the snapshots are.
  serverToken: cluster.serverToken,
  ...(etcdBucket ? { etcdSnapshots: { bucket: etcdBucket.bucketName, ...etcdPlacement } } : {}),
};

if (!previous.clusterIdentifier) {
  pulumi.log.warn(FIRST_DEPLOYMENT_NOTICE);
  return clusterOutputs;
}

// 2. Every namespace, each declared by the layer that owns it, fenced both ways by NetworkPolicies
// (those the ingress controller routes to admit it); then the CRDs that monitors need.
const namespaces = createNamespaces(provider, admitIngressController([
  ...secretsNamespaces(config),
  ...certManagerNamespaces(config),
  ...storageNamespaces(config),
  ...gpuNamespaces(config),
  ...databaseNamespaces(config),
  ...observabilityNamespaces(config),
  ...aiNamespaces(config),
  ...ingressNamespaces(config),
  ...veleroNamespaces(config),
], config), hostNetworks(config));
const monitoringCrds = new MonitoringCrds("monitoring-crds", { provider });
// The web interfaces' HTTPS addresses, when the stack declares homelab:ingress (step 7 serves them).
const urls = config.ingress ? ingressUrls(config.ingress) : undefined;

// 3. Secrets: AWS Secrets Manager and IAM, synced into the namespaces by External Secrets.
const secrets = new SecretsLayer("secrets", { config, awsProvider, k8sProvider: provider, namespaces });

// 4. The platform: certificates, storage, GPU, database.
// cert-manager was the database layer's until the ingress layer needed it too; its former place
// keeps an existing lab's release (aliases, no reinstall).
const certManager = new CertManager("cert-manager", {
  provider,
  namespace: namespaces["cert-manager"],
  monitoringReady: [monitoringCrds],
  formerOwner: { name: "database", type: "homelab:database:Database" },
});

const storage = new NfsStorage("storage", {
  provider,
  namespace: namespaces["nfs-csi"],
  nfs: secrets.nfs,
  settings: config.storage,
});

const gpu = gpuOperatorIfNeeded("gpu", {
  provider,
  namespace: namespaces["gpu-operator"],
  gpuNodes: config.gpuNodes,
  settings: config.gpu,
});

const databaseSecrets = secrets.names("database");
const database = new Database("database", {
  provider,
  awsProvider,
  namespace: namespaces["database"],
  operatorNamespace: namespaces["cnpg-system"],
  certManager: certManager.chart,
  storageClass: storage.classes.postgres,
  settings: config.database,
  stack: config.stack,
  region: config.aws.region,
  permissionsBoundary: config.aws.permissionsBoundary,
  accessKeyGenerations: config.aws.accessKeyGenerations["pg-backup"],
  nodes: config.nodes,
  superuserSecretName: databaseSecrets["postgres-superuser"],
  ownerSecretNames: Object.fromEntries(config.database.databases.map((db) => [db, databaseSecrets[ownerSecretName(db)]])),
  credentialsReady: [secrets],
  monitoringReady: [monitoringCrds],
});

// 5. Observability: metrics, logs, alerts and dashboards for everything above.
const monitoringSecrets = secrets.names("monitoring");
const observability = new Observability("observability", {
  provider,
  namespace: namespaces["monitoring"],
  agentNamespace: namespaces["node-agents"],
  storageClass: storage.classes.general,
  settings: config.observability,
  grafanaAdminSecretName: monitoringSecrets["grafana-admin"],
  alertWebhookSecretName: monitoringSecrets["alertmanager-webhook"],
  gpu: config.gpuNodes.length > 0,
  crds: monitoringCrds,
  grafanaUrl: urls?.grafana,
});

// 6. The AI voice pipeline.
const ai = new VoicePipeline("ai", {
  provider,
  namespaces: pickAiNamespaces(namespaces),
  storageClass: storage.classes.general,
  settings: config.ai,
  accelerator: config.accelerator,
  gpuNodes: config.gpuNodes,
  openWebuiSecrets: openWebuiSecretsFrom(secrets.refs("open-webui")),
  openWebuiUrl: urls?.openWebui,
  openWebuiDependsOn: [secrets],
  gpuDependsOn: gpu ? [gpu] : [],
});

// 7. HTTPS names for the web interfaces: the lab's ClusterIssuers, then Traefik and the routes.
let ingressOutputs = {};
if (config.ingress) {
  const acme = config.ingress.acme;
  const issuers = new LabIssuers("issuers", {
    provider,
    certManager: certManager.chart,
    stack: config.stack,
    domain: config.ingress.domain,
    acme,
    acmeCredentials: acme ? dnsCredentialsFrom(secrets.refs("cert-manager"), acme.dns01) : undefined,
    acmeCredentialsReady: [secrets],
  });
  const ingress = new IngressLayer("ingress", {
    provider,
    namespace: namespaces["ingress"],
    namespaces,
    settings: config.ingress,
    issuerName: issuers.issuerName,
    issuers: [issuers],
    backendsReady: { openWebui: [ai.services.openWebui], grafana: [observability.kubePrometheusStack] },
    monitoringReady: [monitoringCrds],
  });
  ingressOutputs = {
    urls: ingress.urls,
    // The lab CA signs the names unless ACME does; trusting it once is what makes the names work.
    labCa: acme ? "not needed: the certificates come from the ACME CA" : issuers.caCertificateCommand,
  };
}

// 8. Backups: Velero, resources daily and the declared volumes weekly, to a bucket of its own.
const backups = new VolumeBackups("backups", {
  provider,
  awsProvider,
  randomProvider,
  namespace: namespaces["velero"],
  stack: config.stack,
  region: config.aws.region,
  settings: config.backups,
  monitoringReady: [monitoringCrds],
});

return {
  ...clusterOutputs,
  storageClasses: storage.classes,
  postgres: { host: database.rwHost, backupBucket: database.bucketName, serverName: database.serverName, bootstrap: database.bootstrap },
  grafana: observability.grafanaService,
  prometheus: observability.prometheusUrl,
  alertDelivery: observability.alertDelivery,
  aiEndpoints: ai.urls,
  ...ingressOutputs,
  backups: { bucket: backups.bucketName, schedules: backups.schedules },
};
};
