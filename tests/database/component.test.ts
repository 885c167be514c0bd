// Database under the mock runtime: what it registers, with which inputs, parents, providers,
// protection and ordering.
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { Database, databaseNamespaces } from "../../components/database";
import { createNamespaces, LabNamespace } from "../../components/namespaces";
import type { RecordedResource } from "../../tools/lib/recorder";
import { charts } from "../../components/versions";
import { mockRuntime, Recorder, settle, valueOf } from "../helpers/runtime";
import { databaseSettings, stackDatabase } from "./stacks";
import { stagingNetworks } from "../helpers/networks";

const T = {
  component: "homelab:database:Database",
  chart: "kubernetes:helm.sh/v4:Chart",
  bucket: "aws:s3/bucket:Bucket",
  publicAccess: "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  versioning: "aws:s3/bucketVersioning:BucketVersioning",
  encryption: "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  lifecycle: "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
  bucketPolicy: "aws:s3/bucketPolicy:BucketPolicy",
  ownership: "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  user: "aws:iam/user:User",
  userPolicy: "aws:iam/userPolicy:UserPolicy",
  accessKey: "aws:iam/accessKey:AccessKey",
  secret: "kubernetes:core/v1:Secret",
  cluster: "kubernetes:postgresql.cnpg.io/v1:Cluster",
  objectStore: "kubernetes:barmancloud.cnpg.io/v1:ObjectStore",
  scheduledBackup: "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup",
  pooler: "kubernetes:postgresql.cnpg.io/v1:Pooler",
  database: "kubernetes:postgresql.cnpg.io/v1:Database",
  podMonitor: "kubernetes:monitoring.coreos.com/v1:PodMonitor",
};
const SECRET_KEY = "MOCK-SECRET-ACCESS-KEY";

let recorder: Recorder;
let staging: Database;
let dev: Database;
let namespaces: Record<string, LabNamespace>;
let k8sProvider: k8s.Provider;
let awsProvider: aws.Provider;
let prometheusCrds: pulumi.CustomResource;
let certManager: pulumi.CustomResource;

function args(overrides: Partial<ConstructorParameters<typeof Database>[1]> = {}): ConstructorParameters<typeof Database>[1] {
  const { settings: s, nodes } = stackDatabase("staging");
  return {
    provider: k8sProvider,
    awsProvider,
    namespace: namespaces["database"],
    operatorNamespace: namespaces["cnpg-system"],
    certManager,
    storageClass: pulumi.output("nfs-postgres-v2"),
    settings: { ...s, databases: ["openwebui", "n8n_app"] },
    stack: "staging",
    region: "eu-west-1",
    nodes,
    superuserSecretName: "postgres-superuser",
    ownerSecretNames: { openwebui: "openwebui-owner", n8n_app: "n8n-app-owner" },
    ...overrides,
  };
}

beforeAll(async () => {
  recorder = await mockRuntime("staging");
  // Fill the outputs a real engine computes (the bucket's name from its prefix, the access key).
  const monitor = settings.getMonitor() as unknown as { mocks: pulumi.runtime.Mocks };
  const newResource = monitor.mocks.newResource.bind(monitor.mocks);
  monitor.mocks.newResource = (a) => {
    const result = newResource(a) as { id: string | undefined; state: Record<string, unknown> };
    if (a.type === T.bucket) result.state.bucket = `${a.inputs.bucketPrefix}20260901`;
    if (a.type === T.accessKey) result.state.secret = SECRET_KEY;
    return result;
  };
  k8sProvider = new k8s.Provider("k8s", { kubeconfig: "{}" });
  awsProvider = new aws.Provider("aws", { region: "eu-west-1" });
  namespaces = createNamespaces(k8sProvider, databaseNamespaces({ database: databaseSettings() }), stagingNetworks());
  prometheusCrds = new k8s.apiextensions.v1.CustomResourceDefinition("podmonitors-crd", {
    metadata: { name: "podmonitors.monitoring.coreos.com" },
    spec: { group: "monitoring.coreos.com", names: { kind: "PodMonitor", plural: "podmonitors" }, scope: "Namespaced", versions: [] },
  }, { provider: k8sProvider });
  // Stands in for the certificates layer's chart: the plugin must wait for cert-manager's webhook.
  certManager = new k8s.core.v1.ConfigMap("cert-manager-stand-in", { metadata: { name: "cert-manager-stand-in" } }, { provider: k8sProvider });
  staging = new Database("database", args({ monitoringReady: [prometheusCrds] }));
  const d = stackDatabase("dev");
  dev = new Database("database-dev", args({ settings: { ...d.settings, poolerInstances: 0 }, nodes: d.nodes, stack: "dev", ownerSecretNames: { openwebui: "openwebui-owner" } }));
  await settle();
});

