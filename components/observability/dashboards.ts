// Grafana dashboards as code: the lab's own views (nodes, database, GPU, voice pipeline), built as
// classic dashboard JSON and shipped in ConfigMaps that Grafana's sidecar picks up from any namespace.
import { DASHBOARD_FOLDER_ANNOTATION } from "./values";
import { CERTIFICATE_DAYS_LEFT, CLOCK_OFFSET_SECONDS, VOICE_SERVICES, VoiceService } from "./rules";

export interface Target {
  expr: string;
  legendFormat?: string;
}

export interface Panel {
  id: number;
  type: "timeseries" | "stat" | "logs";
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  datasource: { type: string; uid: string };
  targets: Array<Target & { refId: string; datasource: { type: string; uid: string } }>;
  fieldConfig?: { defaults: Record<string, unknown>; overrides: unknown[] };
  options?: Record<string, unknown>;
}

export interface Dashboard {
  uid: string;
  title: string;
  tags: string[];
  schemaVersion: number;
  editable: boolean;
  time: { from: string; to: string };
  refresh: string;
  templating: { list: Record<string, unknown>[] };
  panels: Panel[];
}

const PROMETHEUS = { type: "prometheus", uid: "${datasource}" };
const LOKI = { type: "loki", uid: "loki" };
export const DASHBOARD_FOLDER = "Homelab";

interface PanelSpec {
  type?: Panel["type"];
  title: string;
  targets: Target[];
  unit?: string;
  /** Width in grid columns (24 per row); height is fixed per type. */
  w?: number;
  min?: number;
  max?: number;
  thresholds?: Array<[number | null, string]>;
}

