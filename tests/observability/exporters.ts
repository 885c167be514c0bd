// The metrics the lab's rules and dashboards may select, with their label names, per exporter and
// at the version the stacks pin. A metric or label that is misspelt, or renamed upstream, selects
// nothing: the rule is valid and never fires. checkSelector() catches that against this record.
//
// Versions come from the pinned charts (components/versions.ts): kube-prometheus-stack 88.5.3
// (Chart.yaml: kube-state-metrics chart 8.4.0 = v2.20.0, prometheus-node-exporter 4.56.1 = v1.12.1;
// values.yaml: Prometheus v3.14.0, Alertmanager v0.34.0), gpu-operator v26.7.0 (values.yaml:
// dcgm-exporter 4.6.0-4.8.3), K3s v1.36.3+k3s1 (Kubernetes 1.36), CloudNative-PG 1.30.0, Barman Cloud
// plugin v0.13.0, External Secrets 2.9.0.
import { Selector } from "./promql";

export interface Exporter {
  /** Exporter and version the names were read from. */
  version: string;
  /** Upstream files (at that version) the metric and label names were checked against. */
  source: string;
  /** The `job` label its scrape gives (undefined: the PodMonitor's default, `<namespace>/<name>`). */
  job?: string;
  /** Labels the scrape adds to every series (prometheus-operator's target labels and relabelings). */
  targetLabels: string[];
  /** Metric name -> label names the exporter itself sets. */
  metrics: Record<string, string[]>;
}

/** What a ServiceMonitor endpoint target gets from prometheus-operator (Service endpoints). */
const SERVICE_TARGET = ["job", "instance", "namespace", "service", "pod", "container", "endpoint"];
const POD_TARGET = ["job", "instance", "namespace", "pod", "container", "endpoint"];
const CADVISOR = ["container", "id", "image", "name", "namespace", "pod"];

