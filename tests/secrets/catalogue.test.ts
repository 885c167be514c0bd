import {
  catalogue,
  catalogueNamespaces,
  checkCatalogue,
  esoValues,
  externalSecretManifest,
  generatorRefs,
  OPEN_WEBUI_ADMIN_EMAIL,
  POSTGRES_RW_HOST,
  secretNames,
  secretRefs,
  secretsManagerName,
  secretsNamespaces,
  secretStoreManifest,
  SECRET_STORE_NAME,
  BOOTSTRAP_SECRET_NAME,
} from "../../components/secrets";
import { allowIngressSpec } from "../../components/namespaces";
import { charts } from "../../components/versions";
import { testConfig } from "./fixtures";
import { validateModels } from "../helpers/schemas";

const entryIds = (cat: ReturnType<typeof catalogue>) => cat.entries.map((e) => `${e.namespace}/${e.name}`);

describe("secrets catalogue", () => {
  it("lists every secret the stack needs, by namespace", () => {
    const cat = catalogue(testConfig());
    expect(entryIds(cat)).toEqual([
      "database/postgres-superuser",
      "database/openwebui-owner",
      "open-webui/admin",
      "open-webui/secret-key",
      "open-webui/database-url",
      "monitoring/grafana-admin",
      "nfs-csi/nfs",
    ]);
    // nfs-csi/nfs is a record: nothing in the cluster reads it, so nfs-csi gets no identity or store.
    expect(catalogueNamespaces(cat)).toEqual(["database", "open-webui", "monitoring"]);
    expect(cat.entries.filter((e) => e.recordOnly).map((e) => `${e.namespace}/${e.name}`)).toEqual(["nfs-csi/nfs"]);
    expect(Object.keys(secretRefs(testConfig(), "nfs-csi"))).toEqual([]);
  });

  it("gives every database its own generated owner role, in CloudNative-PG's basic-auth shape", () => {
    const cat = catalogue(testConfig({ databases: ["openwebui", "home_assistant"] }));
    const owner = cat.entries.find((e) => e.name === "home-assistant-owner")!;
    expect(owner.namespace).toBe("database");
    expect(owner.type).toBe("kubernetes.io/basic-auth");
    expect(owner.labels).toEqual({ "cnpg.io/reload": "true" });
    expect(owner.properties.username).toEqual({ kind: "literal", value: "home_assistant" });
    expect(owner.properties.password).toEqual({ kind: "generated", generator: "home_assistant-owner-password" });
    const superuser = cat.entries.find((e) => e.name === "postgres-superuser")!;
    expect(superuser.properties.username).toEqual({ kind: "literal", value: "postgres" });
  });

  it("builds Open WebUI's DATABASE_URL from the very password generated for the openwebui owner role", () => {
    const cat = catalogue(testConfig());
    const url = cat.entries.find((e) => e.name === "database-url")!;
    const owner = cat.entries.find((e) => e.name === "openwebui-owner")!;
    const source = url.properties.DATABASE_URL;
    expect(generatorRefs(source)).toEqual([(owner.properties.password as { generator: string }).generator]);
    expect(source.kind === "template" && source.parts.map((p) => (typeof p === "string" ? p : "<pw>")).join(""))
      .toBe(`postgresql://openwebui:<pw>@${POSTGRES_RW_HOST}:5432/openwebui`);
    expect(POSTGRES_RW_HOST).toBe("postgres-rw.database.svc");
  });

  it("gives Open WebUI a generated first administrator, whatever its database", () => {
    for (const databases of [["openwebui"], ["other"]]) {
      const admin = catalogue(testConfig({ databases })).entries.find((e) => e.namespace === "open-webui" && e.name === "admin")!;
      expect(admin.properties).toEqual({
        WEBUI_ADMIN_EMAIL: { kind: "literal", value: OPEN_WEBUI_ADMIN_EMAIL },
        WEBUI_ADMIN_PASSWORD: { kind: "generated", generator: "webui-admin-password" },
      });
    }
  });

  it("drops DATABASE_URL when the stack has no openwebui database (Open WebUI keeps SQLite)", () => {
    expect(entryIds(catalogue(testConfig({ databases: ["other"] })))).not.toContain("open-webui/database-url");
  });

  it("adds the Alertmanager webhook only when the operator set homelab:alertWebhookUrl", () => {
    expect(entryIds(catalogue(testConfig()))).not.toContain("monitoring/alertmanager-webhook");
    const cat = catalogue(testConfig({ alertWebhook: true }));
    const hook = cat.entries.find((e) => e.name === "alertmanager-webhook")!;
    expect(hook.properties).toEqual({ url: { kind: "config", key: "alertWebhookUrl" } });
  });

  it("adds the DNS provider's token to cert-manager's namespace only for ACME DNS-01 through Cloudflare", () => {
    const config = testConfig();
    expect(catalogueNamespaces(catalogue(config))).not.toContain("cert-manager");
    const withAcme = { ...config, ingress: { domain: "lab.example.org", hosts: {}, allowedCidrs: ["192.168.1.0/24"], acme: { email: "ops@example.org", server: "https://acme-v02.api.letsencrypt.org/directory", dns01: { provider: "cloudflare" as const } } } };
    const token = catalogue(withAcme).entries.find((e) => e.namespace === "cert-manager")!;
    expect(token).toMatchObject({ name: "acme-dns01-cloudflare", type: "Opaque", properties: { "api-token": { kind: "config", key: "acmeCloudflareApiToken" } } });
    // The lab's own CA needs no credential at all.
    expect(catalogueNamespaces(catalogue({ ...withAcme, ingress: { ...withAcme.ingress, acme: undefined } }))).not.toContain("cert-manager");
  });

  it("takes the NFS server and every export from secret config, never from a literal", () => {
    const nfs = catalogue(testConfig()).entries.find((e) => e.namespace === "nfs-csi")!;
    expect(Object.values(nfs.properties).map((s) => s.kind)).toEqual(["config", "config", "config", "config"]);
  });

  it("generates passwords long and URL-safe, and the session key from 32 random bytes", () => {
    const cat = catalogue(testConfig());
    for (const g of cat.generators) {
      if (g.kind === "password") {
        expect(g.length).toBeGreaterThanOrEqual(32);
        expect(g.special).toBe(false);
      } else expect(g.length).toBeGreaterThanOrEqual(32);
    }
    // Every generator is used; none is orphaned.
    const used = new Set(cat.entries.flatMap((e) => Object.values(e.properties).flatMap(generatorRefs)));
    expect([...used].sort()).toEqual(cat.generators.map((g) => g.id).sort());
  });

  it("refuses duplicate entries, unknown generators and basic-auth without username/password", () => {
    const base = catalogue(testConfig());
    expect(() => checkCatalogue({ ...base, entries: [...base.entries, base.entries[0]] })).toThrow(/declared twice/);
    expect(() => checkCatalogue({
      generators: [],
      entries: [{ namespace: "x", name: "y", description: "", type: "Opaque", properties: { a: { kind: "generated", generator: "nope" } } }],
    })).toThrow(/generator "nope"/);
    expect(() => checkCatalogue({
      generators: [],
      entries: [{ namespace: "x", name: "y", description: "", type: "kubernetes.io/basic-auth", properties: { user: { kind: "literal", value: "a" } } }],
    })).toThrow(/username and password/);
    // Two databases that map to the same Kubernetes name collide (the config refuses them first).
    const twice = testConfig({ databases: ["a_b", "a_b2"] });
    twice.database.databases = ["a_b", "a_b2", "a_b"];
    expect(() => catalogue(twice)).toThrow(/declared twice/);
  });

  it("answers other layers with Secret names and keys, never values", () => {
    const config = testConfig();
    expect(secretNames(config, "database")).toEqual({ "postgres-superuser": "postgres-superuser", "openwebui-owner": "openwebui-owner" });
    expect(secretRefs(config, "monitoring")["grafana-admin"]).toEqual({ name: "grafana-admin", keys: ["admin-user", "admin-password"] });
    expect(secretRefs(config, "open-webui")["database-url"].keys).toEqual(["DATABASE_URL"]);
    expect(secretNames(config, "ollama")).toEqual({});
    expect(JSON.stringify(secretRefs(config, "nfs-csi"))).not.toMatch(/example\.lan|volume1/);
  });

  it("names every entry under the stack prefix", () => {
    expect(secretsManagerName("homelab/staging", { namespace: "database", name: "postgres-superuser" }))
      .toBe("homelab/staging/database/postgres-superuser");
    expect(testConfig({ stack: "staging" }).secretPrefix).toBe("homelab/staging");
  });
});

