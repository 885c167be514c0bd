// The AI layer's namespaces (one per service) and what may reach them, plus the list of declared
// LAN exposures the policy pack compares Services against. Pure. Quotas are computed from the very
// manifests the component registers, so a resource change can never outgrow its quota unnoticed.
import type * as k8s from "@pulumi/kubernetes";
import type { HomelabConfig } from "../config";
import { dnsEgress, internetEgress } from "../namespaces/egress";
import type { EgressRule, IngressRule, NamespaceSpec } from "../namespaces/manifests";
import {
  AI_APPS,
  AI_NAMESPACES,
  AI_PORTS,
  AI_SERVICES,
  aiManifests,
  AiService,
  exposures,
  MODEL_PULL_APP,
  Placement,
  SERVICELB_LABELS,
  SERVICELB_NAMESPACE,
  ServiceManifests,
} from "./manifests";
import { cpuMillis, formatCpu, formatMebibytes, GPU_RESOURCE, mebibytes } from "./pod";

type AiConfig = Pick<HomelabConfig, "ai" | "accelerator" | "gpuNodes">;
type PodSpec = k8s.types.output.core.v1.PodSpec;
type Container = k8s.types.output.core.v1.Container;

/** What a pod adds to a quota. */
interface Footprint {
  requestsCpu: number;
  requestsMemory: number;
  limitsCpu: number;
  limitsMemory: number;
  gpus: number;
}

const ZERO: Footprint = { requestsCpu: 0, requestsMemory: 0, limitsCpu: 0, limitsMemory: 0, gpus: 0 };

function containerFootprint(c: Container): Footprint {
  const req = c.resources?.requests ?? {};
  const lim = c.resources?.limits ?? {};
  return {
    requestsCpu: req.cpu ? cpuMillis(req.cpu) : 0,
    requestsMemory: req.memory ? mebibytes(req.memory) : 0,
    limitsCpu: lim.cpu ? cpuMillis(lim.cpu) : 0,
    limitsMemory: lim.memory ? mebibytes(lim.memory) : 0,
    gpus: Number(req[GPU_RESOURCE] ?? lim[GPU_RESOURCE] ?? 0),
  };
}

const add = (a: Footprint, b: Footprint): Footprint => ({
  requestsCpu: a.requestsCpu + b.requestsCpu,
  requestsMemory: a.requestsMemory + b.requestsMemory,
  limitsCpu: a.limitsCpu + b.limitsCpu,
  limitsMemory: a.limitsMemory + b.limitsMemory,
  gpus: a.gpus + b.gpus,
});
const max = (a: Footprint, b: Footprint): Footprint => ({
  requestsCpu: Math.max(a.requestsCpu, b.requestsCpu),
  requestsMemory: Math.max(a.requestsMemory, b.requestsMemory),
  limitsCpu: Math.max(a.limitsCpu, b.limitsCpu),
  limitsMemory: Math.max(a.limitsMemory, b.limitsMemory),
  gpus: Math.max(a.gpus, b.gpus),
});
const times = (a: Footprint, n: number): Footprint => ({
  requestsCpu: a.requestsCpu * n,
  requestsMemory: a.requestsMemory * n,
  limitsCpu: a.limitsCpu * n,
  limitsMemory: a.limitsMemory * n,
  gpus: a.gpus * n,
});

/** A pod's effective footprint: its containers together, or its largest init container if bigger. */
export function podFootprint(spec: PodSpec): Footprint {
  const running = spec.containers.map(containerFootprint).reduce(add, ZERO);
  const init = (spec.initContainers ?? []).map(containerFootprint).reduce(max, ZERO);
  return max(running, init);
}

/** Room for one `kubectl run` debug pod at the LimitRange defaults (components/namespaces). */
const DEBUG_POD: Footprint = { requestsCpu: 50, requestsMemory: 64, limitsCpu: 500, limitsMemory: 512, gpus: 0 };

