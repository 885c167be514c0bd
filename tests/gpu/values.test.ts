import * as path from "node:path";
import * as YAML from "yaml";
import { deriveConfig, NodeSpec, parseSettings } from "../../components/config";
import {
  dcgmMetricsCsv,
  gpuNamespaces,
  gpuNodeAffinity,
  gpuOperatorValues,
  gpuTolerations,
  timeSlicingProfile,
} from "../../components/gpu";
import { charts } from "../../components/versions";
import { HOST_KEY, validRaw } from "../config/fixtures";
import { readKeyList, unknownKeyPaths } from "../helpers/chart-keys";

const node = (over: Partial<NodeSpec>): NodeSpec => <NodeSpec>({
  name: "gpu1", host: "10.0.0.12", port: 22, user: "homelab", hostKey: HOST_KEY, arch: "amd64", role: "agent",
  labels: {}, taints: [], gpu: { vendor: "nvidia", count: 2 }, ...over,
});
const workstation = node({ labels: { "homelab.dev/class": "gpu-workstation" }, taints: ["nvidia.com/gpu=present:NoSchedule"] });
const values = (over: { replicas?: number; profiling?: boolean; nodes?: NodeSpec[] } = {}) =>
  gpuOperatorValues({
    gpuNodes: over.nodes ?? [workstation],
    settings: { timeSlicingReplicas: over.replicas ?? 1, profilingMetrics: over.profiling ?? false },
  }) as any;

