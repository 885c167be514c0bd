import { validateModels } from "../helpers/schemas";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  antiAffinityType,
  BARMAN_PLUGIN,
  clusterSpec,
  CLUSTER_NAME,
  databaseSpecs,
  OBJECT_STORE_NAME,
  objectStoreSpec,
  podMonitors,
  poolerSpec,
  retentionPolicy,
  schedulableNodes,
  scheduledBackupSpec,
} from "../../components/database/manifests";
import { imageRef, images } from "../../components/versions";
import { databaseSettings, stackDatabase } from "./stacks";

const owners = { openwebui: "openwebui-owner", n8n_app: "n8n-app-owner" };

function cluster(stack: "dev" | "staging") {
  const { settings, nodes } = stackDatabase(stack);
  return clusterSpec({
    settings,
    storageClass: "nfs-postgres-v2",
    schedulableNodeCount: schedulableNodes(nodes).length,
    superuserSecretName: "postgres-superuser",
    ownerSecretNames: Object.fromEntries(settings.databases.map((db) => [db, `${db}-owner`])),
  }) as any;
}

describe("backup schedule", () => {
  it("the ScheduledBackup uses the plugin, owns its Backups, and starts with a backup now", () => {
    const spec = scheduledBackupSpec("0 2 * * *") as any;
    expect(spec).toMatchObject({
      schedule: "0 0 2 * * *",
      cluster: { name: CLUSTER_NAME },
      method: "plugin",
      pluginConfiguration: { name: BARMAN_PLUGIN },
      backupOwnerReference: "self",
      immediate: true,
    });
  });
});

describe("Cluster", () => {
  it("staging: three instances, each required on its own host, on the database storage class", () => {
    const spec = cluster("staging");
    expect(spec.instances).toBe(3);
    expect(spec.affinity).toEqual({ enablePodAntiAffinity: true, topologyKey: "kubernetes.io/hostname", podAntiAffinityType: "required" });
    expect(spec.storage).toEqual({ size: "50Gi", storageClass: "nfs-postgres-v2" });
    expect(spec.walStorage).toEqual({ size: "10Gi", storageClass: "nfs-postgres-v2" });
    expect(spec.enablePDB).toBe(true);
  });

  it("dev: one instance, no PodDisruptionBudget (it would block every node drain)", () => {
    const spec = cluster("dev");
    expect(spec.instances).toBe(1);
    expect(spec.enablePDB).toBe(false);
    expect(spec.affinity.podAntiAffinityType).toBe("preferred");
  });

  it("requires anti-affinity only when every instance can get a host of its own", () => {
    expect(antiAffinityType(3, 7)).toBe("required");
    expect(antiAffinityType(3, 3)).toBe("required");
    expect(antiAffinityType(3, 2)).toBe("preferred");
    expect(antiAffinityType(1, 5)).toBe("preferred");
  });

  it("does not count nodes whose taints keep PostgreSQL off them", () => {
    const { nodes } = stackDatabase("staging");
    const names = schedulableNodes(nodes);
    expect(names).not.toContain("yeezyai");
    expect(names).toHaveLength(nodes.length - 1);
    expect(schedulableNodes([{ name: "a", taints: ["x=y:PreferNoSchedule"] }, { name: "b", taints: ["x:NoExecute"] }])).toEqual(["a"]);
  });

  it("runs the pinned standard image (the system flavour with in-core barman is deprecated)", () => {
    const spec = cluster("staging");
    expect(spec.imageName).toBe(imageRef(images.postgresql));
    expect(spec.imageName).toMatch(/^ghcr\.io\/cloudnative-pg\/postgresql:18\.\d+-.*standard-trixie$/);
  });

  it("archives WAL through the Barman Cloud plugin pointing at the ObjectStore, under an explicit server name", () => {
    const spec = cluster("staging");
    expect(spec.plugins).toEqual([{ name: BARMAN_PLUGIN, isWALArchiver: true, parameters: { barmanObjectName: OBJECT_STORE_NAME, serverName: "postgres" } }]);
    expect(spec.backup).toBeUndefined();
  });

  it("bootstraps the first database with its owner and Secret, and manages every owner's password", () => {
    const spec = clusterSpec({
      settings: databaseSettings({ databases: ["openwebui", "n8n_app"] }),
      storageClass: "nfs-postgres-v2",
      schedulableNodeCount: 3,
      superuserSecretName: "postgres-superuser",
      ownerSecretNames: owners,
    }) as any;
    expect(spec.bootstrap.initdb).toMatchObject({ database: "openwebui", owner: "openwebui", secret: { name: "openwebui-owner" } });
    // No superuser login unless the stack asks for it (break-glass); the Secret stays referenced.
    expect(spec.enableSuperuserAccess).toBe(false);
    expect(spec.superuserSecret).toEqual({ name: "postgres-superuser" });
    expect(spec.managed.roles.map((r: any) => [r.name, r.passwordSecret.name, r.login])).toEqual([
      ["openwebui", "openwebui-owner", true],
      ["n8n_app", "n8n-app-owner", true],
    ]);
  });

  it("lets the superuser log in only while homelab:database.superuserAccess is on", () => {
    const spec = (superuserAccess: boolean) => clusterSpec({
      settings: databaseSettings({ superuserAccess }),
      storageClass: "nfs-postgres-v2",
      schedulableNodeCount: 3,
      superuserSecretName: "postgres-superuser",
      ownerSecretNames: owners,
    }) as any;
    expect(spec(true)).toMatchObject({ enableSuperuserAccess: true, superuserSecret: { name: "postgres-superuser" } });
    expect(spec(false).enableSuperuserAccess).toBe(false);
  });

  it("refuses to build without an owner Secret for a configured database", () => {
    expect(() => clusterSpec({
      settings: databaseSettings({ databases: ["openwebui", "n8n_app"] }),
      storageClass: "nfs-postgres-v2",
      schedulableNodeCount: 3,
      superuserSecretName: "postgres-superuser",
      ownerSecretNames: { openwebui: "openwebui-owner" },
    })).toThrow(/no owner Secret for "n8n_app"/);
  });

  it("without databases leaves bootstrap to the operator's default", () => {
    const spec = clusterSpec({
      settings: databaseSettings({ databases: [] }),
      storageClass: "sc",
      schedulableNodeCount: 1,
      superuserSecretName: "su",
      ownerSecretNames: {},
    }) as any;
    expect(spec.bootstrap).toBeUndefined();
    expect(spec.managed).toBeUndefined();
  });
});

