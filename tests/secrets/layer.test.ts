// SecretsLayer under the mock runtime: what it registers, with which inputs, secrets and ordering.
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { createNamespaces, NamespaceSpec } from "../../components/namespaces";
import { catalogue, catalogueNamespaces, SecretsLayer, secretsNamespaces, syncedEntries } from "../../components/secrets";
import { charts } from "../../components/versions";
import { isSecret, mockRuntime, Recorder, settle, valueOf } from "../helpers/runtime";
import { NFS, testConfig, WEBHOOK_URL } from "./fixtures";
import { validateModels } from "../helpers/schemas";
import { stagingNetworks } from "../helpers/networks";

const ACCOUNT = "123456789012";
const SENTINEL = "GENERATED-VALUE-";
const T = {
  secret: "aws:secretsmanager/secret:Secret",
  version: "aws:secretsmanager/secretVersion:SecretVersion",
  user: "aws:iam/user:User",
  userPolicy: "aws:iam/userPolicy:UserPolicy",
  accessKey: "aws:iam/accessKey:AccessKey",
  k8sSecret: "kubernetes:core/v1:Secret",
  externalSecret: "kubernetes:external-secrets.io/v1:ExternalSecret",
  secretStore: "kubernetes:external-secrets.io/v1:SecretStore",
  chart: "kubernetes:helm.sh/v4:Chart",
  layer: "homelab:secrets:SecretsLayer",
};

const quota = { requestsCpu: "1", requestsMemory: "1Gi", limitsCpu: "2", limitsMemory: "2Gi", storage: "10Gi", pods: 10 };
const plainNamespace = (name: string): NamespaceSpec => ({ name, podSecurity: "restricted", quota, ingress: [], egress: [] });

let recorder: Recorder;
let layer: SecretsLayer;
const config = testConfig({ stack: "staging", alertWebhook: true, databases: ["openwebui", "grafana"] });
const cat = catalogue(config);

