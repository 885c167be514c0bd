import * as path from "node:path";
import { ObservabilitySchema } from "../../components/config";
import { alertmanagerConfig, webhookUrlFile } from "../../components/observability/alertmanager";
import {
  ALLOY_CLUSTER_ROLE,
  alloyClusterRole,
  alloyClusterRoleBinding,
  alloyConfig,
  alloyValues,
  durationHours,
  etcdMetricsEndpoints,
  GRAFANA_ADMIN_KEYS,
  GRAFANA_SIDECAR_ROLE,
  grafanaSidecarRole,
  k3sScrapeValues,
  kubePrometheusStackValues,
  KubePrometheusStackOptions,
  lokiPushUrl,
  lokiValues,
  prometheusRetentionSize,
  quantityBytes,
  SUPERSEDED_DEFAULT_ALERTS,
  sumQuantities,
} from "../../components/observability/values";
import { charts } from "../../components/versions";
import { readKeyList, unknownKeyPaths } from "../helpers/chart-keys";
import { stackObservability } from "./helpers";

const staging = stackObservability("staging");
const dev = stackObservability("dev");

function kps(overrides: Partial<KubePrometheusStackOptions> = {}): any {
  return kubePrometheusStackValues({
    namespace: "monitoring",
    agentNamespace: "node-agents",
    storageClass: "nfs-csi-v2",
    settings: staging.observability,
    grafanaAdminSecretName: "grafana-admin",
    ...overrides,
  });
}
const loki = (settings = staging.observability): any => lokiValues({ namespace: "monitoring", storageClass: "nfs-csi-v2", settings });
const alloy = (): any => alloyValues({ lokiNamespace: "monitoring" });

describe("sizes and durations", () => {
  it("parse the config's binary quantities and durations", () => {
    expect(quantityBytes("50Gi")).toBe(50 * 2 ** 30);
    expect(quantityBytes("512Mi")).toBe(2 ** 29);
    expect(() => quantityBytes("50GB")).toThrow(/50Gi/);
    expect(durationHours("744h")).toBe(744);
    expect(durationHours("31d")).toBe(744);
    expect(() => durationHours("1.5d")).toThrow(/30d or 744h/);
    expect(sumQuantities(["50Gi", "2Gi", "5Gi", "50Gi"])).toBe("107Gi");
    expect(sumQuantities(["1Gi", "512Mi"])).toBe("1536Mi");
  });

  it("size-based retention leaves 15% of the volume free, in a unit Prometheus reads", () => {
    expect(prometheusRetentionSize("50Gi")).toBe("42GiB");
    expect(prometheusRetentionSize("5Gi")).toBe("4GiB");
    expect(prometheusRetentionSize("1Gi")).toBe("870MiB");
    // The Prometheus CRD's ByteSize pattern.
    for (const size of ["50Gi", "1Gi", "100Mi"]) expect(prometheusRetentionSize(size)).toMatch(/^(0|([0-9]*[.])?[0-9]+((K|M|G|T|E|P)i?)?B)$/);
  });
});

