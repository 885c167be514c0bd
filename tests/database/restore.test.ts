// The restore configuration as CloudNative-PG 1.30.0 and the Barman Cloud plugin v0.13.0 read it:
// every object checked against the pinned CRDs' fields, and the new timeline's archive never the old.
import * as path from "node:path";
import * as fc from "fast-check";
import {
  BARMAN_PLUGIN,
  bootstrapSpec,
  CLUSTER_NAME,
  clusterSpec,
  OBJECT_STORE_NAME,
  objectStoreSpec,
  poolerSpec,
  RESTORE_SOURCE,
  scheduledBackupSpec,
} from "../../components/database/manifests";
import { crdViolations, readFieldList } from "../helpers/crd-fields";
import { databaseSettings } from "./stacks";

const fields = (file: string) => readFieldList(path.join(__dirname, file));
const CLUSTER_FIELDS = fields("cnpg-1.30.0-cluster.fields.txt");
const owners = { openwebui: "openwebui-owner" };

function cluster(overrides: Parameters<typeof databaseSettings>[0]) {
  const spec = clusterSpec({
    settings: databaseSettings(overrides),
    storageClass: "nfs-postgres-v2",
    schedulableNodeCount: 3,
    superuserSecretName: "postgres-superuser",
    ownerSecretNames: owners,
  }) as any;
  return { apiVersion: "postgresql.cnpg.io/v1", kind: "Cluster", metadata: { name: CLUSTER_NAME, namespace: "database" }, spec };
}

const restoreToTime = { backup: { schedule: "0 2 * * *", retentionDays: 30, serverName: "postgres-2" }, restore: { fromServerName: "postgres", targetTime: "2026-11-28T21:30:00Z" } };

describe("the field lists", () => {
  it("catch a misspelt field and a wrong type (the API server would prune or refuse them)", () => {
    const object = cluster({});
    expect(crdViolations(object, CLUSTER_FIELDS)).toEqual([]);
    object.spec.bootstrap = { recovery: { sourc: "origin" } };
    object.spec.instances = "3";
    expect(crdViolations(object, CLUSTER_FIELDS)).toEqual(["spec.instances: expected integer, got string", "spec.bootstrap.recovery.sourc: not a field of the CRD"]);
  });
});

describe("every database object against the pinned CRDs", () => {
  it.each([
    ["initdb", {}],
    ["restore to the latest point", { ...restoreToTime, restore: { fromServerName: "postgres" } }],
    ["restore to a time", restoreToTime],
  ])("the Cluster (%s)", (_, overrides) => {
    expect(crdViolations(cluster(overrides), CLUSTER_FIELDS)).toEqual([]);
  });

  it("the ObjectStore, ScheduledBackup and Pooler", () => {
    const object = (kind: string, apiVersion: string, spec: unknown) => ({ apiVersion, kind, metadata: { name: "x", namespace: "database" }, spec });
    expect(crdViolations(object("ObjectStore", "barmancloud.cnpg.io/v1", objectStoreSpec("bucket-name", 30)), fields("barman-cloud-v0.13.0-objectstore.fields.txt"))).toEqual([]);
    expect(crdViolations(object("ScheduledBackup", "postgresql.cnpg.io/v1", scheduledBackupSpec("0 2 * * *")), fields("cnpg-1.30.0-scheduledbackup.fields.txt"))).toEqual([]);
    expect(crdViolations(object("Pooler", "postgresql.cnpg.io/v1", poolerSpec({ poolerInstances: 2 })), fields("cnpg-1.30.0-pooler.fields.txt"))).toEqual([]);
  });
});

describe("a restore", () => {
  const { spec } = cluster(restoreToTime);

  it("bootstraps by recovery from the old server name's archive in the same ObjectStore, to the target time", () => {
    expect(spec.bootstrap).toEqual({
      recovery: {
        source: RESTORE_SOURCE,
        database: "openwebui",
        owner: "openwebui",
        secret: { name: "openwebui-owner" },
        recoveryTarget: { targetTime: "2026-11-28T21:30:00Z" },
      },
    });
    expect(spec.externalClusters).toEqual([{
      name: RESTORE_SOURCE,
      plugin: { name: BARMAN_PLUGIN, parameters: { barmanObjectName: OBJECT_STORE_NAME, serverName: "postgres" } },
    }]);
  });

  it("archives the new timeline under the new server name", () => {
    expect(spec.plugins).toEqual([{ name: BARMAN_PLUGIN, isWALArchiver: true, parameters: { barmanObjectName: OBJECT_STORE_NAME, serverName: "postgres-2" } }]);
  });

  it("to the latest point sets no recovery target", () => {
    expect(cluster({ ...restoreToTime, restore: { fromServerName: "postgres" } }).spec.bootstrap.recovery.recoveryTarget).toBeUndefined();
  });

  it("never archives the new timeline where it restores from, whatever the names", () => {
    const name = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
    fc.assert(fc.property(name, name, (from, to) => {
      const settings = databaseSettings({ backup: { schedule: "0 2 * * *", retentionDays: 30, serverName: to }, restore: { fromServerName: from } });
      let built: any;
      try {
        built = clusterSpec({ settings, storageClass: "sc", schedulableNodeCount: 1, superuserSecretName: "su", ownerSecretNames: owners });
      } catch (err) {
        expect(from).toBe(to);
        expect(String(err)).toMatch(/archive under .*the server name it restores from/);
        return;
      }
      const archive = built.plugins.find((p: any) => p.isWALArchiver).parameters.serverName;
      const source = built.externalClusters.find((c: any) => c.name === built.bootstrap.recovery.source).plugin.parameters.serverName;
      expect(archive).not.toBe(source);
    }));
  });
});

describe("without a restore", () => {
  it("bootstraps by initdb with data checksums and archives under the configured server name", () => {
    const { spec } = cluster({});
    expect(spec.bootstrap).toEqual({ initdb: { database: "openwebui", owner: "openwebui", secret: { name: "openwebui-owner" }, dataChecksums: true } });
    expect(spec.externalClusters).toBeUndefined();
    expect(spec.plugins[0].parameters.serverName).toBe("postgres");
  });

  it("leaves the bootstrap to the operator when there are no databases", () => {
    expect(bootstrapSpec(databaseSettings({ databases: [] }), {})).toBeUndefined();
  });
});
