import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { LabNamespace } from "../../components/namespaces";
import { NfsStorage, storageNamespaces } from "../../components/storage";
import { charts } from "../../components/versions";
import { deriveConfig, parseSettings } from "../../components/config";
import { validRaw } from "../config/fixtures";
import { isSecret, mockRuntime, Recorder, settle, valueOf } from "../helpers/runtime";
import { stagingNetworks } from "../helpers/networks";

const CHART = "kubernetes:helm.sh/v4:Chart";
const STORAGE_CLASS = "kubernetes:storage.k8s.io/v1:StorageClass";

let recorder: Recorder;
let storage: NfsStorage;
let plainStorage: NfsStorage;

beforeAll(async () => {
  recorder = await mockRuntime();
  const config = deriveConfig(parseSettings(validRaw()), "test", {} as any);
  const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
  const namespace = new LabNamespace("nfs-csi", { spec: storageNamespaces(config)[0], provider, networks: stagingNetworks() });
  const nfs = { server: "192.0.2.10", shares: { general: "/export/general", postgres: "/export/pg", backup: "/export/backup" } };
  storage = new NfsStorage("storage", { provider, namespace, nfs: pulumi.secret(nfs), settings: config.storage });
  // A caller that forgets to mark the NAS details secret still gets secret StorageClass inputs.
  plainStorage = new NfsStorage("storage-plain", { provider, namespace, nfs: pulumi.output(nfs), settings: { ...config.storage, defaultClass: "nfs-csi-v2" } });
  await settle();
});

const classesOf = (component: string) => recorder.ofType(STORAGE_CLASS).filter((r) => r.name.startsWith(`${component}-nfs`));

describe("NfsStorage", () => {
  it("installs the pinned csi-driver-nfs chart into its namespace with the pure values", () => {
    const chart = recorder.byName(CHART, "storage-csi-driver-nfs");
    // The archive its release commit added, not the moving repository (see versions.ts).
    expect(chart.inputs.chart).toBe(charts.csiDriverNfs.artifact!.url);
    expect(chart.inputs.version).toBe(charts.csiDriverNfs.version);
    expect(chart.inputs.repositoryOpts).toBeUndefined();
    expect(chart.inputs.namespace).toBe("nfs-csi");
    expect((chart.inputs.values as any).externalSnapshotter).toEqual({ enabled: false });
    expect(chart.parent).toContain("homelab:storage:NfsStorage");
    expect(chart.provider).toContain("k8s");
  });

  it("creates the three classes with the NAS server and share as secrets", () => {
    const classes = classesOf("storage");
    expect(classes.map((c) => (c.inputs.metadata as any).name).sort()).toEqual(["nfs-backup", "nfs-csi-v2", "nfs-postgres-v2"]);
    for (const c of classes) {
      expect(c.secretPaths).toEqual(expect.arrayContaining(["parameters.server", "parameters.share"]));
      const params = c.inputs.parameters as Record<string, unknown>;
      expect(params.server).toBe("[secret]");
      expect(params.share).toBe("[secret]");
      // The rest of the class stays readable in a plan.
      expect(typeof params.subDir).toBe("string");
      expect(JSON.stringify(c.inputs)).not.toContain("192.0.2.10");
      expect(c.provider).toContain("k8s");
      expect(c.parent).toContain("homelab:storage:NfsStorage");
      expect(c.deleteBeforeReplace).toBe(true);
    }
  });

  it("puts each class on its own export", () => {
    const share = (name: string) => (classesOf("storage").find((c) => (c.inputs.metadata as any).name === name)!.revealedInputs.parameters as any).share;
    expect(share("nfs-csi-v2")).toBe("/export/general");
    expect(share("nfs-postgres-v2")).toBe("/export/pg");
    expect(share("nfs-backup")).toBe("/export/backup");
  });

  it("keeps server and share secret even when the caller passed them in plain", () => {
    for (const c of classesOf("storage-plain")) {
      expect(c.secretPaths).toEqual(expect.arrayContaining(["parameters.server", "parameters.share"]));
    }
  });

  it("waits for the driver before creating the classes", () => {
    const chartUrn = recorder.byName(CHART, "storage-csi-driver-nfs").urn;
    for (const c of classesOf("storage")) expect(c.dependencies).toContain(chartUrn);
  });

  it("sets the default-class annotation only when the stack makes nfs-csi-v2 the default", () => {
    const annotated = (component: string) => classesOf(component)
      .filter((c) => (c.inputs.metadata as any).annotations?.["storageclass.kubernetes.io/is-default-class"] === "true")
      .map((c) => (c.inputs.metadata as any).name);
    expect(annotated("storage")).toEqual([]);
    expect(annotated("storage-plain")).toEqual(["nfs-csi-v2"]);
  });

  it("outputs the class names (not secret) for claims to use", async () => {
    expect(await valueOf(storage.classes.postgres)).toBe("nfs-postgres-v2");
    expect(await valueOf(storage.classes.backup)).toBe("nfs-backup");
    expect(await isSecret(storage.classes.general)).toBe(false);
    expect(plainStorage.chart).toBeDefined();
  });
});