describe("kube-prometheus-stack values", () => {
  it("staging: 30-day retention on 50 GB of the NFS class; dev is smaller", () => {
    const spec = kps().prometheus.prometheusSpec;
    expect(spec.retention).toBe("30d");
    expect(spec.retentionSize).toBe("42GiB");
    expect(spec.storageSpec.volumeClaimTemplate.spec).toEqual({
      storageClassName: "nfs-csi-v2",
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: "50Gi" } },
    });
    const devSpec = kps({ settings: dev.observability }).prometheus.prometheusSpec;
    expect(devSpec.retention).toBe("3d");
    expect(quantityBytes(devSpec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage)).toBeLessThan(quantityBytes("50Gi"));
    expect(kps({ settings: dev.observability }).alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec.resources.requests.storage).toBe("1Gi");
  });

  it("selects every ServiceMonitor, PodMonitor, PrometheusRule, Probe and ScrapeConfig, not only this release's", () => {
    const spec = kps().prometheus.prometheusSpec;
    for (const kind of ["serviceMonitor", "podMonitor", "rule", "probe", "scrapeConfig"]) {
      expect(spec[`${kind}SelectorNilUsesHelmValues`]).toBe(false);
    }
  });

  it("Grafana logs in with the secrets layer's grafana-admin keys and keeps its data on a claim", () => {
    const grafana = kps({ grafanaClaimName: "grafana-data" }).grafana;
    expect(grafana.admin).toEqual({ existingSecret: "grafana-admin", userKey: "admin-user", passwordKey: "admin-password" });
    expect(GRAFANA_ADMIN_KEYS).toEqual({ user: "admin-user", password: "admin-password" });
    expect(grafana.persistence).toEqual({ enabled: true, type: "pvc", existingClaim: "grafana-data" });
    expect(kps().grafana.persistence).toMatchObject({ enabled: true, storageClassName: "nfs-csi-v2", size: staging.observability.grafanaStorageSize });
    expect(JSON.stringify(grafana)).not.toMatch(/adminPassword/);
    // No root init container (it would break the restricted profile).
    expect(grafana.initChownData.enabled).toBe(false);
  });

  it("Grafana's data sources: Prometheus (default) and Loki, at the services' stable names", () => {
    const grafana = kps().grafana;
    expect(grafana.sidecar.datasources).toMatchObject({ enabled: true, isDefaultDatasource: true, uid: "prometheus", url: "http://kps-prometheus.monitoring.svc.cluster.local:9090" });
    expect(grafana.additionalDataSources).toEqual([expect.objectContaining({ name: "Loki", type: "loki", uid: "loki", isDefault: false, url: "http://loki.monitoring.svc.cluster.local:3100" })]);
    expect(kps().fullnameOverride).toBe("kps");
  });

  it("Grafana's sidecars load dashboards labelled grafana_dashboard=1 and data sources from ConfigMaps in Grafana's namespace only", () => {
    const sidecar = kps().grafana.sidecar;
    expect(sidecar.dashboards).toMatchObject({ enabled: true, label: "grafana_dashboard", labelValue: "1", searchNamespace: "monitoring", resource: "configmap" });
    expect(sidecar.datasources).toMatchObject({ searchNamespace: "monitoring", resource: "configmap" });
    expect(JSON.stringify(sidecar)).not.toMatch(/"ALL"|"both"|"secret"/);
  });

  it("Grafana gets no ClusterRole: a RoleBinding in its namespace to the program's Role, which reads ConfigMaps and no Secret", () => {
    expect(kps().grafana.rbac).toEqual({ create: true, namespaced: true, useExistingRole: GRAFANA_SIDECAR_ROLE });
    const role = grafanaSidecarRole("monitoring");
    expect(role.metadata).toMatchObject({ name: GRAFANA_SIDECAR_ROLE, namespace: "monitoring" });
    expect(role.rules).toEqual([{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] }]);
  });

  it("kube-state-metrics runs without its secrets collector, so its ClusterRole has no Secret rule", () => {
    expect(kps()["kube-state-metrics"].collectorsExclude).toEqual(["secrets"]);
  });

  it("the alert webhook URL is read from a mounted Secret, never written into values", () => {
    expect(kps().alertmanager.alertmanagerSpec.secrets).toBeUndefined();
    const am = kps({ alertWebhookSecretName: "alertmanager-webhook" }).alertmanager;
    expect(am.alertmanagerSpec.secrets).toEqual(["alertmanager-webhook"]);
    expect(am.config).toEqual(alertmanagerConfig({ webhookSecretName: "alertmanager-webhook" }));
    const webhook = am.config.receivers.find((r: any) => r.name === "webhook");
    expect(webhook.webhook_configs).toEqual([{ url_file: "/etc/alertmanager/secrets/alertmanager-webhook/url", send_resolved: true }]);
    expect(webhookUrlFile("alertmanager-webhook")).toBe(webhook.webhook_configs[0].url_file);
    expect(JSON.stringify(am)).not.toMatch(/"url":/);
  });

  it("without a webhook the chart still gets the lab's routing, whose receiver says alerts are undelivered", () => {
    expect(kps().alertmanager.config).toEqual(alertmanagerConfig());
    expect(kps().alertmanager.config.route.receiver).toBe("undelivered");
  });

  it("K3s: kubelet (with cAdvisor) and the API server scraped; controller manager, scheduler and proxy not, nor their rules", () => {
    const values = kps();
    expect(values.kubelet).toEqual({ enabled: true, serviceMonitor: { cAdvisor: true, probes: true } });
    for (const component of ["kubeControllerManager", "kubeScheduler", "kubeProxy", "kubeEtcd"]) expect(values[component].enabled).toBe(false);
    expect(values.defaultRules.rules).toMatchObject({ etcd: false, kubeControllerManager: false, kubeSchedulerAlerting: false, kubeProxy: false });
  });

  it("etcd is scraped on the servers' port 2381 only when K3s exposes it", () => {
    const values = kps({ etcdEndpoints: ["192.168.1.10", "192.168.1.11", "192.168.1.12"] });
    expect(values.kubeEtcd).toEqual({ enabled: true, endpoints: ["192.168.1.10", "192.168.1.11", "192.168.1.12"], service: { enabled: true, port: 2381, targetPort: 2381 } });
    expect(values.defaultRules.rules.etcd).toBe(true);
    expect(k3sScrapeValues([]).kubeEtcd).toEqual({ enabled: false });
  });

  it("etcd endpoints: server IPs of an HA control plane, none for a single server, a clear error without IPs", () => {
    const server = (name: string, host: string, nodeIp?: string) => ({ name, host, nodeIp }) as any;
    expect(etcdMetricsEndpoints({ servers: [server("a", "10.0.0.1")] })).toEqual([]);
    expect(etcdMetricsEndpoints({ servers: [server("a", "10.0.0.1"), server("b", "b.lan", "10.0.0.2"), server("c", "10.0.0.3")] }))
      .toEqual(["10.0.0.1", "10.0.0.2", "10.0.0.3"]);
    expect(() => etcdMetricsEndpoints({ servers: [server("a", "a.lan"), server("b", "10.0.0.2"), server("c", "c.lan")] })).toThrow(/nodeIp for a, c/);
  });

  it("switches off, by name, exactly the default alerts the homelab rules replace", () => {
    expect(Object.keys(kps().defaultRules.disabled)).toEqual([...SUPERSEDED_DEFAULT_ALERTS]);
  });

  it("node-exporter goes to the privileged agent namespace; the admission webhook (hook-made certificates) is off", () => {
    const values = kps();
    expect(values["prometheus-node-exporter"].namespaceOverride).toBe("node-agents");
    expect(values.prometheusOperator.admissionWebhooks.enabled).toBe(false);
    expect(values.prometheusOperator.tls.enabled).toBe(false);
  });

  it("gives Grafana its HTTPS address for links and redirects when the stack has one, and only then", () => {
    expect(kps({ grafanaUrl: "https://grafana.lab.home.arpa" }).grafana["grafana.ini"]).toEqual({
      server: { domain: "grafana.lab.home.arpa", root_url: "https://grafana.lab.home.arpa/" },
    });
    expect(kps().grafana["grafana.ini"]).toBeUndefined();
    // The ingress layer makes Grafana's Ingress; the chart's stays off.
    expect(kps({ grafanaUrl: "https://grafana.lab.home.arpa" }).grafana.ingress).toEqual({ enabled: false });
  });

  it("leaves the CRDs to their own chart (MonitoringCrds), so no two releases own them", () => {
    expect(kps().crds).toEqual({ enabled: false });
  });

  it("every key exists in kube-prometheus-stack (and its subcharts) at the checked version", () => {
    const keys = readKeyList(path.join(__dirname, `kube-prometheus-stack-${charts.kubePrometheusStack.valuesCheckedAgainst}.keys.txt`));
    for (const values of [kps(), kps({ alertWebhookSecretName: "w", etcdEndpoints: ["10.0.0.1"], grafanaClaimName: "c", grafanaUrl: "https://grafana.lab.home.arpa" })]) {
      expect(unknownKeyPaths(values, keys)).toEqual([]);
    }
    expect(unknownKeyPaths({ prometheus: { prometheusSpec: { retentionsize: "1GiB" } } }, keys)).toEqual(["prometheus.prometheusSpec.retentionsize"]);
  });
});

