// The observability layer: the Prometheus operator's CRDs (first, so every layer can declare its
// monitors), kube-prometheus-stack (Prometheus, Alertmanager, Grafana, kube-state-metrics,
// node-exporter), Loki and Alloy, the lab's alert rules and its dashboards. Values, rules,
// dashboards and namespaces are pure builders in their own modules; this file only wires them.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ObservabilitySettings } from "../config";
import type { LabNamespace } from "../namespaces";
import { charts } from "../versions";
import { alertDelivery } from "./alertmanager";
import { dashboardConfigMap, homelabDashboards } from "./dashboards";
import { homelabRuleGroups, prometheusRuleManifest, ruleObjectName, VoiceService } from "./rules";
import {
  alloyClusterRole,
  alloyClusterRoleBinding,
  alloyValues,
  grafanaSidecarRole,
  kubePrometheusStackValues,
  lokiPushUrl,
  lokiUrl,
  lokiValues,
  NAMES,
  prometheusUrl,
} from "./values";
import { pinnedChart } from "../helm";

export * from "./alertmanager";
export * from "./dashboards";
export * from "./namespaces";
export * from "./rules";
export * from "./values";

export interface MonitoringCrdsArgs {
  provider: k8s.Provider;
}

/**
 * The Prometheus operator's CRDs (ServiceMonitor, PodMonitor, PrometheusRule, ...), installed on
 * their own. Build it right after the namespaces and pass it as `dependsOn` to every layer that
 * declares monitors (database, GPU, this one): on a fresh cluster they would otherwise be
 * registered before kube-prometheus-stack has installed the kinds they use.
 */
export class MonitoringCrds extends pulumi.ComponentResource {
  readonly chart: k8s.helm.v4.Chart;

  constructor(name: string, args: MonitoringCrdsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:observability:MonitoringCrds", name, {}, opts);
    // Cluster-scoped objects only; the release namespace is just where Helm would keep its record.
    this.chart = pinnedChart(`${name}-chart`, charts.prometheusOperatorCrds, {
      release: "prometheus-operator-crds", namespace: "default", values: {},
    }, { parent: this, provider: args.provider });
    this.registerOutputs({});
  }
}

export interface ObservabilityArgs {
  provider: k8s.Provider;
  /** `monitoring` (restricted): operator, Prometheus, Alertmanager, Grafana, kube-state-metrics, Loki. */
  namespace: LabNamespace;
  /** `node-agents` (privileged): node-exporter and Alloy, which read the host. */
  agentNamespace: LabNamespace;
  /** The general-purpose NFS class (nfs-csi-v2). */
  storageClass: pulumi.Input<string>;
  settings: ObservabilitySettings;
  /** Secret in `namespace` with keys admin-user and admin-password (secrets layer: "grafana-admin"). */
  grafanaAdminSecretName: string;
  /** Secret in `namespace` with key `url` (secrets layer: "alertmanager-webhook"); alerts stay local without it. */
  alertWebhookSecretName?: string;
  /** The stack has GPU nodes: GPU alerts and the GPU dashboard. */
  gpu: boolean;
  /** Server IPs where K3s exposes embedded-etcd metrics (`etcd-expose-metrics: true`); none by default. */
  etcdEndpoints?: string[];
  /** The voice pipeline's deployments (default: the AI layer's one-namespace-per-service layout). */
  voiceServices?: VoiceService[];
  /** The CRDs, when built earlier for other layers' monitors; created here otherwise. */
  crds?: MonitoringCrds;
  /** Grafana's HTTPS URL (the ingress layer's), when the stack has one. */
  grafanaUrl?: string;
}

export class Observability extends pulumi.ComponentResource {
  readonly crds: MonitoringCrds;
  readonly kubePrometheusStack: k8s.helm.v4.Chart;
  readonly loki: k8s.helm.v4.Chart;
  readonly alloy: k8s.helm.v4.Chart;
  readonly rules: k8s.apiextensions.CustomResource[];
  readonly dashboards: k8s.core.v1.ConfigMap[];
  /** In-cluster addresses, for other layers and for the README. */
  readonly prometheusUrl: string;
  readonly lokiUrl: string;
  readonly lokiPushUrl: string;
  readonly grafanaService: string;
  /** Where alerts go, in a sentence (a stack output, so "nowhere" is never a surprise). */
  readonly alertDelivery: string;

  constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:observability:Observability", name, {}, opts);
    const { provider, settings } = args;
    const monitoring = args.namespace.spec.name;
    const agents = args.agentNamespace.spec.name;
    const childOpts = { parent: this, provider };

    this.crds = args.crds ?? new MonitoringCrds(`${name}-crds`, { provider }, { parent: this });

