// Pure Helm values for the observability stack: kube-prometheus-stack (Prometheus, Alertmanager,
// Grafana, kube-state-metrics, node-exporter), Loki in monolithic mode and Alloy as the node
// collector. Every key was checked against the chart versions recorded in components/versions.ts
// (`valuesCheckedAgainst`); Helm ignores unknown keys silently, so the tests pin the ones that matter.
import { isIP } from "node:net";
import type { HomelabConfig, ObservabilitySettings } from "../config";
import { volumeBackupAnnotations } from "../backups/volumes";
import { alertmanagerConfig } from "./alertmanager";

/** Stable object names, so data sources, push URLs and network rules never depend on release names. */
export const NAMES = {
  /** kube-prometheus-stack fullname: services become `kps-prometheus`, `kps-alertmanager`. */
  kps: "kps",
  /** Grafana's service: the subchart names it <release>-grafana. */
  grafana: "kps-grafana",
  loki: "loki",
  alloy: "alloy",
  nodeExporter: "node-exporter",
} as const;

export const PORTS = {
  prometheus: 9090,
  alertmanager: 9093,
  grafana: 3000,
  loki: 3100,
  /** Loki's gRPC port: the single binary reaches its own compactor and ruler through its Service. */
  lokiGrpc: 9095,
  alloy: 12345,
  nodeExporter: 9100,
  /** kube-state-metrics (main and self metrics) and the operator's plain-HTTP port. */
  kubeStateMetrics: 8080,
  kubeStateMetricsSelf: 8081,
  operator: 8080,
  configReloader: 8080,
  /** K3s serves embedded-etcd metrics here when started with `etcd-expose-metrics: true`. */
  etcdMetrics: 2381,
} as const;

/** Keys of the secrets layer's `grafana-admin` Secret (the chart's own defaults, set explicitly). */
export const GRAFANA_ADMIN_KEYS = { user: "admin-user", password: "admin-password" } as const;

export function prometheusUrl(namespace: string): string {
  return `http://${NAMES.kps}-prometheus.${namespace}.svc.cluster.local:${PORTS.prometheus}`;
}

export function lokiUrl(namespace: string): string {
  return `http://${NAMES.loki}.${namespace}.svc.cluster.local:${PORTS.loki}`;
}

/** Where Alloy pushes; Loki's gateway is off, so this is the single binary's own service. */
export function lokiPushUrl(namespace: string): string {
  return `${lokiUrl(namespace)}/loki/api/v1/push`;
}

const BYTES_PER_UNIT: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40 };

/** Bytes in a Kubernetes binary quantity such as "50Gi" (the forms the config schema accepts). */
export function quantityBytes(quantity: string): number {
  const match = /^(\d+)(Ki|Mi|Gi|Ti)$/.exec(quantity);
  if (!match) throw new Error(`expected a size such as 50Gi, got "${quantity}"`);
  return Number(match[1]) * BYTES_PER_UNIT[match[2]];
}

/** Sum of quantities, as whole Gi when exact, else Mi. */
export function sumQuantities(quantities: string[]): string {
  const bytes = quantities.reduce((total, q) => total + quantityBytes(q), 0);
  return bytes % 2 ** 30 === 0 ? `${bytes / 2 ** 30}Gi` : `${Math.ceil(bytes / 2 ** 20)}Mi`;
}

/**
 * Prometheus's size-based retention, 85% of the volume: the TSDB deletes old blocks before the
 * volume fills (WAL and compaction need headroom), whichever of time or size comes first.
 */
export function prometheusRetentionSize(storageSize: string): string {
  const bytes = quantityBytes(storageSize) * 0.85;
  return bytes >= 2 ** 30 ? `${Math.floor(bytes / 2 ** 30)}GiB` : `${Math.floor(bytes / 2 ** 20)}MiB`;
}

const HOURS_PER_UNIT: Record<string, number> = { h: 1, d: 24, w: 168, y: 8760 };

