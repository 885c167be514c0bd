// The pure builders of the voice pipeline, against the real dev and staging stack configs.
import { execFileSync } from "node:child_process";
import {
  aiManifests,
  AI_PORTS,
  AiService,
  EXPOSURE_ANNOTATION,
  EXPOSURE_CIDRS_ANNOTATION,
  MODEL_PULL_SCRIPT,
  modelPullJobName,
  ollamaManifests,
  openWakeWordManifests,
  OPEN_WEBUI_DB_GRACE_SECONDS,
  openWebuiManifests,
  piperManifests,
  ServiceManifests,
  WHISPER_GPU_LAUNCHER,
  whisperManifests,
} from "../../components/ai/manifests";
import { GPU_RESOURCE } from "../../components/ai/pod";
import { imageRef, images } from "../../components/versions";
import { allContainers, allPods, Container, deploymentSpec, inputs, mainContainer, OPEN_WEBUI_ADMIN, podSpec, serviceSpec, stackConfig } from "./fixtures";

const dev = stackConfig("dev");
const staging = stackConfig("staging");
const byService = (config: typeof dev) => Object.fromEntries(aiManifests(inputs(config)).map((m) => [m.service, m])) as Record<AiService, ServiceManifests>;
const devM = byService(dev);
const stagingM = byService(staging);
const PINNED = new Set(Object.values(images).map(imageRef));

const gpuOf = (c: Container) => ({ ...(c.resources?.requests ?? {}), ...(c.resources?.limits ?? {}) })[GPU_RESOURCE];
const env = (c: Container, name: string) => c.env?.find((e) => e.name === name);
const portOf = (c: Container, name: string) => c.ports?.find((p) => p.name === name)?.containerPort;

describe.each([["dev", devM], ["staging", stagingM]] as const)("every service in %s", (_stack, manifests) => {
  const all = Object.values(manifests);

  it("listens on its own port, in the pod and on the Service", () => {
    const expected: Record<AiService, number> = { ollama: 11434, openWebui: 8080, whisper: 10300, piper: 10200, openWakeWord: 10400 };
    for (const m of all) {
      expect(mainContainer(m).ports?.map((p) => p.containerPort)).toEqual([expected[m.service]]);
      expect(serviceSpec(m).ports.map((p) => [p.port, p.targetPort])).toEqual([[expected[m.service], expected[m.service]]]);
      expect(AI_PORTS[m.service]).toBe(expected[m.service]);
    }
  });

  it("runs only images pinned in the version registry", () => {
    for (const c of all.flatMap(allContainers)) {
      expect(PINNED.has(c.image!)).toBe(true);
      expect(c.image).not.toMatch(/:(latest|gpu|main)$/);
    }
  });

  it("gives every container requests and limits for CPU and memory", () => {
    for (const c of all.flatMap(allContainers)) {
      for (const kind of ["requests", "limits"] as const) {
        expect({ name: c.name, cpu: c.resources?.[kind]?.cpu, memory: c.resources?.[kind]?.memory })
          .toEqual({ name: c.name, cpu: expect.any(String), memory: expect.any(String) });
      }
    }
  });

  it("probes every long-running container for startup, liveness and readiness", () => {
    for (const m of all) {
      const c = mainContainer(m);
      expect(c.startupProbe).toBeDefined();
      expect(c.livenessProbe).toBeDefined();
      expect(c.readinessProbe).toBeDefined();
      // A startup budget long enough for a first start that downloads its model.
      expect(c.startupProbe!.periodSeconds! * c.startupProbe!.failureThreshold!).toBeGreaterThanOrEqual(120);
    }
  });

  it("mounts no service-account token and runs under the namespace's own service account", () => {
    for (const m of all) {
      for (const pod of allPods(m)) {
        expect(pod.automountServiceAccountToken).toBe(false);
        expect(pod.serviceAccountName).toBe(m.deployment.metadata.namespace);
        expect(pod.enableServiceLinks).toBe(false);
      }
    }
  });

  it("drops every capability and privilege escalation, under the runtime's seccomp profile", () => {
    for (const m of all) {
      for (const pod of allPods(m)) {
        expect(pod.securityContext?.seccompProfile?.type).toBe("RuntimeDefault");
        for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
          expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } });
          expect(c.securityContext?.capabilities?.add).toBeUndefined();
          expect(c.securityContext?.privileged).not.toBe(true);
        }
      }
    }
  });

  it("runs every service but Open WebUI as uid 1000 on a read-only root filesystem", () => {
    for (const m of all.filter((m) => m.service !== "openWebui")) {
      for (const pod of allPods(m)) {
        expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
        for (const c of pod.containers) {
          expect(c.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, readOnlyRootFilesystem: true });
          // A read-only root needs somewhere to put temporary files.
          expect(c.volumeMounts?.map((v) => v.mountPath)).toContain("/tmp");
        }
      }
    }
  });

  it("keeps Open WebUI as root (the image needs it) with the tightest context that allows", () => {
    const pod = podSpec(manifests.openWebui);
    expect(pod.securityContext?.runAsNonRoot).toBeUndefined();
    for (const c of [...pod.initContainers!, ...pod.containers]) {
      expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: false, privileged: false, allowPrivilegeEscalation: false });
      expect(c.securityContext?.runAsUser).toBeUndefined();
    }
  });
});

