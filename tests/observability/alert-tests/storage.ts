// promtool cases for homelab.storage: node filesystems and persistent volumes.
import { AlertCase, series } from "../promtool";

const GB = 1e9;
const fs = (instance: string, mountpoint: string, fstype: string, device: string) =>
  ({ job: "node-exporter", instance, namespace: "node-agents", device, fstype, mountpoint });
const root = (instance: string) => fs(instance, "/", "ext4", "/dev/sda2");

function filesystems(freeGb: Record<string, number>, extra: Array<[Record<string, string>, number]> = []) {
  const out: Record<string, string> = {};
  const all: Array<[Record<string, string>, number]> = [...Object.entries(freeGb).map(([i, gb]) => [root(i), gb] as [Record<string, string>, number]), ...extra];
  for (const [labels, gb] of all) {
    out[series("node_filesystem_size_bytes", labels)] = `${100 * GB}x20`;
    out[series("node_filesystem_avail_bytes", labels)] = `${gb * GB}x20`;
  }
  return out;
}

const claim = (persistentvolumeclaim: string) => ({ job: "kubelet", namespace: "database", persistentvolumeclaim });
function claims(freeGb: Record<string, number>) {
  const out: Record<string, string> = {};
  for (const [name, gb] of Object.entries(freeGb)) {
    out[series("kubelet_volume_stats_capacity_bytes", claim(name))] = `${100 * GB}x20`;
    out[series("kubelet_volume_stats_available_bytes", claim(name))] = `${gb * GB}x20`;
  }
  return out;
}

export const storageCases: AlertCase[] = [
  {
    alert: "NodeDiskAlmostFull",
    title: "warns at 10% free after 15m, pages at 4% after 5m; exactly 15% free, tmpfs and NFS mounts stay silent, exactly 5% only warns",
    series: filesystems({ "10.0.0.21:9100": 10, "10.0.0.22:9100": 4, "10.0.0.23:9100": 15, "10.0.0.24:9100": 5 }, [
      [fs("10.0.0.21:9100", "/run", "tmpfs", "tmpfs"), 1],
      [fs("10.0.0.21:9100", "/mnt/nas", "nfs4", "nas:/export"), 1],
    ]),
    expect: {
      "4m": [],
      "5m": [{ severity: "critical", labels: root("10.0.0.22:9100"), value: "4%" }],
      "15m": [
        { severity: "warning", labels: root("10.0.0.21:9100"), value: "10%" },
        { severity: "warning", labels: root("10.0.0.22:9100"), value: "4%" },
        { severity: "critical", labels: root("10.0.0.22:9100"), value: "4%" },
        { severity: "warning", labels: root("10.0.0.24:9100"), value: "5%" },
      ],
    },
  },
  {
    alert: "PersistentVolumeAlmostFull",
    title: "warns at 10% free after 10m, pages at 3% after 5m; exactly 15% free stays silent, exactly 5% only warns",
    series: claims({ "homelab-pg-1": 10, "homelab-pg-2": 3, "homelab-pg-3": 15, "homelab-pg-4": 5 }),
    expect: {
      "4m": [],
      "5m": [{ severity: "critical", labels: claim("homelab-pg-2"), value: "3%" }],
      "10m": [
        { severity: "warning", labels: claim("homelab-pg-1"), value: "10%" },
        { severity: "warning", labels: claim("homelab-pg-2"), value: "3%" },
        { severity: "critical", labels: claim("homelab-pg-2"), value: "3%" },
        { severity: "warning", labels: claim("homelab-pg-4"), value: "5%" },
      ],
    },
  },
];