export function durationHours(duration: string): number {
  const match = /^(\d+)(h|d|w|y)$/.exec(duration);
  if (!match) throw new Error(`expected a duration such as 30d or 744h, got "${duration}"`);
  return Number(match[1]) * HOURS_PER_UNIT[match[2]];
}

function claim(storageClass: string, size: string) {
  return { volumeClaimTemplate: { spec: { storageClassName: storageClass, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: size } } } } };
}

function resources(requests: [string, string], limits: [string, string]) {
  return { requests: { cpu: requests[0], memory: requests[1] }, limits: { cpu: limits[0], memory: limits[1] } };
}

const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};

/**
 * Alerts of the chart's default rules that a homelab rule in rules.ts replaces (same condition,
 * tuned for the lab); switched off by name so one condition never pages twice.
 */
export const SUPERSEDED_DEFAULT_ALERTS = [
  "KubeNodeNotReady", // -> NodeNotReady: 5m instead of 15m, critical
  "NodeFilesystemAlmostOutOfSpace", // -> NodeDiskAlmostFull: warns at 15% free, not 5%
  "KubePersistentVolumeFillingUp", // -> PersistentVolumeAlmostFull: NFS claims share one export, so linear fill predictions fire for all of them at once
  "NodeClockSkewDetected", // -> NodeClockSkewed: same signal, unit-tested with the lab's rules
  "NodeClockNotSynchronising", // -> NodeClockNotSynchronised: on sync status alone (the default also waits for the kernel's maximum error to reach 16s)
] as const;

export interface KubePrometheusStackOptions {
  namespace: string;
  /** Namespace (Pod Security "privileged") that node-exporter runs in: it needs hostNetwork, hostPID and hostPath. */
  agentNamespace: string;
  storageClass: string;
  settings: ObservabilitySettings;
  grafanaAdminSecretName: string;
  /** Secret (in `namespace`) whose key `url` holds the alert webhook; see alertmanager.ts for what happens without. */
  alertWebhookSecretName?: string;
  /**
   * Server IPs where K3s serves embedded-etcd metrics (`etcd-expose-metrics: true`). Empty: etcd is
   * not scraped and its default alerts are off (sqlite single servers have no etcd at all).
   */
  etcdEndpoints?: string[];
  /**
   * A claim made outside the chart for Grafana's data (so it can outlive the release); without it
   * the chart makes one on `storageClass`.
   */
  grafanaClaimName?: string;
  /** Grafana's HTTPS URL (the ingress layer's), for its links and redirects. */
  grafanaUrl?: string;
}

/**
 * Scraping K3s: every component runs inside one k3s process and registers into one metrics registry,
 * so the kubelet endpoint (which kps scrapes on every node, with cAdvisor and probes) already carries
 * the scheduler's and controller manager's metrics on servers, and kube-proxy's everywhere. Scraping
 * those ports again would only duplicate series, and K3s binds them to 127.0.0.1 anyway, which would
 * leave their Down alerts firing forever. So kubelet and the API server stay on, and the controller
 * manager, scheduler and kube-proxy scrapers (with their default rules) are off. etcd is the exception:
 * its metrics are separate (port 2381) and matter for HA quorum, so it is scraped when K3s exposes them.
 */
export function k3sScrapeValues(etcdEndpoints: string[]): Record<string, unknown> {
  const etcd = etcdEndpoints.length > 0;
  return {
    kubelet: { enabled: true, serviceMonitor: { cAdvisor: true, probes: true } },
    kubeApiServer: { enabled: true },
    kubeControllerManager: { enabled: false },
    kubeScheduler: { enabled: false },
    kubeProxy: { enabled: false },
    kubeEtcd: etcd
      ? { enabled: true, endpoints: etcdEndpoints, service: { enabled: true, port: PORTS.etcdMetrics, targetPort: PORTS.etcdMetrics } }
      : { enabled: false },
  };
}

