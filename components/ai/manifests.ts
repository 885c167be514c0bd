// Pure builders for the AI voice pipeline: one per service (Ollama, Open WebUI, Whisper, Piper,
// openWakeWord), each returning the plain Kubernetes objects it needs. The VoicePipeline component
// only registers what these return, so everything here is unit-tested without the Pulumi runtime.
//
// Exceptions to the restricted security profile, and why:
// - Open WebUI: the published image is built for uid 0 and writes into its own tree at start
//   (static files, caches), so it runs as root with no capabilities and a writable root
//   filesystem; its namespace enforces Pod Security "baseline" instead of "restricted".
// - Whisper on GPU: the linuxserver image normally starts s6-overlay as root to chown /config and
//   drop to its own user. We bypass that init (the command below starts the Wyoming server
//   directly as uid 1000), which keeps the pod non-root with a read-only root filesystem.
import { createHash } from "node:crypto";
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { AiSettings, NodeSpec } from "../config";
import { imageRef, images } from "../versions";
import { volumeBackupAnnotations } from "../backups/volumes";
import {
  ContainerResources,
  formatMebibytes,
  gpuPlacement,
  httpProbes,
  mebibytes,
  nonRootContainerContext,
  nonRootPodContext,
  resourceRequirements,
  rootContainerContext,
  rootPodContext,
  scratchVolume,
  tcpProbes,
} from "./pod";

type Container = k8s.types.input.core.v1.Container;
type PodSpec = k8s.types.input.core.v1.PodSpec;
type EnvVar = k8s.types.input.core.v1.EnvVar;
type ObjectMeta = k8s.types.input.meta.v1.ObjectMeta;

export type Accelerator = "nvidia" | "cpu";
export type AiService = "ollama" | "openWebui" | "whisper" | "piper" | "openWakeWord";
export const AI_SERVICES: readonly AiService[] = ["ollama", "openWebui", "whisper", "piper", "openWakeWord"];

/** Each service's namespace (its own, as the lab isolates services). */
export const AI_NAMESPACES: Record<AiService, string> = {
  ollama: "ollama",
  openWebui: "open-webui",
  whisper: "whisper",
  piper: "piper",
  openWakeWord: "openwakeword",
};

/** `app.kubernetes.io/name` of each service's pods; also its Deployment and Service name. */
export const AI_APPS: Record<AiService, string> = {
  ollama: "ollama",
  openWebui: "open-webui",
  whisper: "whisper",
  piper: "piper",
  openWakeWord: "openwakeword",
};

/** The port each service listens on (pod and Service alike). */
export const AI_PORTS: Record<AiService, number> = {
  ollama: 11434,
  openWebui: 8080,
  whisper: 10300,
  piper: 10200,
  openWakeWord: 10400,
};

/** Pods of the model pull Job and CronJob; Ollama's NetworkPolicy lets exactly these in. */
export const MODEL_PULL_APP = "ollama-model-pull";

/** Marks a Service reachable from outside the cluster because the stack config declares it. */
export const EXPOSURE_ANNOTATION = "homelab.dev/exposure";
/** The LAN networks the declaration allows, comma-separated, for the policy pack to compare. */
export const EXPOSURE_CIDRS_ANNOTATION = "homelab.dev/exposure-allowed-cidrs";
/** Labels K3s ServiceLB puts on its svclb pods (namespace kube-system). */
export const SERVICELB_LABELS = { service: "svccontroller.k3s.cattle.io/svcname", namespace: "svccontroller.k3s.cattle.io/svcnamespace" };
export const SERVICELB_NAMESPACE = "kube-system";

const PART_OF = "voice-pipeline";

/** Where one service's objects go: its namespace and the service account LabNamespace made. */
export interface Placement {
  /** The namespace's real name, for in-cluster DNS names. */
  namespaceName: string;
  /** The namespace as the Namespace resource's output, so objects are created after it. */
  namespace: pulumi.Input<string>;
  serviceAccountName: pulumi.Input<string>;
}

export interface SecretKeyRef {
  name: string;
  key: string;
}

/** Open WebUI's credentials: Kubernetes Secrets the secrets layer syncs into its namespace. */
export interface OpenWebuiSecrets {
  secretKey: SecretKeyRef;
  /** The administrator Open WebUI creates on its first start, while it has no user at all. */
  admin: { email: SecretKeyRef; password: SecretKeyRef };
  /** Without it Open WebUI keeps its data in SQLite on its data volume. */
  databaseUrl?: SecretKeyRef;
}

