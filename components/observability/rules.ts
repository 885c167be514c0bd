// Pure PrometheusRule specs: the alerts that matter in a homelab and that kube-prometheus-stack's
// default rules do not already raise (or raise in a form that fits a cluster of laptops and mini PCs
// badly; those defaults are switched off by name, see SUPERSEDED_DEFAULT_ALERTS in values.ts).

/** A Prometheus alerting rule, as the PrometheusRule CRD (monitoring.coreos.com/v1) spells it. */
export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  labels: { severity: "warning" | "critical" };
  annotations: { summary: string; description: string };
}

export interface RuleGroup {
  name: string;
  rules: AlertRule[];
}

/** A deployment of the voice pipeline whose absence is worth a page. */
export interface VoiceService {
  namespace: string;
  deployment: string;
}

/**
 * The voice pipeline as the AI layer deploys it (one namespace per service, the Deployment named
 * like it). The AI layer's real names can be passed to Observability instead.
 */
export const VOICE_SERVICES: VoiceService[] = [
  { namespace: "ollama", deployment: "ollama" },
  { namespace: "open-webui", deployment: "open-webui" },
  { namespace: "whisper", deployment: "whisper" },
  { namespace: "piper", deployment: "piper" },
  { namespace: "openwakeword", deployment: "openwakeword" },
];

/** GPU temperatures (Celsius): consumer cards throttle in the low 80s. */
export const GPU_TEMPERATURE = { warning: 80, critical: 88 } as const;

/**
 * Days left on a K3s leaf certificate (365-day lifetime). K3s renews those near expiry only when it
 * starts, so a node that runs for a year without a restart lets them lapse.
 */
export const CERTIFICATE_DAYS_LEFT = { warning: 30, critical: 7 } as const;

/** Clock offset (seconds) past which TLS, etcd leases and log ordering start to suffer. */
export const CLOCK_OFFSET_SECONDS = 0.05;

export interface RuleOptions {
  /** Whether the stack has GPU nodes (DCGM metrics exist only then). */
  gpu: boolean;
  voiceServices?: VoiceService[];
}

function rule(alert: string, severity: "warning" | "critical", forDuration: string, expr: string, summary: string, description: string): AlertRule {
  return { alert, expr, for: forDuration, labels: { severity }, annotations: { summary, description } };
}

function nodeRules(): RuleGroup {
  return {
    name: "homelab.nodes",
    rules: [
      rule("NodeDown", "critical", "3m",
        'up{job="node-exporter"} == 0',
        "Node {{ $labels.instance }} is unreachable",
        "node-exporter on {{ $labels.instance }} has not answered for 3 minutes: the machine is off, asleep or off the network."),
      rule("NodeNotReady", "critical", "5m",
        'kube_node_status_condition{condition="Ready",status="true"} == 0',
        "Node {{ $labels.node }} is not Ready",
        "The kubelet on {{ $labels.node }} has not reported Ready for 5 minutes; its pods are being rescheduled."),
      // The chart's KubeNodePressure reports this at severity info, which is discarded; disk
      // pressure means evictions, so it is a warning here.
      rule("NodeDiskPressure", "warning", "5m",
        'kube_node_status_condition{condition="DiskPressure",status="true"} == 1',
        "Node {{ $labels.node }} is under disk pressure",
        "The kubelet on {{ $labels.node }} is evicting pods and refusing new ones: its filesystem or image store crossed an eviction threshold. Prune images with `k3s crictl rmi --prune` and check /var/lib/rancher."),
      rule("NodeClockNotSynchronised", "warning", "10m",
        'max_over_time(node_timex_sync_status{job="node-exporter"}[10m]) == 0',
        "The clock of {{ $labels.instance }} is not synchronised",
        "The kernel on {{ $labels.instance }} has not reported a synchronised clock for 20 minutes. Check chrony or systemd-timesyncd; certificates and etcd leases depend on agreeing clocks."),
      rule("NodeClockSkewed", "warning", "10m",
        `abs(node_timex_offset_seconds{job="node-exporter"}) > ${CLOCK_OFFSET_SECONDS}`,
        "The clock of {{ $labels.instance }} is off by {{ $value | humanize }}s",
        `{{ $labels.instance }} has been more than ${CLOCK_OFFSET_SECONDS}s away from its time source for 10 minutes; check its NTP source.`),
    ],
  };
}