/**
 * The addresses to scrape embedded etcd at: every server's IP (Endpoints take IPs, not names), from
 * `nodeIp` or an IP `host`. Only HA control planes run etcd (a single server uses SQLite), and K3s
 * serves the metrics only with `etcd-expose-metrics: true`, so pass the result only when the K3s
 * layer sets that.
 */
export function etcdMetricsEndpoints(config: Pick<HomelabConfig, "servers">): string[] {
  if (config.servers.length < 2) return [];
  const ip = (s: HomelabConfig["servers"][number]) => s.nodeIp ?? (isIP(s.host) ? s.host : undefined);
  const missing = config.servers.filter((s) => !ip(s)).map((s) => s.name);
  if (missing.length > 0) {
    throw new Error(`scraping etcd needs each server's IP; set homelab:nodes[].nodeIp for ${missing.join(", ")}`);
  }
  return config.servers.map((s) => ip(s)!);
}

export function kubePrometheusStackValues(opts: KubePrometheusStackOptions): Record<string, unknown> {
  const { settings, storageClass } = opts;
  const etcdEndpoints = opts.etcdEndpoints ?? [];
  const webhookSecret = opts.alertWebhookSecretName;

  return {
    fullnameOverride: NAMES.kps,
    // The CRDs come from their own chart (MonitoringCrds), installed before any layer's monitors;
    // two releases applying the same CRDs would fight over their fields.
    crds: { enabled: false },
    // Pulumi's Helm v4 Chart skips hook resources, and the admission webhook's certificate comes from
    // hook Jobs; without them the operator would wait for a Secret that never exists. Rule objects are
    // schema-checked by the tests instead, and Prometheus reports rules it cannot load.
    prometheusOperator: {
      admissionWebhooks: { enabled: false },
      tls: { enabled: false },
      resources: resources(["50m", "128Mi"], ["500m", "512Mi"]),
      prometheusConfigReloader: { resources: resources(["10m", "32Mi"], ["100m", "64Mi"]) },
    },
    defaultRules: {
      create: true,
      rules: {
        etcd: etcdEndpoints.length > 0,
        kubeControllerManager: false,
        kubeSchedulerAlerting: false,
        kubeSchedulerRecording: false,
        kubeProxy: false,
        windows: false,
      },
      disabled: Object.fromEntries(SUPERSEDED_DEFAULT_ALERTS.map((alert) => [alert, true])),
    },
    windowsMonitoring: { enabled: false },
    ...k3sScrapeValues(etcdEndpoints),
    prometheus: {
      prometheusSpec: {
        retention: settings.prometheus.retention,
        retentionSize: prometheusRetentionSize(settings.prometheus.storageSize),
        storageSpec: claim(storageClass, settings.prometheus.storageSize),
        // false: select every ServiceMonitor/PodMonitor/PrometheusRule/Probe/ScrapeConfig in every
        // namespace, not only those labelled with this release; each layer owns its own monitors.
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        ruleSelectorNilUsesHelmValues: false,
        probeSelectorNilUsesHelmValues: false,
        scrapeConfigSelectorNilUsesHelmValues: false,
        resources: resources(["250m", "1Gi"], ["1500m", "3Gi"]),
      },
    },
    alertmanager: {
      alertmanagerSpec: {
        storage: claim(storageClass, settings.alertmanagerStorageSize),
        resources: resources(["20m", "64Mi"], ["200m", "256Mi"]),
        // Mounted at /etc/alertmanager/secrets/<name>/; the config below only names the file, so the
        // webhook URL never appears in Helm values, the Pulumi state or the generated config Secret.
        ...(webhookSecret ? { secrets: [webhookSecret] } : {}),
      },
      // Always ours, webhook or not: without one, alerts go to a receiver named "undelivered".
      config: alertmanagerConfig({ webhookSecretName: webhookSecret }),
    },
    grafana: grafanaValues(opts),
    "kube-state-metrics": {
      resources: resources(["20m", "64Mi"], ["500m", "256Mi"]),
      // Its ClusterRole lists and watches every kind it has a collector for, and a list of Secrets
      // carries their data: without the secrets collector the role has no Secret rule at all
      // (kube-state-metrics 8.4.0 templates/role.yaml). No rule or dashboard of the lab or the
      // chart reads kube_secret_* series.
      collectorsExclude: ["secrets"],
      // K3s records each etcd snapshot as an ETCDSnapshotFile; these metrics are what the backup
      // alerts see of them (rules.ts, homelab.backups).
      customResourceState: { enabled: true, config: etcdSnapshotMetricsConfig() },
      rbac: { extraRules: [{ apiGroups: ["k3s.cattle.io"], resources: ["etcdsnapshotfiles"], verbs: ["list", "watch"] }] },
    },
    // node-exporter needs the host's network, PIDs and root filesystem: it lives in the privileged
    // agent namespace beside Alloy, so `monitoring` itself can enforce the restricted profile.
    "prometheus-node-exporter": {
      namespaceOverride: opts.agentNamespace,
      fullnameOverride: NAMES.nodeExporter,
      resources: resources(["20m", "32Mi"], ["250m", "128Mi"]),
    },
  };
}

