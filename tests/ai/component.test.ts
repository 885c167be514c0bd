// VoicePipeline under the mock runtime: what it registers for the staging and dev stacks, with
// which providers, parents, protection and ordering.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { aiNamespaces, AiService, pickAiNamespaces, VoicePipeline } from "../../components/ai";
import type { HomelabConfig } from "../../components/config";
import { LabNamespace } from "../../components/namespaces";
import type { RecordedResource } from "../../tools/lib/recorder";
import { mockRuntime, Recorder, settle } from "../helpers/runtime";
import { OPEN_WEBUI_ADMIN, stackConfig } from "./fixtures";
import { stagingNetworks } from "../helpers/networks";

const T = {
  pipeline: "homelab:ai:VoicePipeline",
  service: "homelab:ai:PipelineService",
  deployment: "kubernetes:apps/v1:Deployment",
  svc: "kubernetes:core/v1:Service",
  pvc: "kubernetes:core/v1:PersistentVolumeClaim",
  hpa: "kubernetes:autoscaling/v2:HorizontalPodAutoscaler",
  job: "kubernetes:batch/v1:Job",
  cronJob: "kubernetes:batch/v1:CronJob",
  namespace: "kubernetes:core/v1:Namespace",
  configMap: "kubernetes:core/v1:ConfigMap",
};

let recorder: Recorder;
let staging: VoicePipeline;
let dev: VoicePipeline;

function namespacesFor(prefix: string, config: HomelabConfig, provider: k8s.Provider) {
  // Prefixed resource names keep two stacks' namespaces apart inside one test program.
  const all = Object.fromEntries(aiNamespaces(config).map((spec) => [spec.name, new LabNamespace(`${prefix}-${spec.name}`, { spec, provider, networks: stagingNetworks() })]));
  return pickAiNamespaces(all);
}

beforeAll(async () => {
  recorder = await mockRuntime("staging");
  const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
  const secretsReady = new k8s.core.v1.ConfigMap("secrets-ready", { metadata: { name: "marker", namespace: "open-webui" } }, { provider });
  const gpuReady = new k8s.core.v1.ConfigMap("gpu-ready", { metadata: { name: "marker", namespace: "gpu-operator" } }, { provider });
  const openWebuiSecrets = { secretKey: { name: "secret-key", key: "WEBUI_SECRET_KEY" }, admin: OPEN_WEBUI_ADMIN, databaseUrl: { name: "database-url", key: "DATABASE_URL" } };
  for (const [stack, name] of [["staging", "ai"], ["dev", "ai-dev"]] as const) {
    const config = stackConfig(stack);
    const pipeline = new VoicePipeline(name, {
      provider,
      namespaces: namespacesFor(stack, config, provider),
      storageClass: pulumi.output("nfs-csi-v2"),
      settings: config.ai,
      accelerator: config.accelerator,
      gpuNodes: config.gpuNodes,
      openWebuiSecrets,
      openWebuiDependsOn: [secretsReady],
      gpuDependsOn: [gpuReady],
    });
    if (stack === "staging") staging = pipeline;
    else dev = pipeline;
  }
  await settle();
});

const pipelineUrn = (name: string) => recorder.byName(T.pipeline, name).urn;
/** Resources of a type registered under one pipeline's per-service components. */
function within(pipeline: string, type: string): RecordedResource[] {
  const root = pipelineUrn(pipeline);
  const services = new Set(recorder.ofType(T.service).filter((s) => s.parent === root).map((s) => s.urn));
  return recorder.ofType(type).filter((r) => services.has(r.parent ?? ""));
}
const named = (pipeline: string, type: string, k8sName: string) => {
  const found = within(pipeline, type).find((r) => (r.inputs.metadata as any)?.name === k8sName);
  if (!found) throw new Error(`no ${type} ${k8sName} in ${pipeline}`);
  return found;
};
const configMapUrn = (name: string) => recorder.byName(T.configMap, name).urn;