describe("GPU use", () => {
  it("gives staging's Ollama and Whisper one GPU each, on the GPU node under RuntimeClass nvidia", () => {
    for (const service of ["ollama", "whisper"] as const) {
      const pod = podSpec(stagingM[service]);
      expect(gpuOf(pod.containers[0])).toBe("1");
      expect(pod.runtimeClassName).toBe("nvidia");
      // The admin-only GPU label, not a label the node's kubelet could set on itself.
      expect(pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms).toEqual([
        { matchExpressions: [{ key: "node-restriction.kubernetes.io/homelab-gpu", operator: "In", values: ["nvidia"] }] },
      ]);
      expect(pod.tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Equal", value: "present", effect: "NoSchedule" }]);
    }
  });

  it("gives no GPU, RuntimeClass or toleration to any other staging service", () => {
    for (const service of ["openWebui", "piper", "openWakeWord"] as const) {
      for (const pod of allPods(stagingM[service])) {
        expect(pod.runtimeClassName).toBeUndefined();
        expect(pod.tolerations).toBeUndefined();
        for (const c of pod.containers) expect(gpuOf(c)).toBeUndefined();
      }
    }
    for (const pod of allPods(stagingM.ollama).slice(1)) expect(gpuOf(pod.containers[0])).toBeUndefined(); // pull jobs
  });

  it("requests no GPU anywhere in dev", () => {
    const text = JSON.stringify(Object.values(devM));
    expect(text).not.toContain(GPU_RESOURCE);
    expect(text).not.toContain("runtimeClassName");
    expect(text).not.toContain("tolerations");
  });

  it("selects GPU nodes by the admin-only label whatever their own labels, and tolerates key-only taints", () => {
    const config = stackConfig("staging", (raw) => {
      const node = raw.nodes.find((n: any) => n.name === "yeezyai");
      node.labels = {};
      node.taints = ["nvidia.com/gpu:NoExecute"];
    });
    const pod = podSpec(ollamaManifests(inputs(config)));
    expect(pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms).toEqual([
      { matchExpressions: [{ key: "node-restriction.kubernetes.io/homelab-gpu", operator: "In", values: ["nvidia"] }] },
    ]);
    expect(pod.tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoExecute" }]);
  });

  it("refuses GPU placement without a GPU node, saying what to change", () => {
    expect(() => ollamaManifests({ ...inputs(staging), gpuNodes: [] })).toThrow(/no GPU node.*ai\.accelerator: cpu/);
  });
});

describe("Ollama", () => {
  it("keeps its models on a protected NFS claim sized by the stack", () => {
    expect(stagingM.ollama.claim).toMatchObject({ keep: true, spec: { storageClassName: "nfs-csi-v2", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "200Gi" } } } });
    expect(devM.ollama.claim?.spec.resources).toEqual({ requests: { storage: "20Gi" } });
  });

  it("runs non-root with HOME on the models volume and probes /api/version", () => {
    const c = mainContainer(devM.ollama);
    expect(env(c, "HOME")?.value).toBe("/home/ollama");
    expect(env(c, "OLLAMA_MODELS")?.value).toBe("/home/ollama/.ollama/models");
    expect(c.volumeMounts).toContainEqual({ name: "models", mountPath: "/home/ollama/.ollama" });
    expect(podSpec(devM.ollama).volumes).toContainEqual({ name: "models", persistentVolumeClaim: { claimName: "ollama-models" } });
    expect(c.readinessProbe?.httpGet).toEqual({ path: "/api/version", port: "http" });
    expect(portOf(c, "http")).toBe(11434);
    expect(deploymentSpec(devM.ollama).strategy?.type).toBe("Recreate");
  });

  it("pulls exactly the stack's models through the server, without waiting in pulumi up", () => {
    const [job] = stagingM.ollama.jobs;
    const c = allPods(stagingM.ollama)[1].containers[0];
    expect(c.args).toEqual(["llama3.1:8b", "mistral:7b", "gemma3:12b"]);
    expect(c.command).toEqual(["/bin/sh", "-c", MODEL_PULL_SCRIPT, "ollama-pull"]);
    expect(env(c, "OLLAMA_HOST")?.value).toBe("http://ollama.ollama.svc.cluster.local:11434");
    expect(job.metadata.annotations).toEqual({ "pulumi.com/skipAwait": "true" });
    expect(job.metadata.labels).toMatchObject({ "app.kubernetes.io/name": "ollama-model-pull" });
    expect(allPods(devM.ollama)[1].containers[0].args).toEqual(["tinyllama", "phi3:mini"]);
  });

  it("names the pull Job after its model list, so a new list runs a new Job", () => {
    expect(modelPullJobName(["tinyllama"])).toBe(modelPullJobName(["tinyllama"]));
    expect(modelPullJobName(["tinyllama"])).not.toBe(modelPullJobName(["tinyllama", "phi3:mini"]));
    expect(modelPullJobName(["a", "b"])).toMatch(/^ollama-pull-[0-9a-f]{10}$/);
    expect(stagingM.ollama.jobs[0].metadata.name).toBe(modelPullJobName(staging.ai.ollama.models));
  });

  it("re-pulls weekly, one run at a time", () => {
    const [cron] = stagingM.ollama.cronJobs;
    expect(cron.spec).toMatchObject({ schedule: "0 4 * * 0", concurrencyPolicy: "Forbid" });
  });

  it("has pull and launcher scripts a POSIX shell accepts", () => {
    for (const script of [MODEL_PULL_SCRIPT, WHISPER_GPU_LAUNCHER]) {
      expect(() => execFileSync("sh", ["-n", "-c", script])).not.toThrow();
    }
  });

  it("is a NodePort on 31434 only where the stack declares it", () => {
    expect(serviceSpec(stagingM.ollama)).toMatchObject({ type: "NodePort", externalTrafficPolicy: "Local", ports: [{ port: 11434, nodePort: 31434 }] });
    expect(stagingM.ollama.svc.metadata.annotations).toEqual({ [EXPOSURE_ANNOTATION]: "declared", [EXPOSURE_CIDRS_ANNOTATION]: "192.168.1.20/32" });
    expect(serviceSpec(devM.ollama).type).toBe("ClusterIP");
    const noPort = stackConfig("staging", (raw) => { delete raw.ai.ollama.nodePort; delete raw.ai.ollama.allowedClients; });
    const svc = serviceSpec(ollamaManifests(inputs(noPort)));
    expect(svc.type).toBe("ClusterIP");
    expect(svc.ports[0].nodePort).toBeUndefined();
  });
});