/**
 * The Role Grafana's sidecars are bound to instead of the chart's own RBAC: read ConfigMaps (the
 * dashboards and data sources) in Grafana's namespace, and nothing else. The chart's ClusterRole,
 * and even its namespaced Role, grant every Secret as well (grafana 12.11.1 templates/clusterrole.yaml
 * and role.yaml hard-code ["configmaps", "secrets"]); with `rbac.namespaced` and `useExistingRole`
 * it renders only a RoleBinding in its namespace to this Role (templates/rolebinding.yaml).
 */
export const GRAFANA_SIDECAR_ROLE = "grafana-sidecar";

export function grafanaSidecarRole(namespace: string) {
  return {
    metadata: { name: GRAFANA_SIDECAR_ROLE, namespace, labels: { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "observability" } },
    rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] }],
  };
}

/**
 * kube-state-metrics' custom resource state config for K3s's ETCDSnapshotFile (k3s.cattle.io/v1,
 * cluster-scoped; status fields per k3s-io/api types.go): when each snapshot was taken, whether it
 * can be restored, and when it last failed (0 without an error). kube-state-metrics v2.20.0 reads
 * RFC 3339 strings as Unix seconds (pkg/customresourcestate/registry_factory.go, toFloat64).
 */
export function etcdSnapshotMetricsConfig(): Record<string, unknown> {
  const gauge = (name: string, help: string, path: string[]) => ({ name, help, each: { type: "Gauge", gauge: { path, nilIsZero: true } } });
  return {
    kind: "CustomResourceStateMetrics",
    spec: {
      resources: [{
        groupVersionKind: { group: "k3s.cattle.io", version: "v1", kind: "ETCDSnapshotFile" },
        metricNamePrefix: "homelab_etcd_snapshot",
        labelsFromPath: { name: ["metadata", "name"], node: ["spec", "nodeName"] },
        metrics: [
          gauge("created_timestamp_seconds", "When K3s took the snapshot (status.creationTime)", ["status", "creationTime"]),
          gauge("ready", "1 when the snapshot can be restored (status.readyToUse)", ["status", "readyToUse"]),
          gauge("error_timestamp_seconds", "When the snapshot last failed (status.error.time), 0 without an error", ["status", "error", "time"]),
        ],
      }],
    },
  };
}