function certificateRules(): RuleGroup {
  // K3s's own gauge (every node's kubelet endpoint serves it): remaining seconds per certificate,
  // labelled by subject and usages. CAs (usage CertSign, 10 years) are left out: rotating them is
  // a planned operation, not a restart.
  const leafCertificates = 'k3s_certificate_expiration_seconds{job="kubelet",usages!~".*CertSign.*"}';
  const days = (n: number) => `${n} * 86400`;
  const description = "K3s renews its client and serving certificates when it starts within their renewal window: restart K3s on {{ $labels.node }} (`systemctl restart k3s` or `k3s-agent`).";
  return {
    name: "homelab.certificates",
    rules: [
      rule("K3sCertificateExpiring", "warning", "15m",
        `${leafCertificates} < ${days(CERTIFICATE_DAYS_LEFT.warning)}`,
        "K3s certificate {{ $labels.subject }} on {{ $labels.node }} expires in {{ $value | humanizeDuration }}",
        description),
      rule("K3sCertificateExpiring", "critical", "15m",
        `${leafCertificates} < ${days(CERTIFICATE_DAYS_LEFT.critical)}`,
        "K3s certificate {{ $labels.subject }} on {{ $labels.node }} expires in {{ $value | humanizeDuration }}",
        `${description} Once it expires, the node's kubelet or the API server refuses connections.`),
    ],
  };
}

// Node disks: real filesystems only (no tmpfs/overlay), and not the NAS mounts, which the claims cover.
const NODE_FS = 'fstype!~"tmpfs|overlay|squashfs|nfs.*|fuse.*",mountpoint!=""';

function storageRules(): RuleGroup {
  const nodeFree = `node_filesystem_avail_bytes{job="node-exporter",${NODE_FS}} / node_filesystem_size_bytes{job="node-exporter",${NODE_FS}}`;
  const claimFree = 'kubelet_volume_stats_available_bytes{job="kubelet"} / kubelet_volume_stats_capacity_bytes{job="kubelet"}';
  return {
    name: "homelab.storage",
    rules: [
      rule("NodeDiskAlmostFull", "warning", "15m",
        `${nodeFree} < 0.15`,
        "Disk {{ $labels.mountpoint }} on {{ $labels.instance }} is over 85% full",
        "{{ $labels.mountpoint }} on {{ $labels.instance }} has {{ $value | humanizePercentage }} free. Images and logs fill K3s nodes; prune with `k3s crictl rmi --prune`."),
      rule("NodeDiskAlmostFull", "critical", "5m",
        `${nodeFree} < 0.05`,
        "Disk {{ $labels.mountpoint }} on {{ $labels.instance }} is nearly full",
        "{{ $labels.mountpoint }} on {{ $labels.instance }} has {{ $value | humanizePercentage }} free; the kubelet starts evicting pods soon."),
      rule("PersistentVolumeAlmostFull", "warning", "10m",
        `${claimFree} < 0.15`,
        "Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is over 85% full",
        "{{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} has {{ $value | humanizePercentage }} free. NFS claims report the export's free space, so every claim on the same export warns together."),
      rule("PersistentVolumeAlmostFull", "critical", "5m",
        `${claimFree} < 0.05`,
        "Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is nearly full",
        "{{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} has {{ $value | humanizePercentage }} free."),
    ],
  };
}

function databaseRules(): RuleGroup {
  // The Barman Cloud plugin's metrics (the in-core cnpg_collector_*_backup_* ones are deprecated and
  // stay 0 with the plugin). A timestamp of 0 means "never", hence the > 0 guards.
  const lastFailed = "max by (namespace, pod) (barman_cloud_cloudnative_pg_io_last_failed_backup_timestamp)";
  const lastGood = "max by (namespace, pod) (barman_cloud_cloudnative_pg_io_last_available_backup_timestamp)";
  return {
    name: "homelab.database",
    rules: [
      rule("CNPGBackupFailed", "critical", "5m",
        `${lastFailed} > 0 and ${lastFailed} > ${lastGood}`,
        "The latest PostgreSQL backup in {{ $labels.namespace }} failed",
        "The newest backup attempt reported by {{ $labels.pod }} failed after the last good one. Check `kubectl get backups -n {{ $labels.namespace }}` and the barman-cloud sidecar's logs."),
      rule("CNPGBackupTooOld", "warning", "30m",
        `time() - ${lastGood} > 26 * 3600 and ${lastGood} > 0`,
        "No PostgreSQL backup in {{ $labels.namespace }} for over a day",
        "The last good backup is {{ $value | humanizeDuration }} old; the schedule runs daily."),
      rule("CNPGWalArchivingFailing", "critical", "10m",
        "cnpg_pg_stat_archiver_last_failed_time > cnpg_pg_stat_archiver_last_archived_time",
        "WAL archiving is failing on {{ $labels.pod }}",
        "Point-in-time recovery has a gap while WAL segments cannot be archived, and pg_wal grows until the volume fills."),
      rule("CNPGReplicationLagging", "warning", "5m",
        "max by (namespace, pod) (cnpg_pg_replication_lag) > 300",
        "Replica {{ $labels.pod }} is over 5 minutes behind",
        "Replication lag on {{ $labels.pod }} is {{ $value | humanizeDuration }}; a failover now would lose that much."),
      rule("CNPGInstanceDown", "critical", "5m",
        "cnpg_collector_up == 0",
        "PostgreSQL instance {{ $labels.pod }} is down",
        "The instance manager on {{ $labels.pod }} reports PostgreSQL as not running."),
    ],
  };
}