describe("Open WebUI", () => {
  it("talks to the lab's Ollama and reads its key and database URL from Secrets", () => {
    const c = mainContainer(stagingM.openWebui);
    expect(env(c, "OLLAMA_BASE_URL")?.value).toBe("http://ollama.ollama.svc.cluster.local:11434");
    expect(env(c, "WEBUI_SECRET_KEY")).toEqual({ name: "WEBUI_SECRET_KEY", valueFrom: { secretKeyRef: { name: "secret-key", key: "WEBUI_SECRET_KEY" } } });
    expect(env(c, "DATABASE_URL")).toEqual({ name: "DATABASE_URL", valueFrom: { secretKeyRef: { name: "database-url", key: "DATABASE_URL" } } });
    expect(env(c, "WEBUI_SECRET_KEY")?.value).toBeUndefined();
  });

  it("knows its HTTPS address when the stack has one, and only then", () => {
    const m = openWebuiManifests({ ...inputs(staging), openWebuiUrl: "https://ai.lab.home.arpa" });
    expect(env(mainContainer(m), "WEBUI_URL")).toEqual({ name: "WEBUI_URL", value: "https://ai.lab.home.arpa" });
    expect(env(mainContainer(stagingM.openWebui), "WEBUI_URL")).toBeUndefined();
  });

  it("falls back to SQLite on its volume when no database URL is given, and then probes liveness on /health", () => {
    const m = openWebuiManifests({ ...inputs(dev), openWebuiSecrets: { secretKey: { name: "secret-key", key: "WEBUI_SECRET_KEY" }, admin: OPEN_WEBUI_ADMIN } });
    expect(env(mainContainer(m), "DATABASE_URL")).toBeUndefined();
    expect(mainContainer(m).livenessProbe).toMatchObject({ httpGet: { path: "/health", port: "http" }, failureThreshold: 3 });
  });

  it("creates its administrator from the catalogue's Secret and lets nobody sign up", () => {
    const c = mainContainer(stagingM.openWebui);
    expect(env(c, "WEBUI_ADMIN_EMAIL")).toEqual({ name: "WEBUI_ADMIN_EMAIL", valueFrom: { secretKeyRef: { name: "admin", key: "WEBUI_ADMIN_EMAIL" } } });
    expect(env(c, "WEBUI_ADMIN_PASSWORD")).toEqual({ name: "WEBUI_ADMIN_PASSWORD", valueFrom: { secretKeyRef: { name: "admin", key: "WEBUI_ADMIN_PASSWORD" } } });
    expect(env(c, "ENABLE_SIGNUP")?.value).toBe("False");
    expect(JSON.stringify(c.env)).not.toMatch(/"WEBUI_AUTH"|ENABLE_INITIAL_ADMIN_SIGNUP/);
  });

  it("restarts when it can no longer open a database connection (a rotated owner password), after a failover's grace", () => {
    const c = mainContainer(stagingM.openWebui);
    const probe = c.livenessProbe!;
    expect(probe.httpGet).toEqual({ path: "/health/db", port: "http" });
    expect(probe.periodSeconds! * probe.failureThreshold!).toBeGreaterThanOrEqual(OPEN_WEBUI_DB_GRACE_SECONDS);
    expect(probe.periodSeconds! * (probe.failureThreshold! - 1)).toBeLessThan(OPEN_WEBUI_DB_GRACE_SECONDS);
    expect(c.readinessProbe?.httpGet).toEqual({ path: "/health", port: "http" });
  });

  it("runs the plain image (no bundled Ollama), probes /health and keeps its data", () => {
    const c = mainContainer(devM.openWebui);
    expect(c.image).toBe(imageRef(images.openWebui));
    expect(c.image).not.toMatch(/ollama/);
    expect(c.readinessProbe?.httpGet).toEqual({ path: "/health", port: "http" });
    expect(portOf(c, "http")).toBe(8080);
    expect(c.volumeMounts).toContainEqual({ name: "data", mountPath: "/app/backend/data" });
    expect(devM.openWebui.claim).toMatchObject({ keep: true, spec: { resources: { requests: { storage: "5Gi" } } } });
    expect(stagingM.openWebui.claim?.spec.resources).toEqual({ requests: { storage: "10Gi" } });
  });

  it("seeds the image's bundled caches into the volume without overwriting it", () => {
    const [seed] = podSpec(devM.openWebui).initContainers!;
    expect(seed.command?.join(" ")).toContain("cp -R -n /app/backend/data/. /seed/");
    expect(seed.volumeMounts).toEqual([{ name: "data", mountPath: "/seed" }]);
  });
});