const component = (name: string) => recorder.byName(T.component, name);
/** The resources of one type that a given Database component created. */
const of = (type: string, componentName = "database"): RecordedResource[] =>
  recorder.ofType(type).filter((r) => r.parent === component(componentName).urn);
const one = (type: string, componentName = "database"): RecordedResource => {
  const found = of(type, componentName);
  if (found.length !== 1) throw new Error(`expected one ${type} in ${componentName}, got ${found.map((r) => r.name).join(", ")}`);
  return found[0];
};
const chartNamed = (release: string): RecordedResource => {
  const found = of(T.chart).find((c) => c.inputs.name === release);
  if (!found) throw new Error(`no chart with release name ${release}`);
  return found;
};

describe("Database (staging)", () => {
  it("parents every resource it creates to the component, with the explicit provider", () => {
    const root = component("database").urn;
    const children = recorder.list().filter((r) => r.parent === root);
    expect(children.length).toBeGreaterThan(15);
    for (const child of children) {
      const expected = child.type.startsWith("aws:") ? "aws" : "k8s";
      expect({ name: child.name, provider: child.provider ?? "" }).toEqual({ name: child.name, provider: expect.stringContaining(`::${expected}::`) });
    }
  });

  it("installs the two charts at their pinned versions, into their own namespaces (cert-manager is the certificates layer's)", () => {
    expect(of(T.chart).map((c) => c.inputs.name).sort()).toEqual(["cnpg", "plugin-barman-cloud"]);
    const expected = [
      ["cnpg", charts.cloudnativePg, "cnpg-system"],
      ["plugin-barman-cloud", charts.barmanCloudPlugin, "cnpg-system"],
    ] as const;
    for (const [release, pin, ns] of expected) {
      const chart = chartNamed(release);
      expect(chart.inputs).toMatchObject({ chart: pin.chart, version: pin.version, repositoryOpts: { repo: pin.repo }, namespace: ns });
    }
  });

  it("installs the plugin only after cert-manager and the operator", () => {
    const plugin = chartNamed("plugin-barman-cloud");
    expect(plugin.dependencies).toEqual(expect.arrayContaining([recorder.byName("kubernetes:core/v1:ConfigMap", "cert-manager-stand-in").urn, chartNamed("cnpg").urn]));
  });

  it("creates the Cluster after the operator, the plugin and its ObjectStore, and protects it", () => {
    const cluster = one(T.cluster);
    expect(cluster.protect).toBe(true);
    expect(cluster.dependencies).toEqual(expect.arrayContaining([chartNamed("cnpg").urn, chartNamed("plugin-barman-cloud").urn, one(T.objectStore).urn]));
    const spec = cluster.inputs.spec as any;
    expect(cluster.inputs.metadata).toMatchObject({ name: "postgres", namespace: "database" });
    expect(spec.instances).toBe(3);
    expect(spec.affinity.podAntiAffinityType).toBe("required");
    expect(spec.storage.storageClass).toBe("nfs-postgres-v2");
    expect(spec.plugins[0]).toMatchObject({ name: "barman-cloud.cloudnative-pg.io", isWALArchiver: true });
  });

  it("waits for the plugin's CRD before the ObjectStore, which points at the bucket", () => {
    const store = one(T.objectStore);
    expect(store.dependencies).toContain(chartNamed("plugin-barman-cloud").urn);
    expect((store.inputs.spec as any).configuration.destinationPath).toBe("s3://homelab-staging-pg-backups-20260901/");
    expect((store.inputs.spec as any).retentionPolicy).toBe("30d");
  });

  it("schedules backups, pools connections and declares the extra database after the Cluster", () => {
    const clusterUrn = one(T.cluster).urn;
    for (const type of [T.scheduledBackup, T.pooler, T.database]) expect(one(type).dependencies).toContain(clusterUrn);
    expect((one(T.scheduledBackup).inputs.spec as any).schedule).toBe("0 0 2 * * *");
    expect((one(T.pooler).inputs.spec as any).instances).toBe(2);
    expect((one(T.database).inputs.spec as any)).toMatchObject({ name: "n8n_app", owner: "n8n_app" });
  });

  it("creates a private, encrypted, versioned, protected bucket", () => {
    const bucket = one(T.bucket);
    expect(bucket.protect).toBe(true);
    expect(bucket.inputs.forceDestroy).toBe(false);
    expect(bucket.inputs.bucketPrefix).toBe("homelab-staging-pg-backups-");
    const onBucket = (type: string) => {
      const r = one(type);
      expect(r.dependencies).toContain(bucket.urn);
      return r.inputs;
    };
    expect(onBucket(T.publicAccess)).toMatchObject({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    expect(onBucket(T.versioning)).toMatchObject({ versioningConfiguration: { status: "Enabled" } });
    expect(onBucket(T.encryption)).toMatchObject({ rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] });
    expect(onBucket(T.ownership)).toMatchObject({ rule: { objectOwnership: "BucketOwnerEnforced" } });
    const lifecycle = onBucket(T.lifecycle) as any;
    expect(lifecycle.rules.find((r: any) => r.noncurrentVersionExpiration).noncurrentVersionExpiration.noncurrentDays).toBe(37);
    const tlsOnly = JSON.parse(onBucket(T.bucketPolicy).policy as string);
    expect(tlsOnly.Statement[0].Effect).toBe("Deny");
  });

  it("gives the backup user a policy on this bucket only", () => {
    const bucketArn = "arn:aws:mock:::database-backups"; // what the mock engine returns for the bucket
    const policy = JSON.parse(one(T.userPolicy).inputs.policy as string);
    const resources = policy.Statement.flatMap((s: any) => s.Resource);
    expect(new Set(resources)).toEqual(new Set([bucketArn, `${bucketArn}/*`]));
    expect(JSON.stringify(policy)).not.toMatch(/"s3:\*"|"\*"/);
  });

  it("puts the access key in the database namespace as a secret, never in plain text", () => {
    const secret = one(T.secret);
    expect(secret.inputs.metadata).toMatchObject({ name: "postgres-backup-s3", namespace: "database" });
    expect(secret.secretPaths).toEqual(expect.arrayContaining(["stringData"]));
    expect(JSON.stringify(secret.inputs)).not.toContain(SECRET_KEY);
    expect((secret.revealedInputs.stringData as any).ACCESS_SECRET_KEY).toBe(SECRET_KEY);
    expect((secret.revealedInputs.stringData as any).AWS_REGION).toBe("eu-west-1");
    expect(one(T.accessKey).additionalSecretOutputs).toContain("secret");
    // The ObjectStore reads exactly that Secret.
    const creds = (one(T.objectStore).inputs.spec as any).configuration.s3Credentials;
    expect(Object.keys(secret.revealedInputs.stringData as object).sort()).toEqual(Object.values(creds).map((c: any) => c.key).sort());
  });

  it("creates PodMonitors once the Prometheus Operator CRDs exist, never the deprecated switch", () => {
    const monitors = of(T.podMonitor);
    expect(monitors.map((m) => (m.inputs.metadata as any).name).sort()).toEqual(["cnpg-operator", "postgres", "postgres-pooler-rw"]);
    const crd = recorder.byName("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition", "podmonitors-crd");
    for (const m of monitors) expect(m.dependencies).toContain(crd.urn);
    expect(JSON.stringify(recorder.list().map((r) => r.inputs))).not.toMatch(/enablePodMonitor|barmanObjectStore/);
  });

  it("exposes the cluster, its read-write host and the bucket", async () => {
    expect(await valueOf(staging.clusterName)).toBe("postgres");
    expect(staging.rwHost).toBe("postgres-rw.database.svc");
    expect(staging.poolerHost).toBe("postgres-pooler-rw.database.svc");
    expect(await valueOf(staging.bucketName)).toBe("homelab-staging-pg-backups-20260901");
  });
});

describe("Database (dev)", () => {
  it("runs one instance without a pooler, still backed up", () => {
    const cluster = one(T.cluster, "database-dev");
    expect((cluster.inputs.spec as any).instances).toBe(1);
    expect(cluster.protect).toBe(true);
    expect(of(T.pooler, "database-dev")).toEqual([]);
    expect(of(T.podMonitor, "database-dev").map((m) => (m.inputs.metadata as any).name)).not.toContain("postgres-pooler-rw");
    expect(one(T.scheduledBackup, "database-dev")).toBeDefined();
    expect(one(T.bucket, "database-dev").inputs.bucketPrefix).toBe("homelab-dev-pg-backups-");
    expect(dev.poolerHost).toBeUndefined();
  });
});

describe("Database arguments", () => {
  it("refuses swapped namespaces and missing owner Secrets before registering anything", async () => {
    expect(() => new Database("database-wrong", args({ namespace: namespaces["cnpg-system"] })))
      .toThrow(/namespace must be the "database" namespace/);
    expect(() => new Database("database-missing", args({ ownerSecretNames: { openwebui: "openwebui-owner" } })))
      .toThrow(/no owner Secret for "n8n_app"/);
    await settle();
    expect(recorder.list().filter((r) => /database-(wrong|missing)/.test(r.name))).toEqual([]);
  });
});