describe("Loki values", () => {
  it("monolithic single binary on the filesystem, one replica on the NFS class, the scalable targets at zero", () => {
    const v = loki();
    expect(v.deploymentMode).toBe("Monolithic");
    expect(v.loki.storage).toEqual({ type: "filesystem" });
    expect(v.loki.commonConfig.replication_factor).toBe(1);
    expect(v.singleBinary.replicas).toBe(1);
    expect(v.singleBinary.persistence).toMatchObject({ enabled: true, storageClass: "nfs-csi-v2", size: "50Gi" });
    for (const target of ["read", "write", "backend"]) expect(v[target].replicas).toBe(0);
    expect(v.loki.auth_enabled).toBe(false);
  });

  it("keeps 31 days (staging) through the compactor, with the delete-request store retention needs", () => {
    const v = loki();
    expect(v.loki.limits_config.retention_period).toBe("744h");
    expect(v.loki.compactor).toEqual({ retention_enabled: true, delete_request_store: "filesystem" });
    expect(loki(dev.observability).loki.limits_config.retention_period).toBe("72h");
  });

  it("a TSDB v13 schema (the chart refuses to render without one), and no test schema", () => {
    const [schema] = loki().loki.schemaConfig.configs;
    expect(schema).toMatchObject({ store: "tsdb", object_store: "filesystem", schema: "v13", index: { prefix: "index_", period: "24h" } });
    expect(loki().loki.useTestSchema).toBeUndefined();
  });

  it("satisfies the chart's render-time validations (validate.yaml)", () => {
    const v = loki();
    // test.enabled requires lokiCanary.enabled.
    expect(v.test.enabled && !v.lokiCanary.enabled).toBe(false);
    // Filesystem storage: at most one monolithic replica.
    expect(v.singleBinary.replicas).toBeLessThanOrEqual(1);
    // No MinIO (it fails rendering since 17.0).
    expect(v.minio).toBeUndefined();
    for (const cache of ["chunksCache", "resultsCache", "gateway"]) expect(v[cache].enabled).toBe(false);
  });

  it("every key exists in the loki chart at the checked version", () => {
    const keys = readKeyList(path.join(__dirname, `loki-${charts.loki.valuesCheckedAgainst}.keys.txt`));
    expect(unknownKeyPaths(loki(), keys)).toEqual([]);
  });
});

