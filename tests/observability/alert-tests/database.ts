// promtool cases for homelab.database: backups (Barman Cloud plugin), WAL archiving, replicas.
import { AlertCase, series } from "../promtool";

const instance = (pod: string) => ({ job: "database/homelab-pg", instance: `${pod}:9187`, namespace: "database", pod });
const backup = (pod: string) => ({ namespace: "database", pod });
const plugin = (metric: string) => `barman_cloud_cloudnative_pg_io_${metric}`;

export const databaseCases: AlertCase[] = [
  {
    alert: "CNPGBackupFailed",
    title: "fires when the newest attempt failed; a failure followed by a good backup, or no backup yet, stays silent",
    series: {
      [series(plugin("last_failed_backup_timestamp"), instance("homelab-pg-1"))]: "2000x10",
      [series(plugin("last_available_backup_timestamp"), instance("homelab-pg-1"))]: "1000x10",
      [series(plugin("last_failed_backup_timestamp"), { ...instance("other-pg-1"), namespace: "other" })]: "500x10",
      [series(plugin("last_available_backup_timestamp"), { ...instance("other-pg-1"), namespace: "other" })]: "1000x10",
      [series(plugin("last_failed_backup_timestamp"), { ...instance("new-pg-1"), namespace: "new" })]: "0x10",
      [series(plugin("last_available_backup_timestamp"), { ...instance("new-pg-1"), namespace: "new" })]: "0x10",
    },
    expect: {
      "4m": [],
      "5m": [{ severity: "critical", labels: backup("homelab-pg-1") }],
    },
  },
  {
    alert: "CNPGBackupTooOld",
    title: "fires 30m after the last good backup turns 26h old; a recent backup, or none yet, stays silent",
    series: {
      // The last good backup finished at t=60s; time() starts at 0 in promtool.
      [series(plugin("last_available_backup_timestamp"), instance("homelab-pg-1"))]: "60x1600",
      [series(plugin("last_available_backup_timestamp"), { ...instance("other-pg-1"), namespace: "other" })]: "90000x1600",
      [series(plugin("last_available_backup_timestamp"), { ...instance("new-pg-1"), namespace: "new" })]: "0x1600",
    },
    expect: {
      "26h30m": [],
      "26h32m": [{ severity: "warning", labels: backup("homelab-pg-1"), value: "1d 2h 31m 0s" }],
    },
  },
  {
    alert: "CNPGWalArchivingFailing",
    title: "fires after 10 minutes of a failure newer than the last success; never failed (-1) or recovered stays silent",
    series: {
      [series("cnpg_pg_stat_archiver_last_failed_time", instance("homelab-pg-1"))]: "2000x20",
      [series("cnpg_pg_stat_archiver_last_archived_time", instance("homelab-pg-1"))]: "1000x20",
      [series("cnpg_pg_stat_archiver_last_failed_time", instance("homelab-pg-2"))]: "-1x20",
      [series("cnpg_pg_stat_archiver_last_archived_time", instance("homelab-pg-2"))]: "1000x20",
      [series("cnpg_pg_stat_archiver_last_failed_time", instance("homelab-pg-3"))]: "1000x20",
      [series("cnpg_pg_stat_archiver_last_archived_time", instance("homelab-pg-3"))]: "1060x20",
    },
    expect: {
      "9m": [],
      "10m": [{ severity: "critical", labels: instance("homelab-pg-1") }],
    },
  },
  {
    alert: "CNPGReplicationLagging",
    title: "fires after 5 minutes over 300s of lag; exactly 300s stays silent",
    series: {
      [series("cnpg_pg_replication_lag", instance("homelab-pg-2"))]: "400x10",
      [series("cnpg_pg_replication_lag", instance("homelab-pg-3"))]: "300x10",
    },
    expect: {
      "4m": [],
      "5m": [{ severity: "warning", labels: backup("homelab-pg-2"), value: "6m 40s" }],
    },
  },
  {
    alert: "CNPGInstanceDown",
    title: "fires after 5 minutes down; a running instance stays silent",
    series: {
      [series("cnpg_collector_up", { ...instance("homelab-pg-1"), cluster: "homelab-pg" })]: "1 0x10",
      [series("cnpg_collector_up", { ...instance("homelab-pg-2"), cluster: "homelab-pg" })]: "1x11",
    },
    expect: {
      "5m": [],
      "6m": [{ severity: "critical", labels: { ...instance("homelab-pg-1"), cluster: "homelab-pg" } }],
    },
  },
];