/** The most pods a service runs at once: replicas at their ceiling plus a rolling-update surge, plus jobs. */
function peak(m: ServiceManifests): { footprint: Footprint; pods: number } {
  const spec = m.deployment.spec as unknown as k8s.types.output.apps.v1.DeploymentSpec;
  const ceiling = m.autoscaler ? (m.autoscaler.spec.maxReplicas as number) : (spec.replicas ?? 1);
  const surge = spec.strategy?.type === "RollingUpdate" ? 1 : 0;
  let pods = ceiling + surge;
  let footprint = times(podFootprint(spec.template.spec), pods);
  for (const job of m.jobs) {
    const jobSpec = job.spec as unknown as k8s.types.output.batch.v1.JobSpec;
    footprint = add(footprint, podFootprint(jobSpec.template.spec));
    pods += 1;
  }
  for (const cron of m.cronJobs) {
    const cronSpec = cron.spec as unknown as k8s.types.output.batch.v1.CronJobSpec;
    footprint = add(footprint, podFootprint(cronSpec.jobTemplate.spec.template.spec));
    pods += 1;
  }
  return { footprint, pods };
}

function manifestsFor(config: AiConfig): ServiceManifests[] {
  const placements = Object.fromEntries(AI_SERVICES.map((s): [AiService, Placement] => [
    s,
    { namespaceName: AI_NAMESPACES[s], namespace: AI_NAMESPACES[s], serviceAccountName: AI_NAMESPACES[s] },
  ])) as Record<AiService, Placement>;
  return aiManifests({
    settings: config.ai,
    accelerator: config.accelerator,
    gpuNodes: config.gpuNodes,
    storageClass: "nfs-csi-v2",
    placements,
    openWebuiSecrets: { secretKey: { name: "quota", key: "quota" }, admin: { email: { name: "quota", key: "quota" }, password: { name: "quota", key: "quota" } } },
  });
}

/** Who may call each service: the declared callers, nothing else. */
export function aiIngressRules(config: AiConfig): Record<AiService, IngressRule[]> {
  const exposed = exposures(config.ai);
  const rules: Record<AiService, IngressRule[]> = { ollama: [], openWebui: [], whisper: [], piper: [], openWakeWord: [] };
  const own = (service: AiService) => ({ "app.kubernetes.io/name": AI_APPS[service] });

  rules.ollama.push({
    description: "Open WebUI calls Ollama",
    podSelector: own("ollama"),
    fromNamespaces: [AI_NAMESPACES.openWebui],
    fromPods: own("openWebui"),
    ports: [AI_PORTS.ollama],
  }, {
    description: "Model pull jobs call Ollama",
    podSelector: own("ollama"),
    fromPods: { "app.kubernetes.io/name": MODEL_PULL_APP },
    ports: [AI_PORTS.ollama],
  });

  const callers: Record<AiService, string> = {
    ollama: "Declared client hosts call Ollama on its NodePort",
    openWebui: "LAN browsers reach Open WebUI",
    whisper: "Home Assistant calls Whisper over Wyoming",
    piper: "Home Assistant calls Piper over Wyoming",
    openWakeWord: "Home Assistant calls openWakeWord over Wyoming",
  };
  for (const service of AI_SERVICES) {
    const exposure = exposed[service];
    if (!exposure) continue;
    // NodePort with externalTrafficPolicy Local keeps the LAN client's address.
    rules[service].push({ description: callers[service], podSelector: own(service), fromCidrs: exposure.allowedCidrs, ports: [AI_PORTS[service]] });
    // K3s ServiceLB masquerades what it forwards, so the pod sees the svclb pod, not the client;
    // ServiceLB itself admits only loadBalancerSourceRanges (the same CIDRs).
    if (exposure.type === "LoadBalancer") {
      rules[service].push({
        description: `K3s ServiceLB forwards to ${AI_APPS[service]}`,
        podSelector: own(service),
        fromNamespaces: [SERVICELB_NAMESPACE],
        fromPods: { [SERVICELB_LABELS.service]: AI_APPS[service], [SERVICELB_LABELS.namespace]: AI_NAMESPACES[service] },
        ports: [AI_PORTS[service]],
      });
    }
  }
  // None of these images serves Prometheus metrics, so no rule lets monitoring in. Without a
  // declared exposure Open WebUI has no caller outside its namespace but the ingress controller
  // (whose rule the ingress layer adds, see components/ingress/namespaces.ts): browsers use its
  // HTTPS name, or `kubectl -n open-webui port-forward svc/open-webui 8080` (port-forward does not
  // pass through NetworkPolicy), or ai.lanExposure.openWebui.
  return rules;
}