describe("Whisper", () => {
  it("runs the CUDA image in staging with --device cuda and float16, started without s6 as uid 1000", () => {
    const c = mainContainer(stagingM.whisper);
    expect(c.image).toBe(imageRef(images.whisperGpu));
    expect(c.command).toEqual(["/bin/sh", "-c", WHISPER_GPU_LAUNCHER, "whisper"]);
    expect(c.args).toEqual([
      "--uri", "tcp://0.0.0.0:10300", "--data-dir", "/data", "--download-dir", "/data",
      "--model", "base", "--language", "en", "--stt-library", "faster-whisper", "--device", "cuda", "--compute-type", "float16",
    ]);
  });

  it("keeps int8 weights as int8 on the GPU", () => {
    const config = stackConfig("staging", (raw) => { raw.ai.whisper.model = "small-int8"; });
    expect(mainContainer(whisperManifests(inputs(config))).args).toEqual(expect.arrayContaining(["--compute-type", "int8_float16"]));
  });

  it("runs the CPU image in dev with the configured model, INT8 and language", () => {
    const c = mainContainer(devM.whisper);
    expect(c.image).toBe(imageRef(images.whisper));
    expect(c.command).toBeUndefined(); // the image's entrypoint adds --uri and --data-dir /data
    expect(c.args).toEqual(["--model", "tiny-int8", "--language", "en", "--stt-library", "faster-whisper", "--device", "cpu", "--compute-type", "int8"]);
  });

  it("probes its TCP port with a startup budget for the model download, and caches models on a plain claim", () => {
    const c = mainContainer(devM.whisper);
    expect(c.startupProbe?.tcpSocket).toEqual({ port: "tcp" });
    expect(c.startupProbe!.periodSeconds! * c.startupProbe!.failureThreshold!).toBeGreaterThanOrEqual(900);
    expect(c.livenessProbe?.tcpSocket).toEqual({ port: "tcp" });
    expect(env(c, "HF_HOME")?.value).toBe("/data/huggingface");
    expect(devM.whisper.claim?.keep).toBe(false);
  });

  it("sizes memory by model", () => {
    const medium = stackConfig("dev", (raw) => { raw.ai.whisper.model = "medium-int8"; });
    const limitOf = (m: ServiceManifests) => mainContainer(m).resources?.limits?.memory;
    expect(limitOf(whisperManifests(inputs(medium)))).toBe("6Gi");
    expect(limitOf(devM.whisper)).toBe("1Gi");
    expect(limitOf(stagingM.whisper)).toBe("4Gi"); // base (2Gi) + CUDA libraries
  });
});