export function grafanaValues(opts: KubePrometheusStackOptions): Record<string, unknown> {
  return {
    // Namespaced: no ClusterRole, only a RoleBinding in Grafana's own namespace (rbac.namespaces
    // stays empty) to the program's ConfigMap-only Role; the sidecars below look nowhere else.
    rbac: { create: true, namespaced: true, useExistingRole: GRAFANA_SIDECAR_ROLE },
    admin: {
      existingSecret: opts.grafanaAdminSecretName,
      userKey: GRAFANA_ADMIN_KEYS.user,
      passwordKey: GRAFANA_ADMIN_KEYS.password,
    },
    persistence: opts.grafanaClaimName
      ? { enabled: true, type: "pvc", existingClaim: opts.grafanaClaimName }
      : { enabled: true, type: "pvc", storageClassName: opts.storageClass, accessModes: ["ReadWriteOnce"], size: opts.settings.grafanaStorageSize },
    // One pod at a time on the SQLite database; the chart's root chown init container would break
    // the restricted profile (and NFS exports squash root anyway). The chart's own pod and container
    // security contexts (non-root 472, no capabilities, RuntimeDefault seccomp) already pass it.
    deploymentStrategy: { type: "Recreate" },
    initChownData: { enabled: false },
    // Its database volume goes into the weekly full backup (components/backups/volumes.ts).
    podAnnotations: volumeBackupAnnotations("grafana"),
    resources: resources(["100m", "256Mi"], ["1000m", "1Gi"]),
    sidecar: {
      resources: resources(["20m", "64Mi"], ["200m", "256Mi"]),
      // Every dashboard ConfigMap lives in Grafana's namespace (the lab's and the chart's; the
      // database layer renders none), and none is a Secret.
      dashboards: {
        enabled: true,
        label: "grafana_dashboard",
        labelValue: "1",
        searchNamespace: opts.namespace,
        resource: "configmap",
        folderAnnotation: DASHBOARD_FOLDER_ANNOTATION,
        provider: { foldersFromFilesStructure: true },
      },
      datasources: {
        enabled: true,
        searchNamespace: opts.namespace,
        resource: "configmap",
        defaultDatasourceEnabled: true,
        isDefaultDatasource: true,
        name: "Prometheus",
        uid: "prometheus",
        url: prometheusUrl(opts.namespace),
      },
    },
    additionalDataSources: [
      {
        name: "Loki",
        type: "loki",
        uid: "loki",
        access: "proxy",
        url: lokiUrl(opts.namespace),
        isDefault: false,
        editable: false,
        jsonData: { maxLines: 1000 },
      },
    ],
    // The ingress layer makes Grafana's Ingress itself (HTTPS only, components/ingress); without it,
    // `kubectl port-forward svc/kps-grafana 3000:80 -n monitoring`.
    ingress: { enabled: false },
    ...(opts.grafanaUrl ? { "grafana.ini": { server: { domain: new URL(opts.grafanaUrl).hostname, root_url: `${opts.grafanaUrl}/` } } } : {}),
  };
}

/** ConfigMap annotation naming the Grafana folder a dashboard lands in. */
export const DASHBOARD_FOLDER_ANNOTATION = "grafana_folder";

export interface LokiOptions {
  namespace: string;
  storageClass: string;
  settings: ObservabilitySettings;
}

/** Loki's schema starts here; a later schema change appends an entry with a later date. */
export const LOKI_SCHEMA_START = "2026-01-01";