/** Everything the builders read. */
export interface AiInputs {
  settings: AiSettings;
  accelerator: Accelerator;
  gpuNodes: NodeSpec[];
  storageClass: pulumi.Input<string>;
  placements: Record<AiService, Placement>;
  openWebuiSecrets: OpenWebuiSecrets;
  /** Where browsers reach Open WebUI (its HTTPS name from the ingress layer), for its links and redirects. */
  openWebuiUrl?: string;
}

export interface ClaimManifest {
  metadata: ObjectMeta;
  spec: k8s.types.input.core.v1.PersistentVolumeClaimSpec;
  /**
   * Whether losing the claim loses something that cannot simply be downloaded again quickly;
   * such claims are protected and retained by the component.
   */
  keep: boolean;
}

/** The objects of one service. */
export interface ServiceManifests {
  service: AiService;
  claim?: ClaimManifest;
  deployment: { metadata: ObjectMeta; spec: k8s.types.input.apps.v1.DeploymentSpec };
  svc: { metadata: ObjectMeta; spec: k8s.types.input.core.v1.ServiceSpec };
  autoscaler?: { metadata: ObjectMeta; spec: k8s.types.input.autoscaling.v2.HorizontalPodAutoscalerSpec };
  /** `id` names the Pulumi resource: stable even when the object's own name changes. */
  jobs: { id: string; metadata: ObjectMeta; spec: k8s.types.input.batch.v1.JobSpec }[];
  cronJobs: { id: string; metadata: ObjectMeta; spec: k8s.types.input.batch.v1.CronJobSpec }[];
  /** How long `pulumi up` waits for the rollout: first starts pull big images and models. */
  rolloutTimeoutMinutes: number;
}

export function labels(app: string, component: string): Record<string, string> {
  return {
    "app.kubernetes.io/name": app,
    "app.kubernetes.io/component": component,
    "app.kubernetes.io/part-of": PART_OF,
    "app.kubernetes.io/managed-by": "pulumi",
  };
}

const selector = (app: string) => ({ "app.kubernetes.io/name": app });

/** The in-cluster URL of a service: http for Ollama and Open WebUI, tcp for the Wyoming servers. */
export function serviceUrl(service: AiService, namespaceName: string): string {
  const scheme = service === "ollama" || service === "openWebui" ? "http" : "tcp";
  return `${scheme}://${AI_APPS[service]}.${namespaceName}.svc.cluster.local:${AI_PORTS[service]}`;
}

// ---------------------------------------------------------------------------------------------
// Resources. The namespace quotas are computed from these (namespaces.ts), so they cannot drift.

export const OLLAMA_RESOURCES: Record<Accelerator, ContainerResources> = {
  // Weights live in VRAM; host memory holds the runner, KV cache spill and the mmap'd file.
  nvidia: { requests: { cpu: "1", memory: "4Gi" }, limits: { cpu: "8", memory: "16Gi" }, gpus: 1 },
  // tinyllama / phi3:mini on CPU: the model sits in RAM.
  cpu: { requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "4", memory: "6Gi" } },
};
export const MODEL_PULL_RESOURCES: ContainerResources = { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } };
export const OPEN_WEBUI_RESOURCES: ContainerResources = { requests: { cpu: "250m", memory: "1Gi" }, limits: { cpu: "2", memory: "4Gi" } };
export const OPEN_WEBUI_SEED_RESOURCES: ContainerResources = { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } };
export const PIPER_RESOURCES: ContainerResources = { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "2", memory: "1Gi" } };
export const OPEN_WAKE_WORD_RESOURCES: ContainerResources = { requests: { cpu: "100m", memory: "128Mi" }, limits: { cpu: "1", memory: "512Mi" } };

const WHISPER_MEMORY: Record<string, [string, string]> = {
  tiny: ["512Mi", "1Gi"],
  base: ["768Mi", "2Gi"],
  small: ["1Gi", "3Gi"],
  medium: ["2Gi", "6Gi"],
};

/** Whisper's memory follows the model size; on GPU the CUDA libraries add about 2 GiB of host memory. */
export function whisperResources(model: string, accelerator: Accelerator): ContainerResources {
  const [request, limit] = WHISPER_MEMORY[whisperModelSize(model)];
  if (accelerator === "nvidia") {
    const withCuda = (q: string) => formatMebibytes(mebibytes(q) + 2048);
    return { requests: { cpu: "250m", memory: withCuda(request) }, limits: { cpu: "2", memory: withCuda(limit) }, gpus: 1 };
  }
  // faster-whisper uses 4 CPU threads by default (--cpu-threads).
  return { requests: { cpu: "500m", memory: request }, limits: { cpu: "4", memory: limit } };
}