describe("Piper", () => {
  it("starts with the first configured voice and records the rest", () => {
    const c = mainContainer(stagingM.piper);
    expect(c.args).toEqual(["--voice", "en_US-lessac-medium"]);
    expect(stagingM.piper.deployment.metadata.annotations).toEqual({ "homelab.dev/voices": "en_US-lessac-medium,en_GB-alan-medium" });
    expect(c.args).not.toContain("--max-piper-procs");
  });

  it("scales on CPU between the configured bounds in staging, sharing one RWX volume", () => {
    expect(stagingM.piper.autoscaler?.spec).toMatchObject({
      minReplicas: 1,
      maxReplicas: 3,
      scaleTargetRef: { kind: "Deployment", name: "piper" },
      metrics: [{ type: "Resource", resource: { name: "cpu" } }],
    });
    expect(deploymentSpec(stagingM.piper).replicas).toBeUndefined(); // the autoscaler owns it
    expect(deploymentSpec(stagingM.piper).strategy?.type).toBe("RollingUpdate");
    expect(stagingM.piper.claim?.spec.accessModes).toEqual(["ReadWriteMany"]);
  });

  it("runs a fixed replica without an autoscaler when min equals max", () => {
    expect(devM.piper.autoscaler).toBeUndefined();
    expect(deploymentSpec(devM.piper).replicas).toBe(1);
    expect(devM.piper.claim?.spec.accessModes).toEqual(["ReadWriteOnce"]);
    const two = piperManifests(inputs(stackConfig("dev", (raw) => { raw.ai.piper = { ...raw.ai.piper, minReplicas: 2, maxReplicas: 2 }; })));
    expect(deploymentSpec(two).replicas).toBe(2);
    expect(two.claim?.spec.accessModes).toEqual(["ReadWriteMany"]);
  });
});

