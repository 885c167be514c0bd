// The lab's three NFS StorageClasses as pure specs. The NAS address and export paths are not part
// of a spec: the component fills them in from the secrets layer, so they never appear in git or in
// a plan in plain text.
import type { StorageSettings } from "../config";
import { NFS_PROVISIONER } from "./values";

export type NfsClassKey = "general" | "postgres" | "backup";

export const STORAGE_CLASS_NAMES: Readonly<Record<NfsClassKey, string>> = {
  general: "nfs-csi-v2",
  postgres: "nfs-postgres-v2",
  backup: "nfs-backup",
};

export const DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";

/** Where a class's volumes live on the NAS: the server and the export for that class. */
export interface NfsExport {
  server: string;
  share: string;
}

export interface NfsClassSpec {
  key: NfsClassKey;
  name: string;
  annotations: Record<string, string>;
  reclaimPolicy: "Delete" | "Retain";
  volumeBindingMode: "Immediate";
  allowVolumeExpansion: true;
  mountOptions: string[];
  /** Driver parameters other than server and share. */
  parameters: Record<string, string>;
}

/**
 * One directory per claim, named so an operator browsing the NAS knows whose data it is; the PV name
 * keeps it unique, so a re-created claim never silently picks up an old (retained) directory.
 */
export const PER_CLAIM_SUBDIR = "${pvc.metadata.namespace}/${pvc.metadata.name}-${pv.metadata.name}";

/**
 * Mount options shared by every class.
 * - nfsvers pins the protocol the NAS was validated with (homelab:storage.nfsVersion), instead of
 *   whatever the client and server negotiate after an upgrade.
 * - hard: I/O waits for a NAS that reboots instead of failing; a soft mount returns EIO mid-write,
 *   which corrupts databases and half-writes backups.
 * Not set, deliberately: nconnect. The kernel shares one set of connections per NFS server, and the
 *   first mount's nconnect wins, so a per-class value would be silently ignored; a homelab NAS on
 *   1 GbE is saturated by one connection anyway.
 */
function baseMountOptions(settings: StorageSettings): string[] {
  return [`nfsvers=${settings.nfsVersion}`, "hard"];
}

/**
 * The classes, in a stable order. The default-class annotation goes on nfs-csi-v2 only when the
 * stack says so (homelab:storage.defaultClass). The config default is local-path: K3s re-asserts
 * local-path's default annotation on every start, and every claim this program makes names its
 * class, so none of ours is the default unless a stack opts in (Kubernetes then picks the newest
 * default class, which is ours, since it is created after K3s's).
 */
export function nfsClassSpecs(settings: StorageSettings): NfsClassSpec[] {
  const common = {
    volumeBindingMode: "Immediate" as const, // NFS has no topology: any node reaches the NAS.
    // NFS has no per-directory quota, so expansion only updates the claim's size; it is on so that
    // claims can grow without being re-created. Budgets are held by each namespace's quota.
    allowVolumeExpansion: true as const,
  };
  const annotationsFor = (name: string): Record<string, string> =>
    settings.defaultClass === name ? { [DEFAULT_CLASS_ANNOTATION]: "true" } : {};

  return [
    {
      key: "general",
      name: STORAGE_CLASS_NAMES.general,
      annotations: annotationsFor(STORAGE_CLASS_NAMES.general),
      reclaimPolicy: "Delete",
      ...common,
      mountOptions: baseMountOptions(settings),
      // No mountPermissions: the driver's preferred path is the pod's fsGroup (fsGroupPolicy File).
      // No onDelete either: it would replace the class (parameters are immutable). The driver's
      // default policy (values.ts DEFAULT_ON_DELETE, archive) applies to this class's volumes, old
      // and new, so a deleted claim's data (models, chat history, metrics) stays on the NAS.
      parameters: { subDir: PER_CLAIM_SUBDIR },
    },
    {
      key: "postgres",
      name: STORAGE_CLASS_NAMES.postgres,
      annotations: annotationsFor(STORAGE_CLASS_NAMES.postgres),
      reclaimPolicy: "Delete",
      ...common,
      // PostgreSQL on NFS wants a hard mount and no `sync` mount option (it fsyncs itself; the
      // NAS export must use `sync`). noatime spares atime write-backs PostgreSQL never reads.
      mountOptions: [...baseMountOptions(settings), "noatime"],
      parameters: {
        subDir: PER_CLAIM_SUBDIR,
        // Owner and group only. CloudNativePG runs as UID/GID 26 with fsGroup 26, so the kubelet
        // gives the directory to group 26; initdb then creates PGDATA inside it with mode 0700.
        // The export must let that happen: no_root_squash, or all_squash with anonuid=26,anongid=26.
        mountPermissions: "0770",
        // A deleted claim's data is renamed to archived-<dir> on the NAS, not removed: losing a
        // database to a mistaken `kubectl delete pvc` is worse than cleaning up old directories.
        onDelete: "archive",
      },
    },
    {
      key: "backup",
      name: STORAGE_CLASS_NAMES.backup,
      annotations: annotationsFor(STORAGE_CLASS_NAMES.backup),
      // Backups outlive their claims: the PV stays Released until an operator deletes it, and even
      // then the driver keeps the directory (onDelete retain).
      reclaimPolicy: "Retain",
      ...common,
      mountOptions: baseMountOptions(settings),
      parameters: { subDir: PER_CLAIM_SUBDIR, onDelete: "retain" },
    },
  ];
}

/**
 * The full StorageClass body for a spec and the class's NAS export. Generic over the value type so
 * the component can pass secret Outputs and tests plain strings.
 */
export function storageClassManifest<T = string>(spec: NfsClassSpec, nfs: { server: T; share: T }) {
  return {
    metadata: { name: spec.name, annotations: spec.annotations },
    provisioner: NFS_PROVISIONER,
    reclaimPolicy: spec.reclaimPolicy,
    volumeBindingMode: spec.volumeBindingMode,
    allowVolumeExpansion: spec.allowVolumeExpansion,
    mountOptions: spec.mountOptions,
    parameters: { server: nfs.server, share: nfs.share, ...spec.parameters },
  };
}