describe.each(["ai", "ai-dev"])("VoicePipeline %s", (pipeline) => {
  it("registers all five Deployments, each with the explicit provider under its service component", () => {
    const deployments = within(pipeline, T.deployment);
    expect(deployments.map((d) => (d.inputs.metadata as any).name).sort()).toEqual(["ollama", "open-webui", "openwakeword", "piper", "whisper"]);
    for (const d of deployments) {
      expect(d.provider).toMatch(/^urn:pulumi:.*pulumi:providers:kubernetes::k8s::/);
      const parent = recorder.list().find((r) => r.urn === d.parent)!;
      expect(parent.type).toBe(T.service);
      expect(parent.parent).toBe(pipelineUrn(pipeline));
    }
  });

  it("gives every Kubernetes object the explicit provider and a parent inside the pipeline", () => {
    const objects = [T.deployment, T.svc, T.pvc, T.hpa, T.job, T.cronJob].flatMap((t) => within(pipeline, t));
    expect(objects.length).toBeGreaterThanOrEqual(5 + 5 + 4 + 2);
    for (const r of objects) expect(r.provider).toMatch(/pulumi:providers:kubernetes::k8s::/);
  });

  it("places each service in its own LabNamespace, after the Namespace exists", () => {
    const prefix = pipeline === "ai" ? "staging" : "dev";
    for (const [k8sName, ns] of [["ollama", "ollama"], ["open-webui", "open-webui"], ["whisper", "whisper"], ["piper", "piper"], ["openwakeword", "openwakeword"]]) {
      const d = named(pipeline, T.deployment, k8sName);
      expect((d.inputs.metadata as any).namespace).toBe(ns);
      expect(d.dependencies).toContain(recorder.byName(T.namespace, `${prefix}-${ns}`).urn);
      expect((d.inputs.spec as any).template.spec.serviceAccountName).toBe(ns);
    }
  });

  it("protects and retains the claims holding models and chat history, not the caches", () => {
    const kept = Object.fromEntries(within(pipeline, T.pvc).map((c) => [(c.inputs.metadata as any).name, [c.protect, c.retainOnDelete]]));
    expect(kept).toEqual({
      "ollama-models": [true, true],
      "open-webui-data": [true, true],
      "whisper-data": [false, false],
      "piper-data": [false, false],
    });
    for (const c of within(pipeline, T.pvc)) expect((c.inputs.spec as any).storageClassName).toBe("nfs-csi-v2");
  });

  it("starts each Deployment after its claim, and Open WebUI after its Secrets", () => {
    expect(named(pipeline, T.deployment, "ollama").dependencies).toContain(named(pipeline, T.pvc, "ollama-models").urn);
    expect(named(pipeline, T.deployment, "open-webui").dependencies).toEqual(expect.arrayContaining([
      named(pipeline, T.pvc, "open-webui-data").urn,
      configMapUrn("secrets-ready"),
    ]));
  });

  it("pulls models only after Ollama is up", () => {
    const [job] = within(pipeline, T.job);
    expect(job.dependencies).toEqual(expect.arrayContaining([named(pipeline, T.deployment, "ollama").urn, named(pipeline, T.svc, "ollama").urn]));
    expect(within(pipeline, T.cronJob)).toHaveLength(1);
  });
});

describe("staging pipeline", () => {
  const gpuOf = (d: RecordedResource) => (d.inputs.spec as any).template.spec.containers[0].resources.limits["nvidia.com/gpu"];

  it("puts GPUs on Ollama and Whisper only, after the GPU operator", () => {
    const gpus = Object.fromEntries(within("ai", T.deployment).map((d) => [(d.inputs.metadata as any).name, gpuOf(d)]));
    expect(gpus).toEqual({ ollama: "1", whisper: "1", "open-webui": undefined, piper: undefined, openwakeword: undefined });
    for (const name of ["ollama", "whisper"]) expect(named("ai", T.deployment, name).dependencies).toContain(configMapUrn("gpu-ready"));
    expect(named("ai", T.deployment, "piper").dependencies).not.toContain(configMapUrn("gpu-ready"));
  });

  it("exposes exactly the declared Services: Ollama's NodePort, LoadBalancers for the Wyoming servers, Open WebUI not", () => {
    const types = Object.fromEntries(within("ai", T.svc).map((s) => [(s.inputs.metadata as any).name, (s.inputs.spec as any).type]));
    expect(types).toEqual({ ollama: "NodePort", "open-webui": "ClusterIP", whisper: "LoadBalancer", piper: "LoadBalancer", openwakeword: "LoadBalancer" });
    expect((named("ai", T.svc, "ollama").inputs.spec as any).ports[0].nodePort).toBe(31434);
    for (const s of within("ai", T.svc)) {
      const exposed = (s.inputs.spec as any).type !== "ClusterIP";
      expect((s.inputs.metadata as any).annotations["homelab.dev/exposure"]).toBe(exposed ? "declared" : undefined);
    }
  });

  it("autoscales Piper and leaves its replica count to the autoscaler", () => {
    const [hpa] = within("ai", T.hpa);
    expect(hpa.inputs.spec).toMatchObject({ minReplicas: 1, maxReplicas: 3, scaleTargetRef: { name: "piper" } });
    expect(hpa.dependencies).toContain(named("ai", T.deployment, "piper").urn);
    expect((named("ai", T.deployment, "piper").inputs.spec as any).replicas).toBeUndefined();
  });

  it("reports in-cluster URLs", () => {
    expect(staging.urls).toMatchObject({
      ollama: "http://ollama.ollama.svc.cluster.local:11434",
      openWebui: "http://open-webui.open-webui.svc.cluster.local:8080",
      whisper: "tcp://whisper.whisper.svc.cluster.local:10300",
    } satisfies Partial<Record<AiService, string>>);
  });
});

describe("dev pipeline", () => {
  it("requests no GPU and waits for no GPU operator", () => {
    const text = JSON.stringify(within("ai-dev", T.deployment).map((d) => d.inputs));
    expect(text).not.toContain("nvidia.com/gpu");
    expect(text).not.toContain("runtimeClassName");
    for (const d of within("ai-dev", T.deployment)) expect(d.dependencies).not.toContain(configMapUrn("gpu-ready"));
  });

  it("keeps every Service inside the cluster and runs no autoscaler", () => {
    for (const s of within("ai-dev", T.svc)) expect((s.inputs.spec as any).type).toBe("ClusterIP");
    expect(within("ai-dev", T.hpa)).toEqual([]);
    expect(dev.urls.piper).toBe("tcp://piper.piper.svc.cluster.local:10200");
  });

  it("pulls the small dev models", () => {
    const [job] = within("ai-dev", T.job);
    expect((job.inputs.spec as any).template.spec.containers[0].args).toEqual(["tinyllama", "phi3:mini"]);
  });
});