export function whisperModelSize(model: string): string {
  return model.replace(/[-.]int8$/, "");
}

/** Sizes of the cache claims (downloadable content, so fixed and small). */
export const WHISPER_DATA_SIZE = "5Gi";
export const PIPER_DATA_SIZE = "2Gi";

// ---------------------------------------------------------------------------------------------
// Shared object shapes.

interface PodOptions {
  app: string;
  component: string;
  placement: Placement;
  securityContext: k8s.types.input.core.v1.PodSecurityContext;
  containers: Container[];
  initContainers?: Container[];
  volumes: k8s.types.input.core.v1.Volume[];
  extra?: Partial<PodSpec>;
  annotations?: Record<string, string>;
}

function podTemplate(o: PodOptions): k8s.types.input.core.v1.PodTemplateSpec {
  return {
    metadata: { labels: labels(o.app, o.component), ...(o.annotations ? { annotations: o.annotations } : {}) },
    spec: {
      serviceAccountName: o.placement.serviceAccountName,
      // No service needs the Kubernetes API.
      automountServiceAccountToken: false,
      // A Service named "ollama" would inject OLLAMA_* variables into a program that reads its
      // configuration from OLLAMA_*; none of these programs uses service-link variables.
      enableServiceLinks: false,
      securityContext: o.securityContext,
      ...(o.initContainers ? { initContainers: o.initContainers } : {}),
      containers: o.containers,
      volumes: o.volumes,
      ...o.extra,
    },
  };
}

interface DeploymentOptions extends PodOptions {
  /** Left out when an autoscaler owns the replica count. */
  replicas?: number;
  /** Recreate for single-writer volumes and GPU pods (a surge pod would need a second GPU). */
  strategy: "Recreate" | "RollingUpdate";
}