/**
 * How old each Velero tier's last good backup may get before it is late: its period plus slack for
 * a slow run (the schedules' names and cadence are components/backups/velero.ts's defaults).
 */
export const BACKUP_MAX_AGE_HOURS = { "resources-daily": 26, "full-weekly": 8 * 24 } as const;
/** etcd snapshots run daily (homelab:k3s.etcdSnapshots.schedule). */
export const ETCD_SNAPSHOT_MAX_AGE_HOURS = 26;

function backupRules(): RuleGroup {
  // ETCDSnapshotFile objects as kube-state-metrics exports them (values.ts, etcdSnapshotMetricsConfig):
  // `node` is the server that took a local snapshot, or "s3" for the uploaded copy.
  const goodSnapshots = "homelab_etcd_snapshot_created_timestamp_seconds and on (name) (homelab_etcd_snapshot_ready == 1)";
  return {
    name: "homelab.backups",
    rules: [
      ...Object.entries(BACKUP_MAX_AGE_HOURS).map(([schedule, hours]) =>
        rule(schedule === "resources-daily" ? "VeleroResourceBackupTooOld" : "VeleroFullBackupTooOld", "warning", "30m",
          `time() - velero_backup_last_successful_timestamp{schedule="${schedule}"} > ${hours} * 3600 and velero_backup_last_successful_timestamp{schedule="${schedule}"} > 0`,
          `No successful Velero backup of schedule ${schedule} for over ${hours} hours`,
          "The last good backup of {{ $labels.schedule }} is {{ $value | humanizeDuration }} old. Check `velero backup get` (or `kubectl -n velero get backups`) and the Velero server's logs.")),
      rule("VeleroBackupFailed", "critical", "5m",
        'velero_backup_last_status{schedule!=""} == 0',
        "The latest Velero backup of schedule {{ $labels.schedule }} failed",
        "Its last backup ended Failed or PartiallyFailed; until one succeeds the tier's RPO grows. `velero backup describe --details` on the newest backup names the items or volumes that failed."),
      rule("EtcdSnapshotTooOld", "warning", "30m",
        `time() - max by (node) (${goodSnapshots}) > ${ETCD_SNAPSHOT_MAX_AGE_HOURS} * 3600`,
        "No etcd snapshot from {{ $labels.node }} for over a day",
        "The newest usable etcd snapshot from {{ $labels.node }} (\"s3\" is the uploaded copy) is {{ $value | humanizeDuration }} old. Check `k3s etcd-snapshot ls` on a server and `journalctl -u k3s | grep -i snapshot`."),
      rule("EtcdSnapshotFailed", "critical", "5m",
        "homelab_etcd_snapshot_error_timestamp_seconds > 0",
        "etcd snapshot {{ $labels.name }} failed",
        "K3s recorded an error on snapshot {{ $labels.name }} from {{ $labels.node }}; `kubectl get etcdsnapshotfile {{ $labels.name }} -o yaml` shows it (an S3 error: check the bucket and its access key)."),
      rule("EtcdSnapshotsMissing", "warning", "26h",
        "absent(homelab_etcd_snapshot_created_timestamp_seconds)",
        "No etcd snapshot is recorded at all",
        "kube-state-metrics exports no ETCDSnapshotFile for 26 hours: K3s takes no scheduled snapshots, or kube-state-metrics cannot list them (its custom resource configuration and RBAC)."),
    ],
  };
}

