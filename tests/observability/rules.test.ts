import { dcgmMetricsCsv } from "../../components/gpu/values";
import {
  GPU_TEMPERATURE,
  homelabRuleGroups,
  prometheusRuleManifest,
  ruleObjectName,
  VOICE_SERVICES,
} from "../../components/observability/rules";
import { SUPERSEDED_DEFAULT_ALERTS } from "../../components/observability/values";
import { esoValues } from "../../components/secrets/manifests";
import { validateModels } from "../helpers/schemas";
import { selectorProblems } from "./exporters";
import { metricNames, selectors } from "./promql";


const withGpu = homelabRuleGroups({ gpu: true });
const withoutGpu = homelabRuleGroups({ gpu: false });
const alerts = (groups: typeof withGpu) => groups.flatMap((g) => g.rules);

describe("the PromQL selector reader (the checker itself)", () => {
  it("finds selected metrics and skips functions, aggregations, keywords, label lists, strings and ranges", () => {
    expect(metricNames('sum by (namespace) (rate(container_cpu_usage_seconds_total{namespace=~"a|b",container!=""}[5m]))'))
      .toEqual(["container_cpu_usage_seconds_total"]);
    expect(metricNames("time() - max by (ns) (foo_seconds) > 26 * 3600 and bar_total > 0")).toEqual(["foo_seconds", "bar_total"]);
    expect(metricNames('a_metric == 0 and on (namespace, deployment) b_metric{x="up"} > 0')).toEqual(["a_metric", "b_metric"]);
    expect(metricNames("1 - avg by (instance) (rate(x_total[5m])) / count without (cpu) (y) offset 1h")).toEqual(["x_total", "y"]);
  });

  it("reads every label matcher with its operator and value", () => {
    expect(selectors('abs(m{a="1",b!="x\\"y",c=~"p|q"}) > 0 or {__name__="n",d!~""}')).toEqual([
      { metric: "m", matchers: [{ label: "a", op: "=", value: "1" }, { label: "b", op: "!=", value: 'x"y' }, { label: "c", op: "=~", value: "p|q" }] },
      { matchers: [{ label: "__name__", op: "=", value: "n" }, { label: "d", op: "!~", value: "" }] },
    ]);
  });
});