    // Grafana's claim is ours rather than the chart's, so it can outlive the release: users,
    // preferences and any dashboard saved in the UI live there (retainOnDelete). Prometheus,
    // Alertmanager and Loki claims come from StatefulSet templates, which Kubernetes keeps when
    // the StatefulSet goes (retention policy Retain), so Pulumi never deletes those either.
    const grafanaClaim = new k8s.core.v1.PersistentVolumeClaim(`${name}-grafana-data`, {
      metadata: {
        name: "grafana-data",
        namespace: args.namespace.name,
        // The NFS class may bind on first use; the Grafana pod is that use, so don't wait here.
        annotations: { "pulumi.com/skipAwait": "true" },
      },
      spec: {
        storageClassName: args.storageClass,
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: settings.grafanaStorageSize } },
      },
    }, { ...childOpts, retainOnDelete: true });

    const kpsValues = pulumi.output(args.storageClass).apply((storageClass) => kubePrometheusStackValues({
      namespace: monitoring,
      agentNamespace: agents,
      storageClass,
      settings,
      grafanaAdminSecretName: args.grafanaAdminSecretName,
      alertWebhookSecretName: args.alertWebhookSecretName,
      etcdEndpoints: args.etcdEndpoints,
      grafanaClaimName: "grafana-data",
      grafanaUrl: args.grafanaUrl,
    }));
    // Grafana's sidecars read ConfigMaps in this namespace and nothing else (see grafanaSidecarRole);
    // the chart binds its service account to this Role.
    const sidecarRoleBody = grafanaSidecarRole(monitoring);
    const sidecarRole = new k8s.rbac.v1.Role(`${name}-grafana-sidecar`, {
      metadata: { ...sidecarRoleBody.metadata, namespace: args.namespace.name },
      rules: sidecarRoleBody.rules,
    }, childOpts);
    this.kubePrometheusStack = pinnedChart(`${name}-kps`, charts.kubePrometheusStack, {
      release: NAMES.kps, namespace: args.namespace.name, values: kpsValues,
    }, {
      ...childOpts,
      // node-exporter lands in the agent namespace; the CRDs come from their own chart.
      dependsOn: [this.crds, args.agentNamespace, grafanaClaim, sidecarRole],
    });

    const lokiChartValues = pulumi.output(args.storageClass).apply((storageClass) => lokiValues({ namespace: monitoring, storageClass, settings }));
    // Loki's and Alloy's ServiceMonitors need the CRDs.
    this.loki = pinnedChart(`${name}-loki`, charts.loki, {
      release: NAMES.loki, namespace: args.namespace.name, values: lokiChartValues,
    }, { ...childOpts, dependsOn: [this.crds] });
    // Alloy discovers pods and nothing else (see alloyClusterRole); the chart's own RBAC is off.
    const alloyRole = new k8s.rbac.v1.ClusterRole(`${name}-alloy-pod-discovery`, alloyClusterRole(), childOpts);
    const alloyBinding = alloyClusterRoleBinding(agents);
    const alloyRoleBinding = new k8s.rbac.v1.ClusterRoleBinding(`${name}-alloy-pod-discovery`, {
      ...alloyBinding,
      roleRef: { ...alloyBinding.roleRef, name: alloyRole.metadata.name },
      subjects: alloyBinding.subjects.map((subject) => ({ ...subject, namespace: args.agentNamespace.name })),
    }, childOpts);
    this.alloy = pinnedChart(`${name}-alloy`, charts.alloy, {
      release: NAMES.alloy, namespace: args.agentNamespace.name, values: alloyValues({ lokiNamespace: monitoring }),
    }, { ...childOpts, dependsOn: [this.crds, alloyRoleBinding] });

    // The rules need the PrometheusRule kind and an operator to load them: after the stack.
    this.rules = homelabRuleGroups({ gpu: args.gpu, voiceServices: args.voiceServices }).map((group) => {
      const manifest = prometheusRuleManifest(monitoring, group);
      return new k8s.apiextensions.CustomResource(`${name}-rules-${ruleObjectName(group)}`, {
        apiVersion: manifest.apiVersion,
        kind: manifest.kind,
        metadata: { ...manifest.metadata, namespace: args.namespace.name },
        spec: manifest.spec,
      }, { ...childOpts, dependsOn: [this.kubePrometheusStack] });
    });

    this.dashboards = homelabDashboards({ gpu: args.gpu, voiceServices: args.voiceServices }).map((board) => {
      const { metadata, data } = dashboardConfigMap(monitoring, board);
      return new k8s.core.v1.ConfigMap(`${name}-${metadata.name}`, {
        metadata: { ...metadata, namespace: args.namespace.name },
        data,
      }, childOpts);
    });

    this.prometheusUrl = prometheusUrl(monitoring);
    this.lokiUrl = lokiUrl(monitoring);
    this.lokiPushUrl = lokiPushUrl(monitoring);
    this.grafanaService = `${NAMES.grafana}.${monitoring}.svc.cluster.local:80`;
    this.alertDelivery = alertDelivery({
      webhookSecretName: args.alertWebhookSecretName, namespace: monitoring, alertmanagerService: `${NAMES.kps}-alertmanager`,
    });
    if (!args.alertWebhookSecretName) pulumi.log.warn(this.alertDelivery, this);

    this.registerOutputs({
      prometheusUrl: this.prometheusUrl,
      lokiUrl: this.lokiUrl,
      lokiPushUrl: this.lokiPushUrl,
      grafanaService: this.grafanaService,
      alertDelivery: this.alertDelivery,
    });
  }
}
