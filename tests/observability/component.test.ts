// Observability under the mock runtime: the charts (pinned), the rules, the dashboards and the
// Grafana claim, with their parents, providers, ordering and values; staging against dev.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { createNamespaces, LabNamespace } from "../../components/namespaces";
import { MonitoringCrds, Observability, observabilityNamespaces } from "../../components/observability";
import { charts } from "../../components/versions";
import type { RecordedResource } from "../../tools/lib/recorder";
import { mockRuntime, Recorder, settle } from "../helpers/runtime";
import { stackObservability } from "./helpers";
import { stagingNetworks } from "../helpers/networks";

const T = {
  chart: "kubernetes:helm.sh/v4:Chart",
  rule: "kubernetes:monitoring.coreos.com/v1:PrometheusRule",
  configMap: "kubernetes:core/v1:ConfigMap",
  claim: "kubernetes:core/v1:PersistentVolumeClaim",
  component: "homelab:observability:Observability",
  crds: "homelab:observability:MonitoringCrds",
};

let recorder: Recorder;
let namespaces: Record<string, LabNamespace>;
let staging: Observability;
let dev: Observability;
let sharedCrds: MonitoringCrds;

beforeAll(async () => {
  recorder = await mockRuntime("staging");
  const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
  const stagingStack = stackObservability("staging");
  const devStack = stackObservability("dev");
  namespaces = createNamespaces(provider, observabilityNamespaces(stagingStack), stagingNetworks());
  sharedCrds = new MonitoringCrds("monitoring-crds", { provider });
  const common = {
    provider,
    namespace: namespaces["monitoring"],
    agentNamespace: namespaces["node-agents"],
    storageClass: pulumi.output("nfs-csi-v2"),
    grafanaAdminSecretName: "grafana-admin",
  };
  staging = new Observability("obs", {
    ...common,
    settings: stagingStack.observability,
    gpu: stagingStack.gpu,
    alertWebhookSecretName: "alertmanager-webhook",
    crds: sharedCrds,
  });
  dev = new Observability("obsdev", { ...common, settings: devStack.observability, gpu: devStack.gpu });
  await settle();
});

const children = (root: string, type: string): RecordedResource[] => recorder.ofType(type).filter((r) => r.name.startsWith(`${root}-`));
const chartNamed = (name: string) => recorder.byName(T.chart, name);
const values = (name: string) => chartNamed(name).inputs.values as any;