describe("gpu-operator values", () => {
  const keys = readKeyList(path.join(__dirname, `gpu-operator-${charts.gpuOperator.valuesCheckedAgainst}.keys.txt`));

  it("sets only keys the pinned chart (and its NFD subchart) has, in every variant", () => {
    expect(charts.gpuOperator.valuesCheckedAgainst).toBe(charts.gpuOperator.version);
    expect(charts.gpuOperator.version).toMatch(/^v/);
    for (const v of [values(), values({ replicas: 4, profiling: true })]) expect(unknownKeyPaths(v, keys)).toEqual([]);
  });

  it("leaves the host's drivers alone and keeps CDI, NFD and the DCGM ServiceMonitor on", () => {
    const v = values();
    expect(v.driver.enabled).toBe(false);
    expect(v.toolkit.enabled).toBe(true);
    expect(v.cdi.enabled).toBe(true);
    expect(v.nfd.enabled).toBe(true);
    expect(v.dcgmExporter.enabled).toBe(true);
    expect(v.dcgmExporter.serviceMonitor.enabled).toBe(true);
    expect(v.operator.runtimeClass).toBe("nvidia");
  });

  it("points the toolkit at K3s's containerd: a config-v3 drop-in, the generated config and K3s's socket", () => {
    const env = Object.fromEntries(values().toolkit.env.map((e: { name: string; value: string }) => [e.name, e.value]));
    expect(env).toEqual({
      CONTAINERD_CONFIG: "/var/lib/rancher/k3s/agent/etc/containerd/config.toml",
      RUNTIME_DROP_IN_CONFIG: "/var/lib/rancher/k3s/agent/etc/containerd/config-v3.toml.d/99-nvidia.toml",
      CONTAINERD_SOCKET: "/run/k3s/containerd/containerd.sock",
      RUNTIME_CONFIG_SOURCE: "file=/var/lib/rancher/k3s/agent/etc/containerd/config.toml",
    });
    // Never the template: the toolkit would freeze K3s's generated config into it.
    expect(Object.values(env).join()).not.toMatch(/\.tmpl/);
  });

  it("renders no Helm hook that would misbehave under Pulumi", () => {
    const v = values();
    expect(v.operator.upgradeCRD).toBe(false);
    expect(v["node-feature-discovery"].postDeleteCleanup).toBe(false);
  });

  it("turns time-slicing on only above one replica, with the configured count", () => {
    expect(values({ replicas: 1 }).devicePlugin).toBeUndefined();
    const config = values({ replicas: 4 }).devicePlugin.config;
    expect(config).toMatchObject({ create: true, name: "time-slicing-config", default: "any" });
    const profile = YAML.parse(config.data[config.default]);
    expect(profile.version).toBe("v1");
    expect(profile.sharing.timeSlicing.resources).toEqual([{ name: "nvidia.com/gpu", replicas: 4 }]);
    expect(profile.sharing.timeSlicing.renameByDefault).toBe(false);
    expect(YAML.parse(timeSlicingProfile(2)).flags.migStrategy).toBe("none");
  });

  it("keeps DCGM profiling fields out unless the stack asks for them (consumer cards lack them)", () => {
    const off = values({ profiling: false }).dcgmExporter.config;
    expect(off).toMatchObject({ create: true, name: "dcgm-exporter-metrics" });
    expect(off.data).not.toMatch(/DCGM_FI_PROF_/);
    expect(values({ profiling: true }).dcgmExporter.config.data).toMatch(/^DCGM_FI_PROF_SM_ACTIVE, gauge,/m);
  });

  it("exports the metrics the GPU dashboards need, as well-formed CSV rows", () => {
    const rows = dcgmMetricsCsv(false).split("\n").filter((l) => l && !l.startsWith("#"));
    const fields = rows.map((r) => r.split(",")[0]);
    expect(fields).toEqual(expect.arrayContaining(["DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_GPU_TEMP", "DCGM_FI_DEV_POWER_USAGE"]));
    for (const r of rows) expect(r).toMatch(/^DCGM_FI_[A-Z0-9_]+, (gauge|counter|label), \S/);
  });

  it("tolerates the inventory's GPU taints and keeps the chart's own nvidia.com/gpu toleration", () => {
    const tainted = node({ name: "gpu2", taints: ["dedicated:NoExecute", "nvidia.com/gpu=present:NoSchedule"] });
    expect(gpuTolerations([workstation, tainted])).toEqual([
      { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" },
      { key: "nvidia.com/gpu", operator: "Equal", value: "present", effect: "NoSchedule" },
      { key: "dedicated", operator: "Exists", effect: "NoExecute" },
    ]);
    const v = values();
    expect(v.daemonsets.tolerations).toEqual(gpuTolerations([workstation]));
    expect(v["node-feature-discovery"].worker.tolerations).toEqual(gpuTolerations([workstation]));
  });

  it("keeps node-feature-discovery's worker on GPU nodes, by the admin-only label a node cannot claim", () => {
    const bare = node({ name: "gpu-bare" });
    const twin = node({ name: "gpu3", labels: { "homelab.dev/class": "gpu-workstation" } });
    const terms = gpuNodeAffinity([workstation, bare, twin]).nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms;
    expect(terms).toEqual([{ matchExpressions: [{ key: "node-restriction.kubernetes.io/homelab-gpu", operator: "In", values: ["nvidia"] }] }]);
    expect(values()["node-feature-discovery"].worker.affinity).toEqual(gpuNodeAffinity([workstation]));
  });

  it("refuses to build values for a stack without GPU nodes", () => {
    expect(() => values({ nodes: [] })).toThrow(/at least one GPU node/);
  });
});

describe("gpu namespaces", () => {
  const withGpu = deriveConfig(parseSettings(validRaw()), "test", {} as any);
  const raw = validRaw();
  raw.nodes = raw.nodes.filter((n: any) => !n.gpu);
  const withoutGpu = deriveConfig(parseSettings(raw), "test", {} as any);

  it("declares nothing in a stack without GPU nodes", () => {
    expect(gpuNamespaces(withoutGpu)).toEqual([]);
  });

  it("declares a privileged gpu-operator namespace that only Prometheus reaches, on the DCGM port", () => {
    const [ns, ...rest] = gpuNamespaces(withGpu);
    expect(rest).toEqual([]);
    expect(ns.name).toBe("gpu-operator");
    expect(ns.podSecurity).toBe("privileged");
    expect(ns.ingress).toEqual([expect.objectContaining({ fromNamespaces: ["monitoring"], ports: [9400], podSelector: { app: "nvidia-dcgm-exporter" } })]);
    // The device plugin validator asks for one GPU per node.
    expect(ns.quota.gpus).toBe(withGpu.gpuNodes.length);
  });
});