/** Loki's values; the config has refused a retention under Loki's 24h minimum. */
export function lokiValues(opts: LokiOptions): Record<string, unknown> {
  const { retention, storageSize } = opts.settings.loki;
  return {
    fullnameOverride: NAMES.loki,
    deploymentMode: "Monolithic",
    loki: {
      // Single tenant: Alloy pushes and Grafana queries without an X-Scope-OrgID header.
      auth_enabled: false,
      commonConfig: { replication_factor: 1 },
      storage: { type: "filesystem" },
      schemaConfig: {
        configs: [{
          from: LOKI_SCHEMA_START,
          store: "tsdb",
          object_store: "filesystem",
          schema: "v13",
          index: { prefix: "index_", period: "24h" },
        }],
      },
      limits_config: { retention_period: retention },
      compactor: {
        retention_enabled: true,
        // Required once retention is on: where delete requests are kept.
        delete_request_store: "filesystem",
      },
    },
    singleBinary: {
      replicas: 1,
      persistence: { enabled: true, storageClass: opts.storageClass, size: storageSize, accessModes: ["ReadWriteOnce"] },
      resources: resources(["100m", "256Mi"], ["1000m", "2Gi"]),
    },
    // Monolithic on a filesystem: the scalable and distributed targets must all be zero.
    read: { replicas: 0 },
    write: { replicas: 0 },
    backend: { replicas: 0 },
    // A homelab's log volume does not need memcached (the chunks cache alone asks for 8 GiB).
    chunksCache: { enabled: false },
    resultsCache: { enabled: false },
    // Clients talk to the single binary directly on 3100; no nginx in front.
    gateway: { enabled: false },
    // The Helm test needs the canary; both off (the canary is a DaemonSet pushing synthetic logs).
    test: { enabled: false },
    lokiCanary: { enabled: false },
    // No Loki-side alerting rules: alerts live in Prometheus. This also drops the rules sidecar.
    ruler: { enabled: false },
    sidecar: { rules: { enabled: false } },
    monitoring: { serviceMonitor: { enabled: true } },
  };
}

export interface AlloyOptions {
  lokiNamespace: string;
}

/** Where Alloy keeps its read positions: on the host, so a restarted pod resumes instead of re-sending. */
export const ALLOY_STATE_DIR = "/var/lib/alloy";

/**
 * Alloy's pipeline: this node's pod logs from the kubelet's files under /var/log/pods, and the
 * node's systemd journal (K3s itself, containerd, the kernel), both pushed to Loki.
 */
export function alloyConfig(lokiNamespace: string): string {
  return `// Generated by components/observability/values.ts. Runs on every node (DaemonSet).
discovery.kubernetes "pods" {
  role = "pod"
  // Only the pods of this node: HOSTNAME is the node name (set by the chart).
  selectors {
    role  = "pod"
    field = "spec.nodeName=" + sys.env("HOSTNAME")
  }
}

discovery.relabel "pod_logs" {
  targets = discovery.kubernetes.pods.targets
  rule {
    source_labels = ["__meta_kubernetes_pod_phase"]
    regex         = "Pending|Succeeded|Failed|Unknown"
    action        = "drop"
  }
  rule {
    source_labels = ["__meta_kubernetes_namespace"]
    target_label  = "namespace"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_name"]
    target_label  = "pod"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_container_name"]
    target_label  = "container"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_node_name"]
    target_label  = "node"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_label_app_kubernetes_io_name"]
    target_label  = "app"
  }
  rule {
    source_labels = ["__meta_kubernetes_namespace", "__meta_kubernetes_pod_container_name"]
    separator     = "/"
    target_label  = "job"
  }
  rule {
    source_labels = ["__meta_kubernetes_pod_uid", "__meta_kubernetes_pod_container_name"]
    separator     = "/"
    target_label  = "__path__"
    replacement   = "/var/log/pods/*$1/*.log"
  }
}

local.file_match "pod_logs" {
  path_targets = discovery.relabel.pod_logs.output
}

loki.source.file "pod_logs" {
  targets    = local.file_match.pod_logs.targets
  forward_to = [loki.process.pod_logs.receiver]
}

loki.process "pod_logs" {
  // containerd writes CRI lines: timestamp, stream, flags, message.
  stage.cri {}
  forward_to = [loki.write.loki.receiver]
}

loki.relabel "journal" {
  forward_to = []
  rule {
    source_labels = ["__journal__systemd_unit"]
    target_label  = "unit"
  }
  rule {
    source_labels = ["__journal_priority_keyword"]
    target_label  = "level"
  }
}

loki.source.journal "node" {
  // Reads /var/log/journal and /run/log/journal (both mounted from the host).
  max_age       = "12h"
  relabel_rules = loki.relabel.journal.rules
  labels        = { job = "node/journal", node = sys.env("HOSTNAME") }
  forward_to    = [loki.write.loki.receiver]
}

loki.write "loki" {
  endpoint {
    url = "${lokiPushUrl(lokiNamespace)}"
  }
}
`;
}