beforeAll(async () => {
  recorder = await mockRuntime("staging");
  // Make generated values and the account id recognisable, as a real engine would fill them in.
  const monitor = settings.getMonitor() as unknown as { mocks: pulumi.runtime.Mocks };
  const mocks = monitor.mocks;
  const newResource = mocks.newResource.bind(mocks);
  const call = mocks.call.bind(mocks);
  mocks.newResource = (args) => {
    const result = newResource(args) as { id: string | undefined; state: Record<string, unknown> };
    if (args.type === "random:index/randomPassword:RandomPassword") result.state.result = `${SENTINEL}${args.name}`;
    if (args.type === "random:index/randomBytes:RandomBytes") {
      result.state.base64 = `${SENTINEL}${args.name}-b64`;
      result.state.hex = `${SENTINEL}${args.name}-hex`;
    }
    if (args.type === "aws:iam/accessKey:AccessKey") result.state.secret = `${SENTINEL}${args.name}-secret-access-key`;
    return result;
  };
  mocks.call = (args) => (args.token === "aws:index/getCallerIdentity:getCallerIdentity"
    ? { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/ci`, userId: "AIDA", id: ACCOUNT }
    : call(args));

  const k8sProvider = new k8s.Provider("k8s", { kubeconfig: "{}" });
  const awsProvider = new aws.Provider("aws", { region: config.aws.region });
  const namespaces = createNamespaces(k8sProvider, [
    ...secretsNamespaces(config),
    ...["database", "open-webui", "monitoring", "nfs-csi", "ollama"].map(plainNamespace),
  ], stagingNetworks());
  layer = new SecretsLayer("secrets", { config, awsProvider, k8sProvider, namespaces });
  await settle();
});

const inNamespace = (type: string, ns: string) =>
  recorder.ofType(type).filter((r) => (r.revealedInputs.metadata as { namespace?: string } | undefined)?.namespace === ns);
const layerUrn = () => recorder.ofType(T.layer)[0].urn;

describe("SecretsLayer", () => {
  it("registers a protected Secrets Manager secret and a version for every catalogue entry", () => {
    const secrets = recorder.ofType(T.secret);
    const versions = recorder.ofType(T.version);
    expect(secrets).toHaveLength(cat.entries.length);
    expect(versions).toHaveLength(cat.entries.length);
    for (const entry of cat.entries) {
      const secret = recorder.byName(T.secret, `secrets-${entry.namespace}-${entry.name}`);
      expect(secret.inputs).toMatchObject({
        name: `homelab/staging/${entry.namespace}/${entry.name}`,
        description: entry.description,
        recoveryWindowInDays: 7,
        tags: { project: "homelab", stack: "staging", namespace: entry.namespace },
      });
      expect(secret.protect).toBe(true);
      const version = recorder.byName(T.version, `secrets-${entry.namespace}-${entry.name}`);
      expect(version.dependencies).toContain(secret.urn);
      expect(version.secretPaths).toContain("secretString");
      const document = JSON.parse(version.revealedInputs.secretString as string);
      expect(Object.keys(document)).toEqual(Object.keys(entry.properties));
    }
  });

  it("fills each JSON document from the generators and the operator's secret config", () => {
    const doc = (ns: string, name: string) =>
      JSON.parse(recorder.byName(T.version, `secrets-${ns}-${name}`).revealedInputs.secretString as string);
    expect(doc("database", "postgres-superuser")).toEqual({ username: "postgres", password: `${SENTINEL}secrets-postgres-superuser-password` });
    expect(doc("database", "grafana-owner")).toEqual({ username: "grafana", password: `${SENTINEL}secrets-grafana-owner-password` });
    expect(doc("open-webui", "database-url")).toEqual({
      DATABASE_URL: `postgresql://openwebui:${SENTINEL}secrets-openwebui-owner-password@postgres-rw.database.svc:5432/openwebui`,
    });
    expect(doc("open-webui", "secret-key")).toEqual({ WEBUI_SECRET_KEY: `${SENTINEL}secrets-webui-secret-key-b64` });
    expect(doc("monitoring", "grafana-admin")["admin-user"]).toBe("admin");
    expect(doc("monitoring", "alertmanager-webhook")).toEqual({ url: WEBHOOK_URL });
    expect(doc("nfs-csi", "nfs")).toEqual({ server: NFS.server, shareGeneral: NFS.general, sharePostgres: NFS.postgres, shareBackup: NFS.backup });
  });

  it("never shows a generated or operator-provided value in any input", () => {
    const visible = JSON.stringify(recorder.list().map((r) => r.inputs));
    const revealed = JSON.stringify(recorder.list().map((r) => r.revealedInputs));
    for (const value of [SENTINEL, NFS.server, NFS.general, NFS.postgres, NFS.backup, WEBHOOK_URL]) {
      expect(revealed).toContain(value); // the value did flow into the plan...
      expect(visible).not.toContain(value); // ...but only ever as a secret
    }
    // Random generators are registered through the layer's own random provider (defaults are disabled).
    for (const r of recorder.list().filter((x) => x.type.startsWith("random:index/random"))) {
      expect(r.provider).toMatch(/pulumi:providers:random::secrets-random/);
    }
  });

  it("syncs every entry but the records with an ExternalSecret in its namespace, after the chart, its store and its value", () => {
    const chart = recorder.byName(T.chart, "secrets-eso");
    for (const entry of syncedEntries(cat)) {
      const es = recorder.byName(T.externalSecret, `secrets-${entry.namespace}-${entry.name}-sync`);
      expect(es.inputs.metadata).toMatchObject({ name: entry.name, namespace: entry.namespace });
      expect((es.inputs.spec as any).target).toMatchObject({ name: entry.name, creationPolicy: "Owner", template: { type: entry.type } });
      expect(es.dependencies).toContain(chart.urn);
      expect(es.dependencies).toContain(recorder.byName(T.version, `secrets-${entry.namespace}-${entry.name}`).urn);
      expect(es.dependencies).toContain(recorder.byName(T.secretStore, `secrets-${entry.namespace}-store`).urn);
    }
    expect(recorder.ofType(T.externalSecret)).toHaveLength(syncedEntries(cat).length);
  });

  it("keeps the NAS record in Secrets Manager but syncs nothing into nfs-csi: no ExternalSecret, store, identity or key there", () => {
    expect(recorder.byName(T.secret, "secrets-nfs-csi-nfs").protect).toBe(true);
    for (const type of [T.externalSecret, T.secretStore, T.k8sSecret]) expect(inNamespace(type, "nfs-csi")).toHaveLength(0);
    expect(recorder.list().filter((r) => r.name.startsWith("secrets-nfs-csi-") && r.type.startsWith("aws:iam/"))).toEqual([]);
    expect(catalogueNamespaces(cat)).not.toContain("nfs-csi");
  });

  it("gives every namespace with synced entries a SecretStore, an IAM identity and one bootstrap credential", () => {
    const chart = recorder.byName(T.chart, "secrets-eso");
    const namespaces = catalogueNamespaces(cat);
    expect(recorder.ofType(T.secretStore).map((r) => (r.inputs.metadata as any).namespace).sort()).toEqual([...namespaces].sort());
    expect(inNamespace(T.secretStore, "external-secrets")).toHaveLength(0);
    expect(inNamespace(T.secretStore, "ollama")).toHaveLength(0);
    for (const ns of namespaces) {
      const store = recorder.byName(T.secretStore, `secrets-${ns}-store`);
      expect((store.inputs.spec as any).provider.aws).toMatchObject({ service: "SecretsManager", region: "eu-west-1" });
      const bootstrap = recorder.byName(T.k8sSecret, `secrets-${ns}-aws-credentials`);
      expect(store.dependencies).toEqual(expect.arrayContaining([chart.urn, bootstrap.urn]));
      expect(bootstrap.secretPaths).toContain("stringData");
      expect(bootstrap.inputs.stringData).toBe("[secret]");
      expect(Object.keys(bootstrap.revealedInputs.stringData as object).sort()).toEqual(["access-key-id", "secret-access-key"]);
      expect((bootstrap.inputs.metadata as any).name).toBe("aws-secrets-manager-credentials");
      const user = recorder.byName(T.user, `secrets-${ns}-eso`);
      expect(user.inputs.name).toBe(`homelab-staging-eso-${ns}`);
      expect(recorder.byName(T.accessKey, `secrets-${ns}-eso`).additionalSecretOutputs).toContain("secret");
    }
    // Exactly one identity and one bootstrap credential per namespace with entries.
    expect(recorder.ofType(T.user)).toHaveLength(namespaces.length);
    expect(recorder.ofType(T.k8sSecret)).toHaveLength(namespaces.length);
  });

  it("scopes each identity's policy to the three read actions on its own namespace prefix", () => {
    for (const ns of catalogueNamespaces(cat)) {
      const policy = recorder.byName(T.userPolicy, `secrets-${ns}-eso-read`);
      const doc = JSON.parse(policy.inputs.policy as string);
      expect(doc.Statement).toHaveLength(1);
      expect(doc.Statement[0].Action.sort()).toEqual([
        "secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue", "secretsmanager:ListSecretVersionIds",
      ]);
      expect(doc.Statement[0].Resource).toEqual([`arn:aws:secretsmanager:eu-west-1:${ACCOUNT}:secret:homelab/staging/${ns}/*`]);
    }
  });

  it("installs the pinned operator chart with CRDs into its own namespace", () => {
    const chart = recorder.byName(T.chart, "secrets-eso");
    expect(chart.inputs).toMatchObject({
      chart: "external-secrets",
      version: charts.externalSecrets.version,
      repositoryOpts: { repo: charts.externalSecrets.repo },
      namespace: "external-secrets",
      values: { installCRDs: true, serviceMonitor: { enabled: true } },
    });
    expect(chart.provider).toMatch(/k8s/);
  });

  it("keeps every child under the layer with an explicit provider", () => {
    const children = recorder.list().filter((r) => r.parent === layerUrn());
    expect(children.length).toBeGreaterThan(20);
    for (const child of children.filter((c) => !c.type.startsWith("pulumi:providers:"))) {
      expect([child.type, child.provider]).toEqual([child.type, expect.any(String)]);
    }
    for (const r of recorder.list().filter((x) => x.type.startsWith("aws:") && x.custom)) expect(r.provider).toMatch(/::aws::/);
  });

  it("registers ExternalSecrets and SecretStores that validate against the v1 schema", () => {
    const objects = [...recorder.ofType(T.externalSecret), ...recorder.ofType(T.secretStore)].map((r) => r.revealedInputs);
    const results = validateModels(objects);
    expect(results).toHaveLength(syncedEntries(cat).length + catalogueNamespaces(cat).length);
    expect(results.filter((r) => r.error !== null)).toEqual([]);
  });

  it("hands the storage layer the NFS details as a secret, and other layers names only", async () => {
    expect(await isSecret(layer.nfs)).toBe(true);
    expect(await valueOf(layer.nfs)).toEqual({ server: NFS.server, shares: { general: NFS.general, postgres: NFS.postgres, backup: NFS.backup } });
    expect(layer.names("database")).toEqual({ "postgres-superuser": "postgres-superuser", "openwebui-owner": "openwebui-owner", "grafana-owner": "grafana-owner" });
    expect(layer.refs("monitoring")["alertmanager-webhook"]).toEqual({ name: "alertmanager-webhook", keys: ["url"] });
    expect(() => layer.names("ollama")).toThrow(/no secrets for namespace "ollama"/);
  });

  it("refuses to build when a catalogue namespace was not created, before registering anything", async () => {
    const k8sProvider = new k8s.Provider("k8s-missing", { kubeconfig: "{}" });
    const awsProvider = new aws.Provider("aws-missing", { region: "eu-west-1" });
    const namespaces = { "external-secrets": {} as never };
    const before = recorder.list().length;
    expect(() => new SecretsLayer("secrets-missing", { config, awsProvider, k8sProvider, namespaces }))
      .toThrow(/namespace "database" is missing/);
    await settle();
    // Nothing but the component itself (and the two providers above) was registered.
    expect(recorder.list().filter((r) => r.urn.includes("secrets-missing") && r.type !== T.layer)).toEqual([]);
    expect(recorder.list().length).toBeLessThanOrEqual(before + 3);
  });
});