describe("Alloy", () => {
  const config = alloyConfig("monitoring");

  it("collects this node's pod logs from /var/log/pods and the node journal, and pushes them to Loki", () => {
    expect(config).toMatch(/discovery\.kubernetes "pods"[\s\S]*field = "spec\.nodeName=" \+ sys\.env\("HOSTNAME"\)/);
    expect(config).toContain('replacement   = "/var/log/pods/*$1/*.log"');
    expect(config).toMatch(/loki\.source\.file "pod_logs"/);
    expect(config).toMatch(/stage\.cri \{\}/);
    expect(config).toMatch(/loki\.source\.journal "node" \{[\s\S]*relabel_rules = loki\.relabel\.journal\.rules/);
    expect(config).toContain('source_labels = ["__journal__systemd_unit"]');
    expect(config).toContain(`url = "${lokiPushUrl("monitoring")}"`);
    expect(lokiPushUrl("monitoring")).toBe("http://loki.monitoring.svc.cluster.local:3100/loki/api/v1/push");
  });

  it("every component the pipeline forwards to is defined", () => {
    const defined = new Set([...config.matchAll(/^([a-z_.]+) "([a-z_]+)" \{/gm)].map((m) => `${m[1]}.${m[2]}`));
    const referenced = [...config.matchAll(/([a-z_]+(?:\.[a-z_]+)+)\.(receiver|targets|output|rules)\b/g)].map((m) => m[1]);
    expect(referenced.length).toBeGreaterThan(4);
    expect(referenced.filter((r) => !defined.has(r))).toEqual([]);
    // Balanced braces: a cheap syntax sanity check.
    expect((config.match(/\{/g) ?? []).length).toBe((config.match(/\}/g) ?? []).length);
  });

  it("runs as a DaemonSet on every node with the host paths it reads, as root without capabilities", () => {
    const v = alloy();
    expect(v.controller.type).toBe("daemonset");
    expect(v.controller.tolerations).toEqual([{ operator: "Exists" }]);
    expect(v.alloy.mounts.varlog).toBe(true);
    const mounts = Object.fromEntries(v.alloy.mounts.extra.map((m: any) => [m.name, m.mountPath]));
    const volumes = Object.fromEntries(v.controller.volumes.extra.map((vol: any) => [vol.name, vol.hostPath.path]));
    expect(mounts).toEqual({ "journal-volatile": "/run/log/journal", "machine-id": "/etc/machine-id", state: "/var/lib/alloy" });
    for (const name of Object.keys(mounts)) expect(volumes[name]).toBe(mounts[name]);
    expect(v.alloy.storagePath.startsWith("/var/lib/alloy/")).toBe(true);
    expect(v.alloy.securityContext).toMatchObject({ runAsUser: 0, privileged: false, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    expect(v.alloy.configMap.content).toBe(config);
  });

  it("Alloy's RBAC is the program's: pods only, cluster-wide, bound to the chart's service account", () => {
    expect(alloy().rbac).toEqual({ create: false });
    expect(alloy().serviceAccount).toEqual({ create: true });
    expect(alloyClusterRole().rules).toEqual([{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] }]);
    expect(alloyClusterRoleBinding("node-agents")).toMatchObject({
      roleRef: { kind: "ClusterRole", name: ALLOY_CLUSTER_ROLE },
      subjects: [{ kind: "ServiceAccount", name: "alloy", namespace: "node-agents" }],
    });
    // The pipeline asks the API for nothing but pods: a new discovery role would need a new rule.
    expect([...alloyConfig("monitoring").matchAll(/role\s*=\s*"(\w+)"/g)].map((m) => m[1])).toEqual(["pod", "pod"]);
    expect(alloyConfig("monitoring")).not.toMatch(/remote\.kubernetes|loki\.source\.kubernetes|prometheus\.operator|mimir\./);
  });

  it("every key exists in the alloy chart at the checked version", () => {
    const keys = readKeyList(path.join(__dirname, `alloy-${charts.alloy.valuesCheckedAgainst}.keys.txt`));
    expect(unknownKeyPaths(alloy(), keys)).toEqual([]);
  });
});

describe("stack settings", () => {
  it("the schema's defaults are the reference lab's figures", () => {
    const defaults = ObservabilitySchema.parse({});
    expect(defaults.prometheus).toEqual({ retention: "30d", storageSize: "50Gi" });
    expect(defaults.loki.retention).toBe("744h");
  });
});
