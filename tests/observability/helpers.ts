// Shared by the observability tests: the stacks' real settings and a PromQL metric-name extractor.
import { HomelabConfig } from "../../components/config";
import { stackConfig } from "../helpers/stacks";

export function stackObservability(stack: "dev" | "staging"): Pick<HomelabConfig, "observability" | "nodes"> & { gpu: boolean } {
  const { observability, nodes, gpuNodes } = stackConfig(stack);
  return { observability, nodes, gpu: gpuNodes.length > 0 };
}

const PROMQL_KEYWORDS = new Set(["and", "or", "unless", "bool", "offset", "by", "without", "on", "ignoring", "group_left", "group_right", "inf", "nan"]);

/** Metric names a PromQL expression selects (functions, keywords, labels and strings left out). */
export function metricNames(expr: string): string[] {
  const s = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""') // string literals (label values, regexes)
    .replace(/\{[^}]*\}/g, " ") // label matchers
    .replace(/\[[^\]]*\]/g, " ") // range and subquery selectors
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " "); // label lists
  const names: string[] = [];
  for (const m of s.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const rest = s.slice(m.index! + m[0].length).trimStart();
    if (rest.startsWith("(")) continue; // a function call
    if (PROMQL_KEYWORDS.has(m[0].toLowerCase())) continue;
    names.push(m[0]);
  }
  return [...new Set(names)];
}

/**
 * Every metric the lab's rules and dashboards may use, by the exporter that serves it (names as
 * documented upstream: kube-state-metrics and node-exporter as in kube-prometheus-stack 88.5.3's own
 * rules, kubelet/cAdvisor, CloudNative-PG docs/src/monitoring.md and its default queries, the Barman
 * Cloud plugin, external-secrets docs/api/metrics.md, dcgm-exporter default-counters.csv).
 * A typo in an expression selects nothing and the alert can never fire; this list catches it.
 */
export const KNOWN_METRICS: Record<string, string[]> = {
  prometheus: ["up"],
  nodeExporter: [
    "node_filesystem_avail_bytes", "node_filesystem_size_bytes", "node_cpu_seconds_total", "node_memory_MemAvailable_bytes",
    "node_memory_MemTotal_bytes", "node_load1", "node_network_receive_bytes_total", "node_network_transmit_bytes_total",
  ],
  kubeStateMetrics: [
    "kube_node_status_condition", "kube_pod_status_phase", "kube_deployment_status_replicas_available", "kube_deployment_spec_replicas",
    "kube_pod_container_status_restarts_total",
  ],
  kubelet: ["kubelet_volume_stats_available_bytes", "kubelet_volume_stats_capacity_bytes", "kubelet_volume_stats_used_bytes"],
  cadvisor: ["container_cpu_usage_seconds_total", "container_memory_working_set_bytes", "container_network_receive_bytes_total"],
  cloudnativePg: [
    "cnpg_collector_up", "cnpg_pg_replication_lag", "cnpg_pg_stat_archiver_last_failed_time", "cnpg_pg_stat_archiver_last_archived_time",
    "cnpg_pg_stat_archiver_archived_count", "cnpg_pg_stat_archiver_failed_count", "cnpg_backends_total", "cnpg_pg_database_size_bytes",
  ],
  barmanCloudPlugin: [
    "barman_cloud_cloudnative_pg_io_last_failed_backup_timestamp", "barman_cloud_cloudnative_pg_io_last_available_backup_timestamp",
    "barman_cloud_cloudnative_pg_io_first_recoverability_point",
  ],
  externalSecrets: ["externalsecret_status_condition", "secretstore_status_condition"],
  dcgm: ["DCGM_FI_DEV_GPU_TEMP", "DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_FB_FREE", "DCGM_FI_DEV_POWER_USAGE", "DCGM_FI_DEV_XID_ERRORS"],
};
export const KNOWN = new Set(Object.values(KNOWN_METRICS).flat());