describe("homelab alert rules", () => {
  it("cover every condition the lab cares about", () => {
    const names = new Set(alerts(withGpu).map((r) => r.alert));
    for (const alert of ["NodeDown", "NodeNotReady", "NodeDiskPressure", "NodeClockNotSynchronised", "NodeClockSkewed", "K3sCertificateExpiring",
      "NodeDiskAlmostFull", "PersistentVolumeAlmostFull", "CNPGBackupFailed", "CNPGBackupTooOld", "CNPGReplicationLagging",
      "ExternalSecretNotReady", "GpuTooHot", "GpuMetricsMissing", "VoiceServiceDown"]) {
      expect(names).toContain(alert);
    }
  });

  it("select only metrics and labels that the pinned exporters serve", () => {
    for (const rule of alerts(withGpu)) {
      const found = selectors(rule.expr);
      expect({ alert: rule.alert, selects: found.length > 0 }).toEqual({ alert: rule.alert, selects: true });
      expect({ alert: rule.alert, problems: found.flatMap(selectorProblems) }).toEqual({ alert: rule.alert, problems: [] });
    }
  });

  it("read backups from the Barman Cloud plugin, not the deprecated in-core collector metrics", () => {
    const backup = alerts(withGpu).filter((r) => r.alert.startsWith("CNPGBackup"));
    expect(backup).toHaveLength(2);
    for (const rule of backup) {
      expect(rule.expr).toMatch(/barman_cloud_cloudnative_pg_io_last_available_backup_timestamp/);
      expect(rule.expr).not.toMatch(/cnpg_collector_last_(failed|available)_backup_timestamp/);
      // 0 means "never backed up": a fresh cluster must not page.
      expect(rule.expr).toMatch(/> 0/);
    }
  });

  it("flag ExternalSecrets by their Ready condition being False, in the ExternalSecret's own namespace", () => {
    const [rule] = alerts(withGpu).filter((r) => r.alert === "ExternalSecretNotReady");
    expect(rule.expr).toBe('externalsecret_status_condition{condition="Ready",status="False"} == 1');
    // $labels.namespace is the ExternalSecret's only if the scrape keeps the exporter's label.
    expect(rule.annotations.summary).toContain("{{ $labels.namespace }}");
    expect((esoValues() as any).serviceMonitor.honorLabels).toBe(true);
  });

  it("watch GPU temperature only in stacks with GPUs", () => {
    const hot = alerts(withGpu).filter((r) => r.alert === "GpuTooHot");
    expect(hot.map((r) => r.expr)).toEqual([`DCGM_FI_DEV_GPU_TEMP > ${GPU_TEMPERATURE.warning}`, `DCGM_FI_DEV_GPU_TEMP > ${GPU_TEMPERATURE.critical}`]);
    expect(withoutGpu.map((g) => g.name)).not.toContain("homelab.gpu");
    expect(alerts(withoutGpu).flatMap((r) => metricNames(r.expr)).filter((n) => n.startsWith("DCGM_"))).toEqual([]);
  });

  it("use only DCGM fields the GPU layer's exporter is configured to collect", () => {
    const collected = new Set(dcgmMetricsCsv(false).split("\n").filter((l) => l && !l.startsWith("#")).map((l) => l.split(",")[0].trim()));
    const used = alerts(withGpu).flatMap((r) => metricNames(r.expr)).filter((n) => n.startsWith("DCGM_"));
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((n) => !collected.has(n))).toEqual([]);
  });

  it("raise VoiceServiceDown for each voice deployment, with exact selectors, ignoring deployments scaled to zero", () => {
    const voice = alerts(withGpu).filter((r) => r.alert === "VoiceServiceDown");
    expect(voice).toHaveLength(1);
    const branches = voice[0].expr.split("\nor\n");
    expect(branches).toHaveLength(VOICE_SERVICES.length);
    VOICE_SERVICES.forEach(({ namespace, deployment }, i) => {
      const selector = `{namespace="${namespace}",deployment="${deployment}"}`;
      expect(branches[i]).toBe(`(kube_deployment_status_replicas_available${selector} == 0 and on (namespace, deployment) kube_deployment_spec_replicas${selector} > 0)`);
    });
    const custom = homelabRuleGroups({ gpu: false, voiceServices: [{ namespace: "ai", deployment: "ollama" }] });
    expect(alerts(custom).filter((r) => r.alert === "VoiceServiceDown").map((r) => r.expr)[0]).toContain('namespace="ai",deployment="ollama"');
  });

  it("do not re-create a default kube-prometheus-stack alert unless that default is switched off", () => {
    // Alert names shipped by kube-prometheus-stack 88.5.3's default rules that overlap with ours.
    const defaults = ["KubeNodeNotReady", "KubeNodeUnreachable", "KubeNodePressure", "KubeletDown", "NodeFilesystemAlmostOutOfSpace",
      "NodeFilesystemSpaceFillingUp", "KubePersistentVolumeFillingUp", "KubeDeploymentReplicasMismatch", "TargetDown", "NodeClockSkewDetected",
      "NodeClockNotSynchronising", "KubeletClientCertificateExpiration", "KubeletServerCertificateExpiration"];
    const ours = new Set(alerts(withGpu).map((r) => r.alert));
    expect(defaults.filter((name) => ours.has(name))).toEqual([]);
    // Each superseded default has a homelab rule that takes its place.
    expect(SUPERSEDED_DEFAULT_ALERTS).toEqual(["KubeNodeNotReady", "NodeFilesystemAlmostOutOfSpace", "KubePersistentVolumeFillingUp",
      "NodeClockSkewDetected", "NodeClockNotSynchronising"]);
    for (const replacement of ["NodeNotReady", "NodeDiskAlmostFull", "PersistentVolumeAlmostFull", "NodeClockSkewed", "NodeClockNotSynchronised"]) {
      expect(ours).toContain(replacement);
    }
  });

  it("carry a severity, a summary and a description; group names are unique", () => {
    for (const rule of alerts(withGpu)) {
      expect(["warning", "critical"]).toContain(rule.labels.severity);
      expect(rule.annotations.summary.length).toBeGreaterThan(10);
      expect(rule.annotations.description.length).toBeGreaterThan(10);
    }
    expect(new Set(withGpu.map((g) => g.name)).size).toBe(withGpu.length);
  });
});

describe("PrometheusRule objects", () => {
  const manifests = withGpu.map((g) => prometheusRuleManifest("monitoring", g));

  it("validate against the prometheus-operator schema (monitoring.coreos.com/v1)", () => {
    const results = validateModels(manifests);
    expect(results.filter((r) => r.error !== null)).toEqual([]);
    expect(results).toHaveLength(manifests.length);
  });

  it("the validator rejects a broken rule (so the check above means something)", () => {
    const broken = prometheusRuleManifest("monitoring", { name: "x", rules: [{ ...alerts(withGpu)[0], for: "five minutes" }] });
    const missingExpr = JSON.parse(JSON.stringify(broken));
    delete missingExpr.spec.groups[0].rules[0].expr;
    missingExpr.spec.groups[0].rules[0].for = "5m";
    const results = validateModels([broken, missingExpr]);
    expect(results[0].error).toMatch(/for/);
    expect(results[1].error).toMatch(/expr/);
  });

  it("use only rule fields the CRD defines (the schema itself allows unknown ones)", () => {
    const allowed = new Set(["alert", "record", "expr", "for", "keep_firing_for", "labels", "annotations"]);
    for (const rule of alerts(withGpu)) expect(Object.keys(rule).filter((k) => !allowed.has(k))).toEqual([]);
  });

  it("are named after their group, DNS-safe", () => {
    expect(manifests.map((m) => m.metadata.name)).toEqual(withGpu.map((g) => ruleObjectName(g)));
    for (const m of manifests) expect(m.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
  });
});