/**
 * Where each service connects beyond its callees (Open WebUI's calls to Ollama and PostgreSQL, and
 * the pull jobs' calls to Ollama, follow from those namespaces' ingress rules). Only the services
 * that download at run time reach the internet; none talks to the API server (no token is mounted).
 */
export function aiEgressRules(): Record<AiService, EgressRule[]> {
  const own = (service: AiService) => ({ "app.kubernetes.io/name": AI_APPS[service] });
  return {
    // The pull jobs ask the server to pull; the server downloads.
    ollama: [dnsEgress(), internetEgress("model-registry", "the Ollama server pulls models from registry.ollama.ai and its download CDN", own("ollama"))],
    // The lab's own models only (ENABLE_OPENAI_API is off); the embedding model ships in the image.
    // Web search and fetching URLs from a chat need the internet and stay off.
    openWebui: [dnsEgress()],
    whisper: [dnsEgress(), internetEgress("hugging-face", "Whisper downloads its speech model from Hugging Face on first start", own("whisper"))],
    piper: [dnsEgress(), internetEgress("hugging-face", "Piper downloads its voices from Hugging Face (rhasspy/piper-voices) at start and on first use", own("piper"))],
    // The wake word models ship inside the image and the server opens no connection at all.
    openWakeWord: [],
  };
}

/**
 * The AI layer's namespaces: Pod Security "restricted" everywhere but open-webui ("baseline": its
 * image must run as root); quotas sized from the manifests, GPUs only where a pod requests one.
 */
export function aiNamespaces(config: AiConfig): NamespaceSpec[] {
  const rules = aiIngressRules(config);
  const egress = aiEgressRules();
  return manifestsFor(config).map((m) => {
    const { footprint, pods } = peak(m);
    const total = add(footprint, DEBUG_POD);
    // Twice the claims: a claim can be resized before the quota update lands.
    const claim = m.claim?.spec as k8s.types.output.core.v1.PersistentVolumeClaimSpec | undefined;
    const storage = claim ? mebibytes(claim.resources.requests.storage) * 2 : 1024;
    return {
      name: AI_NAMESPACES[m.service],
      podSecurity: m.service === "openWebui" ? "baseline" : "restricted",
      workloadServiceAccount: true,
      quota: {
        requestsCpu: formatCpu(total.requestsCpu),
        requestsMemory: formatMebibytes(total.requestsMemory),
        limitsCpu: formatCpu(total.limitsCpu),
        limitsMemory: formatMebibytes(total.limitsMemory),
        storage: formatMebibytes(storage),
        pods: pods + 1,
        ...(footprint.gpus > 0 ? { gpus: footprint.gpus } : {}),
      },
      ingress: rules[m.service],
      egress: egress[m.service],
    } satisfies NamespaceSpec;
  });
}

/** One Service the stack config lets out of the cluster. */
export interface DeclaredExposure {
  namespace: string;
  service: string;
  type: "LoadBalancer" | "NodePort";
  port: number;
  nodePort?: number;
  allowedCidrs: string[];
}

/**
 * Every Service the AI layer exposes beyond the cluster, as declared by ai.lanExposure and
 * ai.ollama.nodePort with ai.ollama.allowedClients. The policy pack allows a NodePort/LoadBalancer
 * Service only if it is listed here (and carries the homelab.dev/exposure annotation with the same
 * CIDRs; Ollama's entry requires single hosts).
 */
export function declaredExposures(config: Pick<HomelabConfig, "ai">): DeclaredExposure[] {
  const exposed = exposures(config.ai);
  return AI_SERVICES.flatMap((service) => {
    const e = exposed[service];
    if (!e) return [];
    return [{
      namespace: AI_NAMESPACES[service],
      service: AI_APPS[service],
      type: e.type,
      port: AI_PORTS[service],
      ...(e.nodePort !== undefined ? { nodePort: e.nodePort } : {}),
      allowedCidrs: [...e.allowedCidrs],
    }];
  });
}
