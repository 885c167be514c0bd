// Helm values for csi-driver-nfs (pinned in components/versions.ts). Every key below exists in the
// chart's values.yaml at the version recorded in `valuesCheckedAgainst`; tests/storage pins the
// list, so a typo (which Helm would ignore silently) fails a test instead of turning a feature off.

/** The CSI driver name; the StorageClasses' provisioner must match it. */
export const NFS_PROVISIONER = "nfs.csi.k8s.io";

/** K3s keeps the kubelet's root directory at the upstream default (no --kubelet-arg root-dir). */
export const K3S_KUBELET_DIR = "/var/lib/kubelet";

/**
 * What the driver does with a deleted volume's directory when neither its class nor its volume ID
 * says otherwise: rename it to archived-<dir> on the NAS. The driver records a class's onDelete in
 * each volume's ID, and falls back to this default when deleting a volume whose ID has none
 * (csi-driver-nfs 4.13.4 pkg/nfs/controllerserver.go DeleteVolume, getNfsVolFromID). Volumes that
 * nfs-csi-v2 provisioned with the chart's default ("delete") carry none, so this keeps their data
 * too, without replacing the class, whose parameters are immutable.
 */
export const DEFAULT_ON_DELETE = "archive";

export function csiDriverNfsValues(): Record<string, unknown> {
  return {
    driver: { name: NFS_PROVISIONER },
    // The node plugin bind-mounts volumes under the kubelet's pods directory; a wrong path mounts
    // nothing and pods start on empty directories.
    kubeletDir: K3S_KUBELET_DIR,
    feature: {
      // CSIDriver fsGroupPolicy "File": the kubelet gives each volume to the pod's fsGroup. The
      // postgres class depends on it (CloudNativePG runs with fsGroup 26).
      enableFSGroupPolicy: true,
    },
    controller: {
      // One provisioner. The pod runs on the host network with a fixed liveness port and the chart
      // has no anti-affinity, so two replicas can collide on one node; the controller is only
      // needed to create, resize and delete volumes, never for running pods' I/O.
      replicas: 1,
      // A deleted claim's directory is archived on the NAS, never removed (see DEFAULT_ON_DELETE).
      defaultOnDeletePolicy: DEFAULT_ON_DELETE,
      // Volume snapshots stay off: K3s ships no snapshot controller or VolumeSnapshot CRDs, and
      // nothing in the lab snapshots NFS volumes (the database backs up to S3, other backups go
      // to the nfs-backup class). Without the CRDs the sidecar would only log errors.
      enableSnapshotter: false,
    },
    // The snapshot controller and its CRDs are cluster singletons that belong to the distribution,
    // not to one CSI driver's chart.
    externalSnapshotter: { enabled: false },
    // The StorageClasses are separate Pulumi resources: their server and share are secrets, and
    // Helm values would carry them in plain text.
    storageClass: { create: false },
  };
}