function deployment(o: DeploymentOptions): ServiceManifests["deployment"] {
  return {
    metadata: { name: o.app, namespace: o.placement.namespace, labels: labels(o.app, o.component), ...(o.annotations ? { annotations: o.annotations } : {}) },
    spec: {
      ...(o.replicas !== undefined ? { replicas: o.replicas } : {}),
      revisionHistoryLimit: 3,
      selector: { matchLabels: selector(o.app) },
      strategy: o.strategy === "Recreate"
        ? { type: "Recreate" }
        : { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: podTemplate(o),
    },
  };
}

function claim(name: string, placement: Placement, component: string, app: string, storageClass: pulumi.Input<string>, size: string, shared: boolean, keep: boolean): ClaimManifest {
  return {
    metadata: { name, namespace: placement.namespace, labels: labels(app, component) },
    spec: {
      // ReadWriteMany only when several pods mount it at once (NFS supports both).
      accessModes: [shared ? "ReadWriteMany" : "ReadWriteOnce"],
      storageClassName: storageClass,
      resources: { requests: { storage: size } },
    },
    keep,
  };
}

/** How a Service leaves the cluster, when the stack declares it. */
export interface Exposure {
  type: "LoadBalancer" | "NodePort";
  allowedCidrs: string[];
  nodePort?: number;
}

function service(app: string, component: string, placement: Placement, port: number, exposure?: Exposure): ServiceManifests["svc"] {
  const annotations: Record<string, string> = exposure
    ? { [EXPOSURE_ANNOTATION]: "declared", [EXPOSURE_CIDRS_ANNOTATION]: exposure.allowedCidrs.join(",") }
    : {};
  return {
    metadata: { name: app, namespace: placement.namespace, labels: labels(app, component), annotations },
    spec: {
      type: exposure ? exposure.type : "ClusterIP",
      selector: selector(app),
      ports: [{ name: "tcp", protocol: "TCP", port, targetPort: port, ...(exposure?.nodePort !== undefined ? { nodePort: exposure.nodePort } : {}) }],
      ...(exposure
        ? {
            // Local keeps the client's address, so NodePort traffic meets the NetworkPolicy's LAN
            // ipBlock as itself (Cluster would SNAT it to a node address).
            externalTrafficPolicy: "Local",
            // K3s ServiceLB enforces these source ranges itself before forwarding.
            ...(exposure.type === "LoadBalancer" ? { loadBalancerSourceRanges: exposure.allowedCidrs } : {}),
          }
        : {}),
    },
  };
}

/** The declared exposure of each service, or undefined where the service stays in the cluster. */
export function exposures(settings: AiSettings): Record<AiService, Exposure | undefined> {
  const lan = settings.lanExposure;
  const wyoming: Exposure | undefined = lan ? { type: lan.serviceType, allowedCidrs: lan.allowedCidrs } : undefined;
  const { nodePort, allowedClients } = settings.ollama;
  return {
    // Ollama has no authentication: its NodePort admits its declared single hosts, not the LAN.
    ollama: nodePort !== undefined && allowedClients?.length ? { type: "NodePort", allowedCidrs: allowedClients, nodePort } : undefined,
    // Its plain port only when declared: browsers use its HTTPS name (homelab:ingress).
    openWebui: lan?.openWebui ? wyoming : undefined,
    whisper: wyoming,
    piper: wyoming,
    openWakeWord: wyoming,
  };
}

const env = (vars: Record<string, string>): EnvVar[] => Object.entries(vars).map(([name, value]) => ({ name, value }));
const port = (containerPort: number, name = "tcp") => [{ name, containerPort, protocol: "TCP" }];

// ---------------------------------------------------------------------------------------------
// Ollama

const OLLAMA_HOME = "/home/ollama";

/** The pull script: wait for the server, then pull each model named in "$@" (idempotent). */
export const MODEL_PULL_SCRIPT = [
  "set -eu",
  'until ollama list >/dev/null 2>&1; do echo "waiting for $OLLAMA_HOST"; sleep 10; done',
  'for model in "$@"; do echo "pulling $model"; ollama pull "$model"; done',
].join("\n");

/**
 * A stable name for the pull Job of a model list and image: a new list (or Ollama release) gets a
 * new Job, which pulls again; Jobs are immutable, so an unchanged one is left alone.
 */
export function modelPullJobName(models: string[]): string {
  const digest = createHash("sha256").update(JSON.stringify({ image: imageRef(images.ollama), models })).digest("hex").slice(0, 10);
  return `ollama-pull-${digest}`;
}

function modelPullJobSpec(inputs: AiInputs): k8s.types.input.batch.v1.JobSpec {
  const placement = inputs.placements.ollama;
  return {
    backoffLimit: 6,
    // 200 GB of models over a home uplink can take hours; a stuck download must end eventually.
    activeDeadlineSeconds: 6 * 3600,
    template: podTemplate({
      app: MODEL_PULL_APP,
      component: "model-pull",
      placement,
      securityContext: nonRootPodContext(),
      containers: [{
        name: "pull",
        image: imageRef(images.ollama),
        command: ["/bin/sh", "-c", MODEL_PULL_SCRIPT, "ollama-pull"],
        // Models are arguments, never spliced into the script.
        args: [...inputs.settings.ollama.models],
        env: env({ OLLAMA_HOST: serviceUrl("ollama", placement.namespaceName), HOME: "/tmp" }),
        resources: resourceRequirements(MODEL_PULL_RESOURCES),
        securityContext: nonRootContainerContext(),
        volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
      }],
      volumes: [scratchVolume("tmp", "64Mi")],
      extra: { restartPolicy: "OnFailure" },
    }),
  };
}

/**
 * Ollama: GPU on the GPU node(s) with nvidia, CPU otherwise. Models live on a protected NFS claim.
 * The stack's model list is pulled through the server's own API by a Job (runs once per list,
 * after the Deployment is ready) and re-pulled weekly by a CronJob, which restores any model an
 * Open WebUI admin deleted and picks up re-tagged weights. A CLI client in a separate pod keeps
 * the server container free of hooks: a postStart hook or sidecar would delay or fail the server's
 * own start whenever the registry is unreachable.
 */
export function ollamaManifests(inputs: AiInputs): ServiceManifests {
  const { settings, accelerator } = inputs;
  const placement = inputs.placements.ollama;
  const app = AI_APPS.ollama;
  const component = "llm";
  const gpu = accelerator === "nvidia";
  const container: Container = {
    name: "ollama",
    image: imageRef(images.ollama),
    ports: port(AI_PORTS.ollama, "http"),
    env: env({
      // The image runs as root with HOME=/root; as uid 1000 it needs a HOME it can write
      // ($HOME/.ollama holds its identity key and caches) - that is the models volume.
      HOME: OLLAMA_HOME,
      OLLAMA_HOST: `0.0.0.0:${AI_PORTS.ollama}`,
      OLLAMA_MODELS: `${OLLAMA_HOME}/.ollama/models`,
      TMPDIR: "/tmp",
    }),
    resources: resourceRequirements(OLLAMA_RESOURCES[accelerator]),
    securityContext: nonRootContainerContext(),
    volumeMounts: [
      { name: "models", mountPath: `${OLLAMA_HOME}/.ollama` },
      { name: "tmp", mountPath: "/tmp" },
    ],
    ...httpProbes("/api/version", "http", { startupSeconds: 300 }),
  };
  return {
    service: "ollama",
    claim: claim("ollama-models", placement, component, app, inputs.storageClass, settings.ollama.storageSize, false, true),
    deployment: deployment({
      app,
      component,
      placement,
      replicas: 1,
      strategy: "Recreate",
      securityContext: nonRootPodContext(),
      containers: [container],
      volumes: [
        { name: "models", persistentVolumeClaim: { claimName: "ollama-models" } },
        scratchVolume("tmp", "2Gi"),
      ],
      extra: gpu ? gpuPlacement(inputs.gpuNodes) : {},
    }),
    svc: service(app, component, placement, AI_PORTS.ollama, exposures(settings).ollama),
    jobs: [{
      id: "model-pull",
      metadata: {
        name: modelPullJobName(settings.ollama.models),
        namespace: placement.namespace,
        labels: labels(MODEL_PULL_APP, "model-pull"),
        // Pulumi would otherwise wait for the downloads to finish inside `pulumi up`.
        annotations: { "pulumi.com/skipAwait": "true" },
      },
      spec: modelPullJobSpec(inputs),
    }],
    cronJobs: [{
      id: "model-refresh",
      metadata: { name: "ollama-model-refresh", namespace: placement.namespace, labels: labels(MODEL_PULL_APP, "model-pull") },
      spec: {
        // Sundays 04:00, after the weekly full backup (03:00).
        schedule: "0 4 * * 0",
        concurrencyPolicy: "Forbid",
        startingDeadlineSeconds: 3600,
        successfulJobsHistoryLimit: 1,
        failedJobsHistoryLimit: 3,
        jobTemplate: { metadata: { labels: labels(MODEL_PULL_APP, "model-pull") }, spec: modelPullJobSpec(inputs) },
      },
    }],
    rolloutTimeoutMinutes: 20,
  };
}

// ---------------------------------------------------------------------------------------------
// Open WebUI

const OPEN_WEBUI_DATA = "/app/backend/data";

/** How long Open WebUI may fail to open a database connection before the kubelet restarts it. */
export const OPEN_WEBUI_DB_GRACE_SECONDS = 300;

/**
 * Open WebUI's probes. With PostgreSQL, liveness asks /health/db, which opens a connection: the
 * password is an environment variable, read once at container start, so after the owner password
 * is rotated in Secrets Manager (External Secrets syncs it, CloudNative-PG applies it to the role)
 * every new connection is refused until a restart. A restart re-reads the Secret, so the failing
 * probe is the fix; the grace covers a database failover or restart without restarting Open WebUI.
 */
export function openWebuiProbes(postgres: boolean) {
  return httpProbes("/health", "http", {
    startupSeconds: 600,
    ...(postgres ? { liveness: { path: "/health/db", graceSeconds: OPEN_WEBUI_DB_GRACE_SECONDS } } : {}),
  });
}

/**
 * Open WebUI in front of the lab's Ollama (the plain image, not the one bundling Ollama). Its
 * signing key, database URL and first administrator come from the secrets layer's Secrets.
 * Settings marked ConfigVar upstream (the Ollama URL and sign-up among them) are read from env on
 * the first start only; later changes go through the admin UI.
 *
 * Nobody can sign up and become admin: Open WebUI 0.11 creates WEBUI_ADMIN_EMAIL with
 * WEBUI_ADMIN_PASSWORD as an admin on a start that finds no user (main.py lifespan,
 * create_admin_user) and then turns sign-up off; ENABLE_SIGNUP=False keeps it off from the first
 * request on. Sign-up can be turned on again in the admin UI (new accounts wait as "pending").
 */
export function openWebuiManifests(inputs: AiInputs): ServiceManifests {
  const placement = inputs.placements.openWebui;
  const app = AI_APPS.openWebui;
  const component = "chat-ui";
  const secrets = inputs.openWebuiSecrets;
  const fromSecret = (name: string, ref: SecretKeyRef): EnvVar => ({ name, valueFrom: { secretKeyRef: { name: ref.name, key: ref.key } } });
  const container: Container = {
    name: "open-webui",
    image: imageRef(images.openWebui),
    ports: port(AI_PORTS.openWebui, "http"),
    env: [
      ...env({
        PORT: String(AI_PORTS.openWebui),
        OLLAMA_BASE_URL: serviceUrl("ollama", inputs.placements.ollama.namespaceName),
        ENABLE_OLLAMA_API: "True",
        // Only the lab's own models; nothing leaves for api.openai.com unless an admin adds it.
        ENABLE_OPENAI_API: "False",
        DATA_DIR: OPEN_WEBUI_DATA,
        ANONYMIZED_TELEMETRY: "False",
        DO_NOT_TRACK: "True",
        SCARF_NO_ANALYTICS: "True",
        ENABLE_SIGNUP: "False",
      }),
      // Without a key from the Secret the image writes a random one into its own filesystem,
      // which a restart loses (and with it every session).
      fromSecret("WEBUI_SECRET_KEY", secrets.secretKey),
      fromSecret("WEBUI_ADMIN_EMAIL", secrets.admin.email),
      fromSecret("WEBUI_ADMIN_PASSWORD", secrets.admin.password),
      ...(secrets.databaseUrl ? [fromSecret("DATABASE_URL", secrets.databaseUrl)] : []),
      // The public address in links, redirects and OAuth callbacks. PersistentConfig upstream: read
      // on the first start; once an admin saves it in the admin panel, the saved value wins.
      ...(inputs.openWebuiUrl ? env({ WEBUI_URL: inputs.openWebuiUrl }) : []),
    ],
    resources: resourceRequirements(OPEN_WEBUI_RESOURCES),
    // Root is required by the published image (built with UID 0; non-root needs a rebuild), and
    // it writes under /app/backend at start, so the root filesystem cannot be read-only.
    securityContext: rootContainerContext(),
    volumeMounts: [{ name: "data", mountPath: OPEN_WEBUI_DATA }],
    // First start runs database migrations and loads the embedding model.
    ...openWebuiProbes(secrets.databaseUrl !== undefined),
  };
  // The image ships caches (embedding model) under its data directory, which the volume hides;
  // copy them over once, never overwriting what the volume already has.
  const seed: Container = {
    name: "seed-data",
    image: imageRef(images.openWebui),
    command: ["/bin/sh", "-c", `cp -R -n ${OPEN_WEBUI_DATA}/. /seed/`],
    resources: resourceRequirements(OPEN_WEBUI_SEED_RESOURCES),
    securityContext: rootContainerContext(),
    volumeMounts: [{ name: "data", mountPath: "/seed" }],
  };
  return {
    service: "openWebui",
    // Chat history, uploads and the vector store: user data, kept.
    claim: claim("open-webui-data", placement, component, app, inputs.storageClass, inputs.settings.openWebui.storageSize, false, true),
    deployment: deployment({
      app,
      component,
      placement,
      // One replica: websockets are managed in memory (no Redis) and the volume has one writer.
      replicas: 1,
      strategy: "Recreate",
      // Its data volume goes into the weekly full backup (components/backups/volumes.ts).
      annotations: volumeBackupAnnotations("open-webui"),
      securityContext: rootPodContext(),
      initContainers: [seed],
      containers: [container],
      volumes: [{ name: "data", persistentVolumeClaim: { claimName: "open-webui-data" } }],
    }),
    svc: service(app, component, placement, AI_PORTS.openWebui, exposures(inputs.settings).openWebui),
    jobs: [],
    cronJobs: [],
    rolloutTimeoutMinutes: 20,
  };
}

// ---------------------------------------------------------------------------------------------
// Whisper (Wyoming faster-whisper, speech to text)

const WYOMING_DATA = "/data";

/** The compute type CTranslate2 runs the model in: float16 on GPU (int8 weights stay int8), int8 on CPU. */
export function whisperComputeType(model: string, accelerator: Accelerator): string {
  if (accelerator === "cpu") return "int8";
  return /[-.]int8$/.test(model) ? "int8_float16" : "float16";
}

/**
 * The server flags both images get. An explicit model and library keep the server from picking
 * another engine (with --model auto and English it would choose Parakeet, not Whisper).
 */
export function whisperArgs(settings: AiSettings, accelerator: Accelerator): string[] {
  return [
    "--model", settings.whisper.model,
    "--language", settings.whisper.language,
    "--stt-library", "faster-whisper",
    "--device", accelerator === "nvidia" ? "cuda" : "cpu",
    "--compute-type", whisperComputeType(settings.whisper.model, accelerator),
  ];
}

/**
 * Starts the GPU image's Wyoming server without its s6-overlay init (which must run as root): put
 * the CUDA libraries its pip packages ship on the loader path, then exec the server with "$@".
 */
export const WHISPER_GPU_LAUNCHER = [
  "set -eu",
  `LD_LIBRARY_PATH="$(/lsiopy/bin/python3 -c 'import nvidia.cublas.lib as b, nvidia.cudnn.lib as d; print(b.__path__[0] + ":" + d.__path__[0])')"`,
  "export LD_LIBRARY_PATH",
  'exec /lsiopy/bin/python3 -m wyoming_faster_whisper "$@"',
].join("\n");

export function whisperManifests(inputs: AiInputs): ServiceManifests {
  const { settings, accelerator } = inputs;
  const placement = inputs.placements.whisper;
  const app = AI_APPS.whisper;
  const component = "speech-to-text";
  const gpu = accelerator === "nvidia";
  // The CPU image's entrypoint adds --uri and --data-dir; on GPU we start the server ourselves.
  const launch: Pick<Container, "image" | "command" | "args"> = gpu
    ? {
        image: imageRef(images.whisperGpu),
        command: ["/bin/sh", "-c", WHISPER_GPU_LAUNCHER, "whisper"],
        args: ["--uri", `tcp://0.0.0.0:${AI_PORTS.whisper}`, "--data-dir", WYOMING_DATA, "--download-dir", WYOMING_DATA, ...whisperArgs(settings, accelerator)],
      }
    : { image: imageRef(images.whisper), args: whisperArgs(settings, accelerator) };
  const container: Container = {
    name: "whisper",
    ...launch,
    ports: port(AI_PORTS.whisper),
    // As uid 1000, HOME would be "/" and the Hugging Face cache unwritable; keep both on the volume.
    env: env({ HOME: WYOMING_DATA, HF_HOME: `${WYOMING_DATA}/huggingface`, TMPDIR: "/tmp" }),
    resources: resourceRequirements(whisperResources(settings.whisper.model, accelerator)),
    securityContext: nonRootContainerContext(),
    volumeMounts: [{ name: "data", mountPath: WYOMING_DATA }, { name: "tmp", mountPath: "/tmp" }],
    // The port opens only after the model is downloaded and loaded.
    ...tcpProbes("tcp", { startupSeconds: 1200 }),
  };
  return {
    service: "whisper",
    // Downloaded models only: a lost claim costs one download, so it is not protected.
    claim: claim("whisper-data", placement, component, app, inputs.storageClass, WHISPER_DATA_SIZE, false, false),
    deployment: deployment({
      app,
      component,
      placement,
      replicas: 1,
      strategy: "Recreate",
      securityContext: nonRootPodContext(),
      containers: [container],
      volumes: [{ name: "data", persistentVolumeClaim: { claimName: "whisper-data" } }, scratchVolume("tmp")],
      extra: gpu ? gpuPlacement(inputs.gpuNodes) : {},
    }),
    svc: service(app, component, placement, AI_PORTS.whisper, exposures(settings).whisper),
    jobs: [],
    cronJobs: [],
    rolloutTimeoutMinutes: 30,
  };
}

// ---------------------------------------------------------------------------------------------
// Piper (Wyoming, text to speech)

/** Whether Piper scales with load (an autoscaler) rather than running a fixed single replica. */
export function piperScales(settings: AiSettings): boolean {
  return settings.piper.maxReplicas > settings.piper.minReplicas;
}

/**
 * Piper 2.x takes one default voice (downloaded before it listens); a request naming any other
 * voice downloads it into the data volume on first use and keeps it there. The configured list
 * is recorded on the Deployment so operators see which voices Home Assistant is meant to offer.
 */
export function piperArgs(settings: AiSettings): string[] {
  return ["--voice", settings.piper.voices[0]];
}

export function piperManifests(inputs: AiInputs): ServiceManifests {
  const { settings } = inputs;
  const placement = inputs.placements.piper;
  const app = AI_APPS.piper;
  const component = "text-to-speech";
  const scales = piperScales(settings);
  const shared = settings.piper.maxReplicas > 1;
  const container: Container = {
    name: "piper",
    image: imageRef(images.piper),
    args: piperArgs(settings),
    ports: port(AI_PORTS.piper),
    env: env({ HOME: WYOMING_DATA, TMPDIR: "/tmp" }),
    resources: resourceRequirements(PIPER_RESOURCES),
    securityContext: nonRootContainerContext(),
    volumeMounts: [{ name: "data", mountPath: WYOMING_DATA }, { name: "tmp", mountPath: "/tmp" }],
    ...tcpProbes("tcp", { startupSeconds: 300 }),
  };
  const annotations = { "homelab.dev/voices": settings.piper.voices.join(",") };
  return {
    service: "piper",
    claim: claim("piper-data", placement, component, app, inputs.storageClass, PIPER_DATA_SIZE, shared, false),
    deployment: deployment({
      app,
      component,
      placement,
      annotations,
      // With an autoscaler the replica count is its to set; Pulumi would reset it on every up.
      replicas: scales ? undefined : settings.piper.minReplicas,
      strategy: shared ? "RollingUpdate" : "Recreate",
      securityContext: nonRootPodContext(),
      containers: [container],
      volumes: [{ name: "data", persistentVolumeClaim: { claimName: "piper-data" } }, scratchVolume("tmp")],
    }),
    svc: service(app, component, placement, AI_PORTS.piper, exposures(settings).piper),
    autoscaler: scales
      ? {
          metadata: { name: app, namespace: placement.namespace, labels: labels(app, component) },
          spec: {
            scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: app },
            minReplicas: settings.piper.minReplicas,
            maxReplicas: settings.piper.maxReplicas,
            metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
            // Synthesis comes in bursts; don't drop replicas the moment one burst ends.
            behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
          },
        }
      : undefined,
    jobs: [],
    cronJobs: [],
    rolloutTimeoutMinutes: 10,
  };
}