/**
 * Alloy's own ClusterRole, instead of the chart's: the pipeline above discovers pods and nothing
 * else (`discovery.kubernetes` role "pod"; it tails files, not the API). The chart's default rules
 * add Secrets, ConfigMaps, events, nodes and more, cluster-wide, and its template cannot render
 * fewer: with a non-empty `rbac.rules` and an empty `rbac.clusterRules` it appends "[]" to the rule
 * list (alloy 1.11.1 templates/rbac.yaml), so the chart's RBAC is off and this is bound instead.
 */
export const ALLOY_CLUSTER_ROLE = "alloy-pod-discovery";

export function alloyClusterRole() {
  return {
    metadata: { name: ALLOY_CLUSTER_ROLE, labels: { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "observability" } },
    rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] }],
  };
}

export function alloyClusterRoleBinding(agentNamespace: string) {
  return {
    metadata: { name: ALLOY_CLUSTER_ROLE, labels: { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "observability" } },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: ALLOY_CLUSTER_ROLE },
    // The chart's ServiceAccount, named after fullnameOverride.
    subjects: [{ kind: "ServiceAccount", name: NAMES.alloy, namespace: agentNamespace }],
  };
}

export function alloyValues(opts: AlloyOptions): Record<string, unknown> {
  const hostPath = (name: string, path: string, type: string) => ({ name, hostPath: { path, type } });
  return {
    fullnameOverride: NAMES.alloy,
    // See alloyClusterRole: the chart's RBAC would read every Secret in the cluster.
    rbac: { create: false },
    serviceAccount: { create: true },
    // Alloy's PodLogs CRD is for loki.source.podlogs, which this pipeline does not use.
    crds: { create: false },
    alloy: {
      configMap: { create: true, content: alloyConfig(opts.lokiNamespace) },
      storagePath: `${ALLOY_STATE_DIR}/data`,
      enableReporting: false,
      mounts: {
        // /var/log: pod logs (/var/log/pods) and the persistent journal (/var/log/journal).
        varlog: true,
        dockercontainers: false,
        extra: [
          { name: "journal-volatile", mountPath: "/run/log/journal", readOnly: true },
          // The journal reader opens the local machine's journal, identified by the host's machine-id.
          { name: "machine-id", mountPath: "/etc/machine-id", readOnly: true },
          { name: "state", mountPath: ALLOY_STATE_DIR },
        ],
      },
      // Root reads the root-owned log and journal files without any capability; nothing else is granted.
      securityContext: {
        runAsUser: 0,
        runAsGroup: 0,
        runAsNonRoot: false,
        privileged: false,
        ...RESTRICTED_CONTAINER,
      },
      resources: resources(["50m", "128Mi"], ["500m", "512Mi"]),
    },
    // The chart knows only requests here; the namespace's LimitRange supplies the limits.
    configReloader: { resources: { requests: { cpu: "10m", memory: "32Mi" } } },
    controller: {
      type: "daemonset",
      // Every node, the tainted GPU workstation and servers included.
      tolerations: [{ operator: "Exists" }],
      volumes: {
        extra: [
          // Raspberry Pi OS and others keep a volatile journal only; create the path where absent.
          hostPath("journal-volatile", "/run/log/journal", "DirectoryOrCreate"),
          hostPath("machine-id", "/etc/machine-id", "File"),
          hostPath("state", ALLOY_STATE_DIR, "DirectoryOrCreate"),
        ],
      },
    },
    serviceMonitor: { enabled: true },
  };
}