/** Lays panels out left to right, wrapping at 24 columns, and numbers them. */
function layout(specs: PanelSpec[]): Panel[] {
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  return specs.map((spec, i) => {
    const type = spec.type ?? "timeseries";
    const w = spec.w ?? 12;
    const h = type === "stat" ? 4 : type === "logs" ? 10 : 8;
    if (x + w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    const datasource = type === "logs" ? LOKI : PROMETHEUS;
    const panel: Panel = {
      id: i + 1,
      type,
      title: spec.title,
      gridPos: { h, w, x, y },
      datasource,
      targets: spec.targets.map((t, j) => ({ ...t, refId: String.fromCharCode(65 + j), datasource })),
    };
    if (type !== "logs") {
      const defaults: Record<string, unknown> = { unit: spec.unit ?? "short" };
      if (spec.min !== undefined) defaults.min = spec.min;
      if (spec.max !== undefined) defaults.max = spec.max;
      if (spec.thresholds) {
        defaults.thresholds = { mode: "absolute", steps: spec.thresholds.map(([value, color]) => ({ value, color })) };
      }
      panel.fieldConfig = { defaults, overrides: [] };
    } else {
      panel.options = { showTime: true, wrapLogMessage: true, sortOrder: "Descending" };
    }
    x += w;
    rowHeight = Math.max(rowHeight, h);
    return panel;
  });
}

const DATASOURCE_VARIABLE = {
  name: "datasource",
  label: "Data source",
  type: "datasource",
  query: "prometheus",
  current: { text: "Prometheus", value: "prometheus" },
  hide: 0,
};

function queryVariable(name: string, query: string) {
  return { name, label: name, type: "query", datasource: PROMETHEUS, query, refresh: 2, includeAll: false, multi: false, hide: 0 };
}

function dashboard(uid: string, title: string, panels: PanelSpec[], variables: Record<string, unknown>[] = [], refresh = "1m"): Dashboard {
  return {
    uid,
    title,
    tags: ["homelab"],
    schemaVersion: 39,
    editable: false,
    time: { from: "now-6h", to: "now" },
    refresh,
    templating: { list: [DATASOURCE_VARIABLE, ...variables] },
    panels: layout(panels),
  };
}

const GREEN_RED: Array<[number | null, string]> = [[null, "green"], [0.8, "orange"], [0.9, "red"]];

export function nodesDashboard(): Dashboard {
  const root = 'job="node-exporter",mountpoint="/",fstype!~"tmpfs|overlay"';
  return dashboard("homelab-nodes", "Homelab / Nodes", [
    { type: "stat", title: "Nodes reachable", targets: [{ expr: 'sum(up{job="node-exporter"})' }], w: 6 },
    { type: "stat", title: "Nodes Ready", targets: [{ expr: 'sum(kube_node_status_condition{condition="Ready",status="true"})' }], w: 6 },
    { type: "stat", title: "Pods running", targets: [{ expr: 'sum(kube_pod_status_phase{phase="Running"})' }], w: 6 },
    { type: "stat", title: "Pods not healthy", targets: [{ expr: 'sum(kube_pod_status_phase{phase=~"Pending|Failed|Unknown"})' }], w: 6, thresholds: [[null, "green"], [1, "red"]] },
    { title: "CPU busy", unit: "percentunit", min: 0, max: 1, targets: [{ expr: '1 - avg by (instance) (rate(node_cpu_seconds_total{job="node-exporter",mode="idle"}[5m]))', legendFormat: "{{instance}}" }] },
    { title: "Memory used", unit: "percentunit", min: 0, max: 1, targets: [{ expr: '1 - node_memory_MemAvailable_bytes{job="node-exporter"} / node_memory_MemTotal_bytes{job="node-exporter"}', legendFormat: "{{instance}}" }] },
    { title: "Root disk used", unit: "percentunit", min: 0, max: 1, thresholds: GREEN_RED, targets: [{ expr: `1 - node_filesystem_avail_bytes{${root}} / node_filesystem_size_bytes{${root}}`, legendFormat: "{{instance}}" }] },
    { title: "Load (1m) per core", unit: "short", targets: [{ expr: 'node_load1{job="node-exporter"} / count by (instance) (node_cpu_seconds_total{job="node-exporter",mode="idle"})', legendFormat: "{{instance}}" }] },
    { title: "Network received", unit: "Bps", targets: [{ expr: 'sum by (instance) (rate(node_network_receive_bytes_total{job="node-exporter",device!~"lo|veth.*|cni.*|flannel.*"}[5m]))', legendFormat: "{{instance}}" }] },
    { title: "Network sent", unit: "Bps", targets: [{ expr: 'sum by (instance) (rate(node_network_transmit_bytes_total{job="node-exporter",device!~"lo|veth.*|cni.*|flannel.*"}[5m]))', legendFormat: "{{instance}}" }] },
    { title: "Persistent volumes used", unit: "percentunit", min: 0, max: 1, thresholds: GREEN_RED, w: 24, targets: [{ expr: 'kubelet_volume_stats_used_bytes{job="kubelet"} / kubelet_volume_stats_capacity_bytes{job="kubelet"}', legendFormat: "{{namespace}}/{{persistentvolumeclaim}}" }] },
    // Every backup tier's last success, oldest first in the reader's eye: red past its window.
    { type: "stat", title: "Last good backup, per tier", unit: "dateTimeFromNow", w: 24, targets: [
      { expr: "max(barman_cloud_cloudnative_pg_io_last_available_backup_timestamp) * 1000", legendFormat: "PostgreSQL (Barman Cloud)" },
      { expr: 'max(homelab_etcd_snapshot_created_timestamp_seconds{node="s3"} and on (name) (homelab_etcd_snapshot_ready == 1)) * 1000', legendFormat: "etcd snapshot (S3)" },
      { expr: 'max(homelab_etcd_snapshot_created_timestamp_seconds{node!="s3"} and on (name) (homelab_etcd_snapshot_ready == 1)) * 1000', legendFormat: "etcd snapshot (on the servers)" },
      { expr: 'max(velero_backup_last_successful_timestamp{schedule="resources-daily"}) * 1000', legendFormat: "Velero resources (daily)" },
      { expr: 'max(velero_backup_last_successful_timestamp{schedule="full-weekly"}) * 1000', legendFormat: "Velero full with volumes (weekly)" },
    ] },
    { title: "Clock offset", unit: "s", thresholds: [[null, "green"], [CLOCK_OFFSET_SECONDS, "red"]],
      targets: [{ expr: 'node_timex_offset_seconds{job="node-exporter"}', legendFormat: "{{instance}}" }] },
    { title: "K3s certificates: days left", unit: "d",
      thresholds: [[null, "red"], [CERTIFICATE_DAYS_LEFT.critical, "orange"], [CERTIFICATE_DAYS_LEFT.warning, "green"]],
      targets: [{ expr: 'min by (node) (k3s_certificate_expiration_seconds{job="kubelet",usages!~".*CertSign.*"}) / 86400', legendFormat: "{{node}}" }] },
  ]);
}

export function databaseDashboard(): Dashboard {
  const ns = 'namespace="$namespace"';
  return dashboard("homelab-database", "Homelab / Database", [
    { type: "stat", title: "Instances up", targets: [{ expr: `sum(cnpg_collector_up{${ns}})` }], w: 6 },
    { type: "stat", title: "Since last good backup", unit: "s", thresholds: [[null, "green"], [93600, "red"]], w: 6,
      targets: [{ expr: `time() - max(barman_cloud_cloudnative_pg_io_last_available_backup_timestamp{${ns}})` }] },
    { type: "stat", title: "Recoverable since", unit: "dateTimeFromNow", w: 6,
      targets: [{ expr: `max(barman_cloud_cloudnative_pg_io_first_recoverability_point{${ns}}) * 1000` }] },
    { type: "stat", title: "WAL archive failures (24h)", w: 6, thresholds: [[null, "green"], [1, "red"]],
      targets: [{ expr: `sum(increase(cnpg_pg_stat_archiver_failed_count{${ns}}[24h]))` }] },
    { title: "Replication lag", unit: "s", targets: [{ expr: `cnpg_pg_replication_lag{${ns}}`, legendFormat: "{{pod}}" }] },
    { title: "Connections", targets: [{ expr: `sum by (pod) (cnpg_backends_total{${ns}})`, legendFormat: "{{pod}}" }] },
    { title: "Database size", unit: "bytes", targets: [{ expr: `max by (datname) (cnpg_pg_database_size_bytes{${ns}})`, legendFormat: "{{datname}}" }] },
    { title: "WAL segments archived", unit: "ops", targets: [{ expr: `sum by (pod) (rate(cnpg_pg_stat_archiver_archived_count{${ns}}[5m]))`, legendFormat: "{{pod}}" }] },
    { title: "Volumes used", unit: "percentunit", min: 0, max: 1, thresholds: GREEN_RED, w: 24,
      targets: [{ expr: `kubelet_volume_stats_used_bytes{job="kubelet",${ns}} / kubelet_volume_stats_capacity_bytes{job="kubelet",${ns}}`, legendFormat: "{{persistentvolumeclaim}}" }] },
  ], [queryVariable("namespace", "label_values(cnpg_collector_up, namespace)")]);
}

export function gpuDashboard(): Dashboard {
  const legend = "{{Hostname}} GPU {{gpu}}";
  return dashboard("homelab-gpu", "Homelab / GPU", [
    { title: "Utilisation", unit: "percent", min: 0, max: 100, targets: [{ expr: "DCGM_FI_DEV_GPU_UTIL", legendFormat: legend }] },
    { title: "Memory used", unit: "percentunit", min: 0, max: 1, thresholds: GREEN_RED,
      targets: [{ expr: "DCGM_FI_DEV_FB_USED / (DCGM_FI_DEV_FB_USED + DCGM_FI_DEV_FB_FREE)", legendFormat: legend }] },
    { title: "Temperature", unit: "celsius", thresholds: [[null, "green"], [80, "orange"], [88, "red"]],
      targets: [{ expr: "DCGM_FI_DEV_GPU_TEMP", legendFormat: legend }] },
    { title: "Power draw", unit: "watt", targets: [{ expr: "DCGM_FI_DEV_POWER_USAGE", legendFormat: legend }] },
    { title: "Memory used (MiB)", unit: "decmbytes", w: 24, targets: [{ expr: "DCGM_FI_DEV_FB_USED", legendFormat: legend }] },
  ]);
}

export function voiceDashboard(services: VoiceService[] = VOICE_SERVICES): Dashboard {
  const namespaces = [...new Set(services.map((s) => s.namespace))].join("|");
  const inVoice = `namespace=~"${namespaces}"`;
  const availability: PanelSpec[] = services.map(({ namespace, deployment }) => ({
    type: "stat",
    title: deployment,
    w: Math.max(4, Math.floor(24 / services.length)),
    thresholds: [[null, "red"], [1, "green"]],
    targets: [{ expr: `kube_deployment_status_replicas_available{namespace="${namespace}",deployment="${deployment}"}` }],
  }));
  return dashboard("homelab-voice", "Homelab / Voice pipeline", [
    ...availability,
    { title: "CPU", unit: "cores", targets: [{ expr: `sum by (namespace) (rate(container_cpu_usage_seconds_total{${inVoice},container!=""}[5m]))`, legendFormat: "{{namespace}}" }] },
    { title: "Memory", unit: "bytes", targets: [{ expr: `sum by (namespace) (container_memory_working_set_bytes{${inVoice},container!=""})`, legendFormat: "{{namespace}}" }] },
    { title: "Container restarts (1h)", targets: [{ expr: `sum by (namespace, container) (increase(kube_pod_container_status_restarts_total{${inVoice}}[1h]))`, legendFormat: "{{namespace}}/{{container}}" }] },
    { title: "Network received", unit: "Bps", targets: [{ expr: `sum by (namespace) (rate(container_network_receive_bytes_total{${inVoice}}[5m]))`, legendFormat: "{{namespace}}" }] },
    { type: "logs", title: "Logs", w: 24, targets: [{ expr: `{${inVoice}}` }] },
    // Refreshed every 10s: this board is watched live while talking to the assistant.
  ], [], "10s");
}

export interface DashboardOptions {
  gpu: boolean;
  voiceServices?: VoiceService[];
}

/** The lab's dashboards; the GPU one only where there are GPUs to show. */
export function homelabDashboards(opts: DashboardOptions): Dashboard[] {
  return [
    nodesDashboard(),
    databaseDashboard(),
    ...(opts.gpu ? [gpuDashboard()] : []),
    voiceDashboard(opts.voiceServices),
  ];
}

/** The ConfigMap (metadata and data) that provisions one dashboard through Grafana's sidecar. */
export function dashboardConfigMap(namespace: string, board: Dashboard) {
  return {
    metadata: {
      name: `dashboard-${board.uid}`,
      namespace,
      labels: { grafana_dashboard: "1", "app.kubernetes.io/part-of": "homelab" },
      annotations: { [DASHBOARD_FOLDER_ANNOTATION]: DASHBOARD_FOLDER },
    },
    data: { [`${board.uid}.json`]: JSON.stringify(board, null, 1) },
  };
}