export const EXPORTERS: Record<string, Exporter> = {
  prometheus: {
    version: "Prometheus v3.14.0",
    source: "the scrape loop's synthetic series (up)",
    targetLabels: [...SERVICE_TARGET, "node", "metrics_path"],
    metrics: { up: [] },
  },
  nodeExporter: {
    version: "node-exporter v1.12.1",
    source: "prometheus/node_exporter collector/filesystem_common.go, cpu_linux.go, meminfo.go, loadavg.go, netdev_common.go, timex.go (timex is enabled by default)",
    job: "node-exporter",
    targetLabels: SERVICE_TARGET,
    metrics: {
      node_filesystem_avail_bytes: ["device", "mountpoint", "fstype", "device_error"],
      node_filesystem_size_bytes: ["device", "mountpoint", "fstype", "device_error"],
      node_cpu_seconds_total: ["cpu", "mode"],
      node_memory_MemAvailable_bytes: [],
      node_memory_MemTotal_bytes: [],
      node_load1: [],
      node_network_receive_bytes_total: ["device"],
      node_network_transmit_bytes_total: ["device"],
      node_timex_offset_seconds: [],
      node_timex_sync_status: [],
    },
  },
  kubeStateMetrics: {
    version: "kube-state-metrics v2.20.0",
    source: "kubernetes/kube-state-metrics docs/metrics/cluster/node-metrics.md, docs/metrics/workload/pod-metrics.md, deployment-metrics.md (scraped with honorLabels, so its namespace wins)",
    job: "kube-state-metrics",
    targetLabels: SERVICE_TARGET,
    metrics: {
      kube_node_status_condition: ["node", "condition", "status"],
      kube_pod_status_phase: ["namespace", "pod", "uid", "phase"],
      kube_deployment_status_replicas_available: ["namespace", "deployment"],
      kube_deployment_spec_replicas: ["namespace", "deployment"],
      kube_pod_container_status_restarts_total: ["namespace", "pod", "uid", "container"],
    },
  },
  kubelet: {
    version: "kubelet of K3s v1.36.3+k3s1 (Kubernetes 1.36), K3s certmonitor",
    source: "kubelet volume stats and cAdvisor labels as kube-prometheus-stack 88.5.3's own rules select them (kubernetes-storage, k8s.rules.*); k3s-io/k3s pkg/certmonitor/certmonitor.go (registered in the legacy registry the kubelet's /metrics serves)",
    job: "kubelet",
    // The kubelet Service's endpoints are Nodes, so the target carries `node`; metrics_path from kps's relabeling.
    targetLabels: ["job", "instance", "namespace", "service", "endpoint", "node", "metrics_path"],
    metrics: {
      kubelet_volume_stats_available_bytes: ["namespace", "persistentvolumeclaim"],
      kubelet_volume_stats_capacity_bytes: ["namespace", "persistentvolumeclaim"],
      kubelet_volume_stats_used_bytes: ["namespace", "persistentvolumeclaim"],
      container_cpu_usage_seconds_total: [...CADVISOR, "cpu"],
      container_memory_working_set_bytes: CADVISOR,
      container_network_receive_bytes_total: [...CADVISOR, "interface"],
      k3s_certificate_expiration_seconds: ["subject", "usages"],
    },
  },
  etcdSnapshotFiles: {
    version: "kube-state-metrics v2.20.0 custom resource state over K3s v1.36.3+k3s1's ETCDSnapshotFile (k3s.cattle.io/v1)",
    source: "components/observability/values.ts etcdSnapshotMetricsConfig (metricNamePrefix, labelsFromPath); kubernetes/kube-state-metrics docs/metrics/extend/customresourcestate-metrics.md (customresource_* labels); k3s-io/api pkg/apis/k3s.cattle.io/v1/types.go (status fields)",
    job: "kube-state-metrics",
    targetLabels: SERVICE_TARGET,
    metrics: Object.fromEntries(["homelab_etcd_snapshot_created_timestamp_seconds", "homelab_etcd_snapshot_ready", "homelab_etcd_snapshot_error_timestamp_seconds"]
      .map((metric) => [metric, ["name", "node", "customresource_group", "customresource_kind", "customresource_version"]])),
  },
  velero: {
    version: "Velero v1.18.1 (chart velero 12.1.0)",
    source: "vmware-tanzu/velero pkg/metrics/metrics.go (every backup metric is labelled with its Schedule's name)",
    job: "velero",
    targetLabels: SERVICE_TARGET,
    metrics: {
      velero_backup_last_successful_timestamp: ["schedule"],
      velero_backup_last_status: ["schedule"],
      velero_backup_failure_total: ["schedule"],
      velero_backup_partial_failure_total: ["schedule"],
    },
  },
  k3sApiServer: {
    version: "K3s v1.36.3+k3s1 supervisor metrics on the API server's /metrics",
    source: "k3s-io/k3s pull request 11793 (etcd snapshot metrics); not used: the backup alerts read ETCDSnapshotFile objects instead (no supervisor-metrics restart, no scrape of every server's 6443)",
    job: "apiserver",
    targetLabels: SERVICE_TARGET,
    metrics: {
      k3s_etcd_snapshot_save_duration_seconds_count: ["status"],
      k3s_etcd_snapshot_save_s3_duration_seconds_count: ["status"],
    },
  },
  cloudnativePg: {
    version: "CloudNative-PG 1.30.0",
    source: "cloudnative-pg/cloudnative-pg pkg/management/postgres/webserver/metricserver/pg_collector.go, config/manager/default-monitoring.yaml",
    targetLabels: POD_TARGET,
    metrics: {
      cnpg_collector_up: ["cluster"],
      cnpg_pg_replication_lag: [],
      cnpg_pg_stat_archiver_last_failed_time: [],
      cnpg_pg_stat_archiver_last_archived_time: [],
      cnpg_pg_stat_archiver_archived_count: [],
      cnpg_pg_stat_archiver_failed_count: [],
      cnpg_backends_total: ["datname", "usename", "application_name", "state"],
      cnpg_pg_database_size_bytes: ["datname"],
    },
  },
  barmanCloudPlugin: {
    version: "plugin-barman-cloud v0.13.0",
    source: "cloudnative-pg/plugin-barman-cloud internal/cnpgi/instance/metrics.go, web/docs/observability.md (served by the instance manager; 0 until the first backup)",
    targetLabels: POD_TARGET,
    metrics: {
      barman_cloud_cloudnative_pg_io_last_failed_backup_timestamp: [],
      barman_cloud_cloudnative_pg_io_last_available_backup_timestamp: [],
      barman_cloud_cloudnative_pg_io_first_recoverability_point: [],
    },
  },
  externalSecrets: {
    version: "External Secrets Operator 2.9.0",
    source: "external-secrets/external-secrets docs/api/metrics.md, pkg/controllers/metrics/labels.go (scraped with honorLabels: the ExternalSecret's namespace, not the operator's)",
    targetLabels: SERVICE_TARGET,
    metrics: {
      externalsecret_status_condition: ["name", "namespace", "condition", "status"],
      secretstore_status_condition: ["name", "namespace", "condition", "status"],
    },
  },
  dcgm: {
    version: "dcgm-exporter 4.6.0-4.8.3 (gpu-operator v26.7.0); labels read at 4.5.3-4.8.2, the newest source that could be checked",
    source: "NVIDIA/dcgm-exporter internal/pkg/rendermetrics/render_metrics.go (labels), etc/default-counters.csv; fields as collected by components/gpu dcgmMetricsCsv",
    targetLabels: SERVICE_TARGET,
    metrics: Object.fromEntries([
      "DCGM_FI_DEV_GPU_TEMP", "DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE", "DCGM_FI_DEV_POWER_USAGE", "DCGM_FI_DEV_XID_ERRORS",
    ].map((field) => [field, ["gpu", "UUID", "pci_bus_id", "device", "modelName", "Hostname", "GPU_I_PROFILE", "GPU_I_ID", "DCGM_FI_DRIVER_VERSION"]])),
  },
};

/** The exporter that serves a metric, if any. */
export function exporterOf(metric: string): [string, Exporter] | undefined {
  return Object.entries(EXPORTERS).find(([, e]) => metric in e.metrics);
}

/** Why a selector cannot match what the lab's exporters serve (empty: it can). */
export function selectorProblems(selector: Selector): string[] {
  const metric = selector.metric ?? selector.matchers.find((m) => m.label === "__name__" && m.op === "=")?.value;
  if (!metric) return [`selector without a metric name: {${selector.matchers.map((m) => m.label).join(",")}}`];
  const found = exporterOf(metric);
  if (!found) return [`${metric}: no exporter in tests/observability/exporters.ts serves it`];
  const [name, exporter] = found;
  const labels = new Set(["__name__", ...exporter.metrics[metric], ...exporter.targetLabels]);
  const problems = selector.matchers
    .filter((m) => !labels.has(m.label))
    .map((m) => `${metric}: ${exporter.version} has no label "${m.label}"`);
  const job = selector.matchers.find((m) => m.label === "job" && m.op === "=");
  if (job && exporter.job && job.value !== exporter.job) problems.push(`${metric}: job is "${exporter.job}" (${name}), not "${job.value}"`);
  return problems;
}