// ---------------------------------------------------------------------------------------------
// openWakeWord (Wyoming, wake word detection)

/**
 * openWakeWord 2.x honours only --uri (set by the image), --custom-model-dir, --threshold,
 * --trigger-level, --refractory-seconds, --zeroconf and --debug; --preload-model, --model and
 * --models-dir are accepted and ignored. There is no flag that selects wake words: the server
 * offers every built-in model and each client (Home Assistant's Assist pipeline) names the one it
 * wants in its Detect request, loaded on demand. The configured wake words are therefore validated
 * against the built-ins (config schema) and recorded on the Deployment for the operator.
 */
export function openWakeWordArgs(): string[] {
  // The tuning knobs 2.x honours, at their defaults, so the place to tune them is visible.
  return ["--threshold", "0.5", "--trigger-level", "1"];
}

export function openWakeWordManifests(inputs: AiInputs): ServiceManifests {
  const { settings } = inputs;
  const placement = inputs.placements.openWakeWord;
  const app = AI_APPS.openWakeWord;
  const component = "wake-word";
  const container: Container = {
    name: "openwakeword",
    image: imageRef(images.openWakeWord),
    args: openWakeWordArgs(),
    ports: port(AI_PORTS.openWakeWord),
    // Models ship inside the Python package; nothing is written but temporary files.
    env: env({ HOME: "/tmp", TMPDIR: "/tmp" }),
    resources: resourceRequirements(OPEN_WAKE_WORD_RESOURCES),
    securityContext: nonRootContainerContext(),
    volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
    ...tcpProbes("tcp", { startupSeconds: 120 }),
  };
  return {
    service: "openWakeWord",
    deployment: deployment({
      app,
      component,
      placement,
      annotations: { "homelab.dev/wake-words": settings.openWakeWord.wakeWords.join(",") },
      replicas: 1,
      strategy: "RollingUpdate",
      securityContext: nonRootPodContext(),
      containers: [container],
      volumes: [scratchVolume("tmp", "256Mi")],
    }),
    svc: service(app, component, placement, AI_PORTS.openWakeWord, exposures(settings).openWakeWord),
    jobs: [],
    cronJobs: [],
    rolloutTimeoutMinutes: 10,
  };
}

/** Every service's objects, in pipeline order. */
export function aiManifests(inputs: AiInputs): ServiceManifests[] {
  return [
    ollamaManifests(inputs),
    openWebuiManifests(inputs),
    whisperManifests(inputs),
    piperManifests(inputs),
    openWakeWordManifests(inputs),
  ];
}