describe("Observability", () => {
  it("installs kube-prometheus-stack, Loki and Alloy pinned to the version registry", () => {
    const expected = { "obs-kps": charts.kubePrometheusStack, "obs-loki": charts.loki, "obs-alloy": charts.alloy };
    for (const [name, pin] of Object.entries(expected)) {
      expect(chartNamed(name).inputs).toMatchObject({ chart: pin.chart, version: pin.version, repositoryOpts: { repo: pin.repo } });
    }
    expect(charts.loki.repo).toBe("https://grafana-community.github.io/helm-charts");
  });

  it("puts Prometheus, Grafana and Loki in monitoring, Alloy and node-exporter in node-agents", () => {
    expect(chartNamed("obs-kps").inputs.namespace).toBe("monitoring");
    expect(chartNamed("obs-loki").inputs.namespace).toBe("monitoring");
    expect(chartNamed("obs-alloy").inputs.namespace).toBe("node-agents");
    expect(values("obs-kps")["prometheus-node-exporter"].namespaceOverride).toBe("node-agents");
  });

  it("installs the operator CRDs from their own pinned chart, once, and kube-prometheus-stack after them", () => {
    const crdCharts = recorder.ofType(T.chart).filter((c) => c.inputs.chart === charts.prometheusOperatorCrds.chart);
    // The shared one for staging, dev's own.
    expect(crdCharts.map((c) => c.name).sort()).toEqual(["monitoring-crds-chart", "obsdev-crds-chart"]);
    expect(crdCharts[0].inputs).toMatchObject({ version: charts.prometheusOperatorCrds.version });
    // dependsOn a component waits for its children: the CRD chart.
    const crdsChart = chartNamed("monitoring-crds-chart").urn;
    for (const name of ["obs-kps", "obs-loki", "obs-alloy"]) expect(chartNamed(name).dependencies).toContain(crdsChart);
    expect(chartNamed("obsdev-kps").dependencies).toContain(chartNamed("obsdev-crds-chart").urn);
    expect(staging.crds).toBe(sharedCrds);
  });

  it("the rules wait for kube-prometheus-stack and validate as PrometheusRules in monitoring", () => {
    const kps = chartNamed("obs-kps").urn;
    const rules = children("obs", T.rule);
    expect(rules.map((r) => r.name).sort()).toEqual([
      "obs-rules-homelab-backups", "obs-rules-homelab-certificates", "obs-rules-homelab-database", "obs-rules-homelab-gpu", "obs-rules-homelab-nodes", "obs-rules-homelab-secrets",
      "obs-rules-homelab-storage", "obs-rules-homelab-voice",
    ]);
    for (const rule of rules) {
      expect(rule.dependencies).toContain(kps);
      expect(rule.inputs).toMatchObject({ apiVersion: "monitoring.coreos.com/v1", kind: "PrometheusRule", metadata: { namespace: "monitoring" } });
    }
  });

  it("dev has no GPU: no GPU rules, no GPU dashboard", () => {
    expect(children("obsdev", T.rule).map((r) => r.name)).not.toContain("obsdev-rules-homelab-gpu");
    const boards = children("obsdev", T.configMap).map((r) => r.name);
    expect(boards).toEqual(expect.arrayContaining(["obsdev-dashboard-homelab-nodes", "obsdev-dashboard-homelab-voice"]));
    expect(boards).not.toContain("obsdev-dashboard-homelab-gpu");
    expect(children("obs", T.configMap).map((r) => r.name)).toContain("obs-dashboard-homelab-gpu");
  });

  it("dashboards are ConfigMaps the Grafana sidecar picks up", () => {
    for (const cm of children("obs", T.configMap)) {
      expect((cm.inputs.metadata as any).labels.grafana_dashboard).toBe("1");
      const [json] = Object.values(cm.inputs.data as Record<string, string>);
      expect(JSON.parse(json).panels.length).toBeGreaterThan(0);
    }
  });

  it("staging shows the reference figures; dev's are smaller", () => {
    const s = values("obs-kps");
    const d = values("obsdev-kps");
    expect(s.prometheus.prometheusSpec.retention).toBe("30d");
    expect(s.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage).toBe("50Gi");
    expect(d.prometheus.prometheusSpec.retention).toBe("3d");
    expect(d.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage).toBe("5Gi");
    expect(values("obs-loki").loki.limits_config.retention_period).toBe("744h");
    expect(values("obsdev-loki").loki.limits_config.retention_period).toBe("72h");
    expect(values("obs-loki").singleBinary.persistence.size).toBe("50Gi");
    expect(values("obsdev-loki").singleBinary.persistence.size).toBe("5Gi");
    expect(recorder.byName(T.claim, "obs-grafana-data").inputs.spec).toMatchObject({ resources: { requests: { storage: "10Gi" } } });
    expect(recorder.byName(T.claim, "obsdev-grafana-data").inputs.spec).toMatchObject({ resources: { requests: { storage: "1Gi" } } });
  });

  it("the NFS class reaches every claim: Prometheus, Alertmanager, Loki and Grafana's", () => {
    const s = values("obs-kps");
    expect(s.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.storageClassName).toBe("nfs-csi-v2");
    expect(s.alertmanager.alertmanagerSpec.storage.volumeClaimTemplate.spec.storageClassName).toBe("nfs-csi-v2");
    expect(values("obs-loki").singleBinary.persistence.storageClass).toBe("nfs-csi-v2");
    expect(recorder.byName(T.claim, "obs-grafana-data").inputs.spec).toMatchObject({ storageClassName: "nfs-csi-v2" });
  });

  it("Grafana's claim survives a deletion of the stack (retainOnDelete) and the chart waits for it", () => {
    const claim = recorder.byName(T.claim, "obs-grafana-data");
    expect(claim.retainOnDelete).toBe(true);
    expect(values("obs-kps").grafana.persistence).toEqual({ enabled: true, type: "pvc", existingClaim: "grafana-data" });
    expect(chartNamed("obs-kps").dependencies).toContain(claim.urn);
  });

  it("data sources and the admin Secret are in the plan; the webhook only where a Secret was named", () => {
    const grafana = values("obs-kps").grafana;
    expect(grafana.admin.existingSecret).toBe("grafana-admin");
    expect(grafana.additionalDataSources[0].uid).toBe("loki");
    expect(values("obs-kps").alertmanager.alertmanagerSpec.secrets).toEqual(["alertmanager-webhook"]);
    expect(values("obsdev-kps").alertmanager.alertmanagerSpec.secrets).toBeUndefined();
  });

  it("every resource uses the explicit provider and is parented to its component", () => {
    const components = new Set(recorder.list().filter((r) => r.type === T.component || r.type === T.crds).map((r) => r.urn));
    const ours = recorder.list().filter((r) => r.parent && components.has(r.parent));
    expect(ours.length).toBeGreaterThan(10);
    for (const r of ours.filter((r) => r.custom || r.type === T.chart)) {
      expect(r.provider ?? "").toMatch(/pulumi:providers:kubernetes::k8s::/);
    }
  });

  it("exposes the in-cluster addresses other layers use", () => {
    expect(staging.lokiPushUrl).toBe("http://loki.monitoring.svc.cluster.local:3100/loki/api/v1/push");
    expect(staging.prometheusUrl).toBe("http://kps-prometheus.monitoring.svc.cluster.local:9090");
    expect(dev.rules.length).toBe(7);
  });

  it("says where alerts go: the webhook, or nowhere until homelab:alertWebhookUrl is set", () => {
    expect(staging.alertDelivery).toBe("critical and warning alerts are sent to the webhook in Secret monitoring/alertmanager-webhook");
    expect(dev.alertDelivery).toMatch(/^alerts are NOT delivered anywhere: .*receiver "undelivered".*svc\/kps-alertmanager 9093.*Set homelab:alertWebhookUrl/);
  });
});