describe("ObjectStore", () => {
  const spec = objectStoreSpec("homelab-staging-pg-backups-abc", 30) as any;

  it("writes to the bucket root with credentials (region included) from the bootstrap Secret", () => {
    expect(spec.configuration.destinationPath).toBe("s3://homelab-staging-pg-backups-abc/");
    const creds = spec.configuration.s3Credentials;
    for (const k of ["accessKeyId", "secretAccessKey", "region"]) {
      expect(creds[k]).toEqual({ name: "postgres-backup-s3", key: expect.any(String) });
    }
    expect(new Set(Object.values(creds).map((c: any) => c.key)).size).toBe(3);
    expect(spec.configuration.serverName).toBeUndefined();
  });

  it("keeps backups for the configured recovery window", () => {
    expect(spec.retentionPolicy).toBe("30d");
    expect(retentionPolicy(7)).toBe("7d");
    expect(() => retentionPolicy(0)).toThrow(/>= 1/);
    expect(() => retentionPolicy(1.5)).toThrow(/whole number/);
  });

  it("compresses with algorithms the CRD allows for each (data has no zstd)", () => {
    expect(["bzip2", "gzip", "lz4", "snappy", "xz", "zstd"]).toContain(spec.configuration.wal.compression);
    expect(["bzip2", "gzip", "lz4", "snappy"]).toContain(spec.configuration.data.compression);
  });
});

describe("Pooler and Database objects", () => {
  it("pools transactions in front of the primary with the configured replica count", () => {
    const spec = poolerSpec({ poolerInstances: 2 }) as any;
    expect(spec).toMatchObject({ cluster: { name: CLUSTER_NAME }, instances: 2, type: "rw", pgbouncer: { poolMode: "transaction" } });
    // Transaction mode needs PgBouncer's prepared-statement tracking for drivers that prepare.
    expect(Number(spec.pgbouncer.parameters.max_prepared_statements)).toBeGreaterThan(0);
    expect(spec.template.spec.containers[0].name).toBe("pgbouncer");
  });

  it("has no pooler when the stack asks for none", () => {
    expect(poolerSpec({ poolerInstances: 0 })).toBeUndefined();
  });

  it("declares every database after the bootstrap one, never dropping data on delete", () => {
    const specs = databaseSpecs(["openwebui", "n8n_app", "grafana"]);
    expect(specs.map((d) => d.name)).toEqual(["postgres-n8n-app", "postgres-grafana"]);
    expect(specs[0].spec).toEqual({ name: "n8n_app", owner: "n8n_app", cluster: { name: CLUSTER_NAME }, ensure: "present", databaseReclaimPolicy: "retain" });
    expect(databaseSpecs(["openwebui"])).toEqual([]);
  });
});

describe("PodMonitors", () => {
  const monitors = podMonitors({ pooler: true, operatorNamespace: "cnpg-system" }) as any[];

  it("scrape the instances by cluster label on the metrics port", () => {
    const pg = monitors.find((m) => m.metadata.name === CLUSTER_NAME);
    expect(pg.metadata.namespace).toBe("database");
    expect(pg.spec.selector.matchLabels["cnpg.io/cluster"]).toBe(CLUSTER_NAME);
    expect(pg.spec.podMetricsEndpoints).toEqual([{ port: "metrics" }]);
  });

  it("include the pooler only when there is one", () => {
    expect(monitors.map((m) => m.metadata.name)).toContain("postgres-pooler-rw");
    const without = podMonitors({ pooler: false, operatorNamespace: "cnpg-system" }) as any[];
    expect(without.map((m) => m.metadata.name)).not.toContain("postgres-pooler-rw");
  });

  it("are valid monitoring.coreos.com/v1 PodMonitors", () => {
    const results = validateModels(monitors);
    expect(results.filter((r) => r.error !== null)).toEqual([]);
    expect(results).toHaveLength(monitors.length);
  });
});

describe("deprecated CloudNative-PG mechanisms", () => {
  it("appear nowhere in the layer's source: no in-tree barmanObjectStore, no enablePodMonitor", () => {
    const dir = path.resolve(__dirname, "../../components/database");
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".ts"))) {
      const code = fs.readFileSync(path.join(dir, file), "utf8").replace(/\/\/.*$/gm, "").replace(/\/\*[\s\S]*?\*\//g, "");
      expect({ file, barman: /barmanObjectStore/.test(code), podMonitor: /enablePodMonitor/.test(code) })
        .toEqual({ file, barman: false, podMonitor: false });
    }
  });

  it("appear nowhere in the built objects", () => {
    const built = JSON.stringify([cluster("staging"), cluster("dev"), objectStoreSpec("b", 30), scheduledBackupSpec("0 2 * * *"), poolerSpec({ poolerInstances: 1 })]);
    expect(built).not.toMatch(/barmanObjectStore|enablePodMonitor/);
  });
});
