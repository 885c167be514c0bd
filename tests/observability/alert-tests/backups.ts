// promtool cases for homelab.backups: Velero's two tiers and K3s's etcd snapshots (PostgreSQL's
// tier is in database.ts).
import { AlertCase, series } from "../promtool";

const velero = (schedule: string) => ({ job: "velero", instance: "10.42.0.30:8085", namespace: "velero", service: "velero", schedule });
const snapshot = (name: string, node: string) => ({
  job: "kube-state-metrics", instance: "10.42.0.12:8080", name, node,
  customresource_group: "k3s.cattle.io", customresource_kind: "ETCDSnapshotFile", customresource_version: "v1",
});
const created = (name: string, node: string) => series("homelab_etcd_snapshot_created_timestamp_seconds", snapshot(name, node));
const ready = (name: string, node: string) => series("homelab_etcd_snapshot_ready", snapshot(name, node));

export const backupCases: AlertCase[] = [
  {
    alert: "VeleroResourceBackupTooOld",
    title: "fires 30m after the daily tier's last success turns 26h old; the weekly tier at the same age, and a tier that never ran, stay silent",
    series: {
      // The last good backup finished at t=60s; time() starts at 0 in promtool.
      [series("velero_backup_last_successful_timestamp", velero("resources-daily"))]: "60x1600",
      [series("velero_backup_last_successful_timestamp", { ...velero("full-weekly") })]: "60x1600",
      [series("velero_backup_last_successful_timestamp", { ...velero("resources-daily"), instance: "10.42.0.31:8085" })]: "0x1600",
    },
    expect: {
      "26h30m": [],
      "26h32m": [{ severity: "warning", labels: velero("resources-daily"), value: "1d 2h 31m 0s" }],
    },
  },
  {
    alert: "VeleroFullBackupTooOld",
    title: "fires 30m after the weekly tier's last success turns 8 days old; a recent one stays silent",
    interval: "4m",
    evaluationInterval: "4m",
    series: {
      [series("velero_backup_last_successful_timestamp", velero("full-weekly"))]: "240x3000",
      [series("velero_backup_last_successful_timestamp", { ...velero("full-weekly"), instance: "10.42.0.31:8085" })]: "600000x3000",
    },
    expect: {
      // True from 192h08m (evaluated every 4m), firing once 30 minutes have passed.
      "192h36m": [],
      "192h40m": [{ severity: "warning", labels: velero("full-weekly"), value: "8d 0h 36m 0s" }],
    },
  },
  {
    alert: "VeleroBackupFailed",
    title: "fires 5 minutes after a tier's latest backup failed; a succeeding tier and a failed manual backup (no schedule) stay silent",
    series: {
      [series("velero_backup_last_status", velero("full-weekly"))]: "1 1 0x10",
      [series("velero_backup_last_status", velero("resources-daily"))]: "1x12",
      [series("velero_backup_last_status", velero(""))]: "0x12",
    },
    expect: {
      "6m": [],
      "7m": [{ severity: "critical", labels: velero("full-weekly") }],
    },
  },
  {
    alert: "EtcdSnapshotTooOld",
    title: "fires per source 30m after its newest restorable snapshot turns 26h old; a newer snapshot that is not restorable does not count, a recent source stays silent",
    series: {
      [created("s3-etcd-snapshot-a", "s3")]: "60x1600",
      [ready("s3-etcd-snapshot-a", "s3")]: "1x1600",
      [created("s3-etcd-snapshot-b", "s3")]: "93000x1600",
      [ready("s3-etcd-snapshot-b", "s3")]: "0x1600",
      [created("local-etcd-snapshot-c", "pgmac01")]: "90000x1600",
      [ready("local-etcd-snapshot-c", "pgmac01")]: "1x1600",
    },
    expect: {
      "26h30m": [],
      "26h32m": [{ severity: "warning", labels: { node: "s3" }, value: "1d 2h 31m 0s" }],
    },
  },
  {
    alert: "EtcdSnapshotFailed",
    title: "fires 5 minutes after K3s records an error on a snapshot; snapshots without one stay silent",
    series: {
      [series("homelab_etcd_snapshot_error_timestamp_seconds", snapshot("s3-etcd-snapshot-x", "s3"))]: "0 0 1764383400x10",
      [series("homelab_etcd_snapshot_error_timestamp_seconds", snapshot("local-etcd-snapshot-y", "pgmac01"))]: "0x12",
    },
    expect: {
      "6m": [],
      "7m": [{ severity: "critical", labels: snapshot("s3-etcd-snapshot-x", "s3") }],
    },
  },
  {
    alert: "EtcdSnapshotsMissing",
    title: "fires when no snapshot has been recorded for 26 hours; silent before that",
    interval: "4m",
    series: {
      [ready("unrelated", "s3")]: "1x400",
    },
    expect: {
      "25h56m": [],
      "26h4m": [{ severity: "warning", labels: {} }],
    },
  },
];