describe("External Secrets manifests", () => {
  const config = testConfig({ alertWebhook: true });
  const cat = catalogue(config);

  it("syncs each entry hourly into an ESO-owned Secret of the consumer's type, key by key", () => {
    const superuser = cat.entries.find((e) => e.name === "postgres-superuser")!;
    const es = externalSecretManifest("homelab/test", superuser);
    expect(es.apiVersion).toBe("external-secrets.io/v1");
    expect(es.metadata).toMatchObject({ name: "postgres-superuser", namespace: "database" });
    expect(es.spec!.refreshInterval).toBe("1h");
    expect(es.spec!.secretStoreRef).toEqual({ name: SECRET_STORE_NAME, kind: "SecretStore" });
    expect(es.spec!.target!.creationPolicy).toBe("Owner");
    expect(es.spec!.target!.template!.type).toBe("kubernetes.io/basic-auth");
    expect(es.spec!.target!.template!.metadata!.labels!["cnpg.io/reload"]).toBe("true");
    expect(es.spec!.data).toEqual([
      { secretKey: "username", remoteRef: { key: "homelab/test/database/postgres-superuser", property: "username" } },
      { secretKey: "password", remoteRef: { key: "homelab/test/database/postgres-superuser", property: "password" } },
    ]);
    // No `find`: it would need ListSecrets on Resource "*".
    expect(es.spec!.dataFrom).toBeUndefined();
  });

  it("points each namespace's SecretStore at Secrets Manager in the stack's region with its own bootstrap key", () => {
    const store = secretStoreManifest("monitoring", "eu-west-1");
    expect(store.metadata).toMatchObject({ name: SECRET_STORE_NAME, namespace: "monitoring" });
    expect(store.spec!.provider!.aws).toEqual({
      service: "SecretsManager",
      region: "eu-west-1",
      auth: {
        secretRef: {
          accessKeyIDSecretRef: { name: BOOTSTRAP_SECRET_NAME, key: "access-key-id" },
          secretAccessKeySecretRef: { name: BOOTSTRAP_SECRET_NAME, key: "secret-access-key" },
        },
      },
    });
  });

  it("validates against the External Secrets v1 schema", () => {
    const objects = [
      ...cat.entries.map((e) => externalSecretManifest(config.secretPrefix, e)),
      ...catalogueNamespaces(cat).map((ns) => secretStoreManifest(ns, config.aws.region)),
    ];
    const results = validateModels(objects);
    expect(results).toHaveLength(objects.length);
    expect(results.filter((r) => r.error !== null)).toEqual([]);
  });

  it("the schema check has teeth: a wrong creationPolicy and a store without region fail", () => {
    const es = externalSecretManifest("p", cat.entries[0]);
    const broken = { ...es, spec: { ...es.spec, target: { ...es.spec!.target, creationPolicy: "Sometimes" } } };
    const store = secretStoreManifest("x", "eu-west-1");
    const noRegion = { ...store, spec: { provider: { aws: { service: "SecretsManager" } } } };
    const v1beta1 = { ...store, apiVersion: "external-secrets.io/v1beta1" };
    const results = validateModels([broken, noRegion, v1beta1]);
    expect(results.map((r) => r.error)).toEqual([
      expect.stringMatching(/creationPolicy/),
      expect.stringMatching(/region/),
      expect.stringMatching(/v1beta1/),
    ]);
  });
});

