import * as path from "node:path";
import { deriveConfig, parseSettings, StorageSettings } from "../../components/config";
import {
  csiDriverNfsValues,
  DEFAULT_CLASS_ANNOTATION,
  DEFAULT_ON_DELETE,
  nfsClassSpecs,
  NFS_PROVISIONER,
  PER_CLAIM_SUBDIR,
  storageClassManifest,
  storageNamespaces,
} from "../../components/storage";
import { charts } from "../../components/versions";
import { validRaw } from "../config/fixtures";
import { readKeyList, unknownKeyPaths } from "../helpers/chart-keys";

const settings = (over: Partial<StorageSettings> = {}): StorageSettings => ({ defaultClass: "local-path", nfsVersion: "4.1", ...over });
const byName = (s: StorageSettings) => Object.fromEntries(nfsClassSpecs(s).map((c) => [c.name, c]));

describe("csi-driver-nfs values", () => {
  const keys = readKeyList(path.join(__dirname, `csi-driver-nfs-${charts.csiDriverNfs.valuesCheckedAgainst}.keys.txt`));

  it("sets only keys the pinned chart version has", () => {
    expect(charts.csiDriverNfs.valuesCheckedAgainst).toBe(charts.csiDriverNfs.version);
    expect(unknownKeyPaths(csiDriverNfsValues(), keys)).toEqual([]);
  });

  it("the key check catches a misspelt key", () => {
    expect(unknownKeyPaths({ controller: { replica: 2 } }, keys)).toEqual(["controller.replica"]);
  });

  it("uses K3s's kubelet directory, one controller, no snapshot machinery and no chart-made classes", () => {
    const v = csiDriverNfsValues() as any;
    expect(v.kubeletDir).toBe("/var/lib/kubelet");
    expect(v.controller.replicas).toBe(1);
    expect(v.controller.enableSnapshotter).toBe(false);
    expect(v.externalSnapshotter.enabled).toBe(false);
    expect(v.storageClass.create).toBe(false);
    expect(v.feature.enableFSGroupPolicy).toBe(true);
    expect(v.driver.name).toBe(NFS_PROVISIONER);
  });
});

describe("NFS storage classes", () => {
  it("has the reference lab's three classes, expandable, on the NFS provisioner", () => {
    const specs = nfsClassSpecs(settings());
    expect(specs.map((s) => s.name)).toEqual(["nfs-csi-v2", "nfs-postgres-v2", "nfs-backup"]);
    for (const s of specs) {
      expect(s.allowVolumeExpansion).toBe(true);
      expect(storageClassManifest(s, { server: "nas", share: "/x" }).provisioner).toBe("nfs.csi.k8s.io");
    }
  });

  it("retains backups (reclaim policy and the driver's onDelete) and archives every other deleted claim on the NAS", () => {
    const c = byName(settings());
    expect(c["nfs-backup"].reclaimPolicy).toBe("Retain");
    expect(c["nfs-backup"].parameters.onDelete).toBe("retain");
    expect(c["nfs-csi-v2"].reclaimPolicy).toBe("Delete");
    expect(c["nfs-postgres-v2"].reclaimPolicy).toBe("Delete");
    // A deleted database claim is archived on the NAS, not removed.
    expect(c["nfs-postgres-v2"].parameters.onDelete).toBe("archive");
  });

  it("never removes a deleted claim's data: each class's policy, or the driver's default where it sets none, keeps it", () => {
    const driverDefault = (csiDriverNfsValues() as any).controller.defaultOnDeletePolicy;
    expect(driverDefault).toBe(DEFAULT_ON_DELETE);
    for (const spec of nfsClassSpecs(settings())) {
      const effective = spec.parameters.onDelete ?? driverDefault;
      expect([spec.name, ["archive", "retain"].includes(effective)]).toEqual([spec.name, true]);
    }
    // The general class stays as it was (its parameters are immutable: a change would replace it,
    // and its name with it, under every claim that uses it); the driver default covers its volumes.
    expect(byName(settings())["nfs-csi-v2"].parameters).toEqual({ subDir: PER_CLAIM_SUBDIR });
  });

  it("marks no class default while local-path is the stack's default", () => {
    for (const s of nfsClassSpecs(settings())) expect(s.annotations).toEqual({});
  });

  it("marks exactly nfs-csi-v2 default when the stack chooses it", () => {
    const defaults = nfsClassSpecs(settings({ defaultClass: "nfs-csi-v2" })).filter((s) => s.annotations[DEFAULT_CLASS_ANNOTATION] === "true");
    expect(defaults.map((s) => s.name)).toEqual(["nfs-csi-v2"]);
  });

  it("mounts hard with the configured NFS version; the postgres class adds noatime", () => {
    const c = byName(settings({ nfsVersion: "4.2" }));
    expect(c["nfs-csi-v2"].mountOptions).toEqual(["nfsvers=4.2", "hard"]);
    expect(c["nfs-postgres-v2"].mountOptions).toEqual(["nfsvers=4.2", "hard", "noatime"]);
    for (const s of Object.values(c)) expect(s.mountOptions).not.toContain("soft");
  });

  it("gives each claim its own directory, group-writable only on the postgres class", () => {
    const c = byName(settings());
    for (const s of Object.values(c)) expect(s.parameters.subDir).toBe("${pvc.metadata.namespace}/${pvc.metadata.name}-${pv.metadata.name}");
    expect(c["nfs-postgres-v2"].parameters.mountPermissions).toBe("0770");
    expect(c["nfs-csi-v2"].parameters.mountPermissions).toBeUndefined();
  });

  it("only accepts parameters the driver knows (it rejects unknown ones at provisioning)", () => {
    const driverParams = new Set(["server", "share", "subDir", "mountPermissions", "onDelete"]);
    for (const s of nfsClassSpecs(settings())) {
      const params = storageClassManifest(s, { server: "nas", share: "/x" }).parameters;
      expect(Object.keys(params).filter((k) => !driverParams.has(k))).toEqual([]);
    }
  });

  it("takes server and share from the export it is given, never from the spec", () => {
    const spec = byName(settings())["nfs-postgres-v2"];
    expect(storageClassManifest(spec, { server: "10.0.0.5", share: "/pg" }).parameters).toMatchObject({ server: "10.0.0.5", share: "/pg" });
    expect(JSON.stringify(nfsClassSpecs(settings()))).not.toMatch(/server|share/);
  });
});

describe("storage namespaces", () => {
  const config = deriveConfig(parseSettings(validRaw()), "test", {} as any);

  it("runs the driver in a privileged nfs-csi namespace with no ingress (host-network pods, no metrics)", () => {
    const [ns, ...rest] = storageNamespaces(config);
    expect(rest).toEqual([]);
    expect(ns.name).toBe("nfs-csi");
    expect(ns.podSecurity).toBe("privileged");
    expect(ns.ingress).toEqual([]);
    expect(ns.quota.gpus ?? 0).toBe(0);
  });

  it("sizes the pod quota for one node plugin per node plus the controller", () => {
    const pods = (n: number) => storageNamespaces({ ...config, nodes: config.nodes.slice(0, n) })[0].quota.pods;
    expect(pods(3)).toBeGreaterThanOrEqual(3 + 1);
    expect(pods(3) - pods(1)).toBe(2);
  });
});