describe("openWakeWord", () => {
  const DEPRECATED = ["--preload-model", "--model", "--models-dir", "--output-dir", "--debug-probability"];
  const HONOURED = ["--uri", "--custom-model-dir", "--threshold", "--trigger-level", "--refractory-seconds", "--zeroconf", "--debug", "--log-format"];

  it("passes only flags that 2.x honours", () => {
    for (const m of [devM.openWakeWord, stagingM.openWakeWord]) {
      const args = mainContainer(m).args ?? [];
      for (const flag of DEPRECATED) expect(args).not.toContain(flag);
      for (const flag of args.filter((a) => a.startsWith("--"))) expect(HONOURED).toContain(flag);
    }
  });

  it("records the wake words clients may ask for, probes TCP and needs no volume", () => {
    expect(stagingM.openWakeWord.deployment.metadata.annotations).toEqual({ "homelab.dev/wake-words": "alexa,hey_jarvis" });
    expect(devM.openWakeWord.deployment.metadata.annotations).toEqual({ "homelab.dev/wake-words": "okay_nabu" });
    expect(mainContainer(devM.openWakeWord).readinessProbe?.tcpSocket).toEqual({ port: "tcp" });
    expect(devM.openWakeWord.claim).toBeUndefined();
    expect(openWakeWordManifests(inputs(dev)).deployment.metadata.name).toBe("openwakeword");
  });
});

describe("LAN exposure", () => {
  it("keeps every Service inside the cluster in dev, unannotated", () => {
    for (const m of Object.values(devM)) {
      expect(serviceSpec(m).type).toBe("ClusterIP");
      expect(m.svc.metadata.annotations).toEqual({});
      expect(serviceSpec(m).externalTrafficPolicy).toBeUndefined();
    }
  });

  it("exposes the Wyoming servers as declared in staging, limited to the LAN", () => {
    for (const service of ["whisper", "piper", "openWakeWord"] as const) {
      const m = stagingM[service];
      expect(serviceSpec(m)).toMatchObject({ type: "LoadBalancer", loadBalancerSourceRanges: ["192.168.1.0/24"], externalTrafficPolicy: "Local" });
      expect(m.svc.metadata.annotations).toEqual({ [EXPOSURE_ANNOTATION]: "declared", [EXPOSURE_CIDRS_ANNOTATION]: "192.168.1.0/24" });
    }
  });

  it("keeps Open WebUI's plain port in the cluster unless lanExposure.openWebui declares it", () => {
    expect(serviceSpec(stagingM.openWebui).type).toBe("ClusterIP");
    expect(stagingM.openWebui.svc.metadata.annotations).toEqual({});
    const declared = stackConfig("staging", (raw) => { raw.ai.lanExposure.openWebui = true; });
    const m = openWebuiManifests(inputs(declared));
    expect(serviceSpec(m)).toMatchObject({ type: "LoadBalancer", loadBalancerSourceRanges: ["192.168.1.0/24"] });
    expect(m.svc.metadata.annotations).toEqual({ [EXPOSURE_ANNOTATION]: "declared", [EXPOSURE_CIDRS_ANNOTATION]: "192.168.1.0/24" });
  });

  it("uses NodePorts when the stack asks for them", () => {
    const config = stackConfig("staging", (raw) => { raw.ai.lanExposure.serviceType = "NodePort"; });
    const m = whisperManifests(inputs(config));
    expect(serviceSpec(m).type).toBe("NodePort");
    expect(serviceSpec(m).loadBalancerSourceRanges).toBeUndefined();
  });
});