describe("external-secrets chart and namespace", () => {
  it("pins the chart the values were checked against", () => {
    expect(charts.externalSecrets).toEqual({
      repo: "https://charts.external-secrets.io",
      chart: "external-secrets",
      version: "2.9.0",
      valuesCheckedAgainst: "2.9.0",
    });
  });

  it("installs CRDs, monitors itself and runs every component hardened with bounded resources", () => {
    const values = esoValues() as Record<string, any>;
    expect(values.installCRDs).toBe(true);
    expect(values.serviceMonitor.enabled).toBe(true);
    expect(values.processClusterStore).toBe(false);
    for (const part of [values, values.webhook, values.certController]) {
      expect(part.securityContext).toMatchObject({
        enabled: true,
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
        capabilities: { drop: ["ALL"] },
        seccompProfile: { type: "RuntimeDefault" },
      });
      expect(part.resources.limits.memory).toBeDefined();
      expect(part.resources.requests.cpu).toBeDefined();
    }
  });

  it("gives the operator a restricted namespace reachable only by Prometheus and the API server", () => {
    const [ns] = secretsNamespaces(testConfig());
    expect(ns.name).toBe("external-secrets");
    expect(ns.podSecurity).toBe("restricted");
    const [metrics, webhook] = ns.ingress;
    expect(metrics).toMatchObject({ fromNamespaces: ["monitoring"], ports: [8080] });
    expect(metrics.fromCidrs).toBeUndefined();
    expect(webhook).toMatchObject({ fromCidrs: ["10.42.0.0/16"], ports: [10250], podSelector: { "app.kubernetes.io/name": "external-secrets-webhook" } });
    expect(ns.ingress).toHaveLength(2);
    // Both rules render to valid NetworkPolicies.
    for (const rule of ns.ingress) expect(() => allowIngressSpec(rule)).not.toThrow();
  });
});