function secretRules(): RuleGroup {
  return {
    name: "homelab.secrets",
    rules: [
      rule("ExternalSecretNotReady", "warning", "10m",
        'externalsecret_status_condition{condition="Ready",status="False"} == 1',
        "ExternalSecret {{ $labels.namespace }}/{{ $labels.name }} is not syncing",
        "The Secret it feeds keeps its last value (or does not exist yet). Check `kubectl describe externalsecret -n {{ $labels.namespace }} {{ $labels.name }}`: usually IAM or a missing Secrets Manager entry."),
      rule("SecretStoreNotReady", "critical", "10m",
        'secretstore_status_condition{condition="Ready",status="False"} == 1',
        "SecretStore {{ $labels.namespace }}/{{ $labels.name }} cannot reach AWS",
        "No ExternalSecret in {{ $labels.namespace }} can sync until the store's credentials or IAM role work again."),
    ],
  };
}

function gpuRules(): RuleGroup {
  const gpu = "{{ $labels.Hostname }} GPU {{ $labels.gpu }}";
  return {
    name: "homelab.gpu",
    rules: [
      rule("GpuTooHot", "warning", "10m",
        `DCGM_FI_DEV_GPU_TEMP > ${GPU_TEMPERATURE.warning}`,
        `${gpu} is running hot`,
        `${gpu} has been above ${GPU_TEMPERATURE.warning} °C for 10 minutes ({{ $value }} °C); it throttles soon. Check airflow and fan curves.`),
      rule("GpuTooHot", "critical", "2m",
        `DCGM_FI_DEV_GPU_TEMP > ${GPU_TEMPERATURE.critical}`,
        `${gpu} is overheating`,
        `${gpu} is at {{ $value }} °C.`),
      // Every GPU alert reads DCGM: without its series they are all silent, so say so.
      rule("GpuMetricsMissing", "warning", "15m",
        "absent(DCGM_FI_DEV_GPU_TEMP)",
        "No GPU metrics from the DCGM exporter",
        "Prometheus has no DCGM series although the stack has GPU nodes, so no GPU alert can fire. Check `kubectl -n gpu-operator get pods -l app=nvidia-dcgm-exporter` and its ServiceMonitor."),
      // The gauge holds the last Xid seen, so only a change is news.
      rule("GpuXidError", "warning", "0m",
        "changes(DCGM_FI_DEV_XID_ERRORS[10m]) > 0 and DCGM_FI_DEV_XID_ERRORS > 0",
        `${gpu} reported an Xid error`,
        `A new Xid error on ${gpu}: a driver or hardware fault. Workloads on this GPU may have crashed; see \`dmesg\` on the node.`),
    ],
  };
}

function voiceRules(services: VoiceService[]): RuleGroup {
  // Exact selectors per service, or-ed into one rule: a regex pair would also match, say, an
  // "ollama" deployment that a chart created in another service's namespace, and one rule per
  // service would define the same alert several times (promtool's lint rejects duplicate rules).
  // Scaled to zero on purpose is not down: only a deployment that wants replicas counts.
  const down = services.map(({ namespace, deployment }) => {
    const selector = `namespace="${namespace}",deployment="${deployment}"`;
    return `(kube_deployment_status_replicas_available{${selector}} == 0 and on (namespace, deployment) kube_deployment_spec_replicas{${selector}} > 0)`;
  });
  return {
    name: "homelab.voice",
    rules: [rule("VoiceServiceDown", "critical", "5m",
      down.join("\nor\n"),
      "Voice service {{ $labels.namespace }}/{{ $labels.deployment }} is down",
      "{{ $labels.deployment }} has had no available replica for 5 minutes; the voice assistant cannot use it.")],
  };
}

/** Every homelab rule group; GPU rules only when the stack has GPU nodes. */
export function homelabRuleGroups(opts: RuleOptions): RuleGroup[] {
  return [
    nodeRules(),
    certificateRules(),
    storageRules(),
    databaseRules(),
    backupRules(),
    secretRules(),
    ...(opts.gpu ? [gpuRules()] : []),
    voiceRules(opts.voiceServices ?? VOICE_SERVICES),
  ];
}

/** The PrometheusRule object for one group (kind and apiVersion included, for schema validation). */
export function prometheusRuleManifest(namespace: string, group: RuleGroup) {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: {
      name: ruleObjectName(group),
      namespace,
      labels: { "app.kubernetes.io/part-of": "homelab", "app.kubernetes.io/managed-by": "pulumi" },
    },
    spec: { groups: [group] },
  };
}

/** `homelab.nodes` -> `homelab-nodes`. */
export function ruleObjectName(group: RuleGroup): string {
  return group.name.replace(/[^a-z0-9]+/g, "-");
}
