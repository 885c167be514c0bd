// VoicePipeline: Ollama, Open WebUI, Whisper, Piper and openWakeWord, each in its own namespace.
// It only registers what the pure builders in manifests.ts return; one PipelineService child per
// service groups that service's claim, Deployment, Service, autoscaler and jobs.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AiSettings, NodeSpec } from "../config";
import type { LabNamespace } from "../namespaces";
import {
  Accelerator,
  AI_NAMESPACES,
  AI_SERVICES,
  aiManifests,
  AiService,
  OpenWebuiSecrets,
  Placement,
  serviceUrl,
  ServiceManifests,
} from "./manifests";

export * from "./manifests";
export * from "./namespaces";

export interface VoicePipelineArgs {
  provider: k8s.Provider;
  /** The LabNamespace of each service (see aiNamespaces and pickAiNamespaces). */
  namespaces: Record<AiService, LabNamespace>;
  /** The general-purpose NFS class (nfs-csi-v2); pass the StorageClass's output so claims wait for it. */
  storageClass: pulumi.Input<string>;
  settings: AiSettings;
  accelerator: Accelerator;
  gpuNodes: NodeSpec[];
  /** Open WebUI's Secrets in its namespace (see openWebuiSecretsFrom). */
  openWebuiSecrets: OpenWebuiSecrets;
  /** Open WebUI's HTTPS URL (the ingress layer's), when the stack has one. */
  openWebuiUrl?: string;
  /** What must exist before Open WebUI starts, e.g. the ExternalSecrets that create its Secrets. */
  openWebuiDependsOn?: pulumi.Input<pulumi.Resource>[];
  /** What must exist before GPU pods start: the GPU operator (device plugin, RuntimeClass nvidia). */
  gpuDependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** The LabNamespaces of the AI services, picked from createNamespaces' result by name. */
export function pickAiNamespaces(all: Record<string, LabNamespace>): Record<AiService, LabNamespace> {
  const missing = AI_SERVICES.filter((s) => !all[AI_NAMESPACES[s]]).map((s) => AI_NAMESPACES[s]);
  if (missing.length > 0) {
    throw new Error(`VoicePipeline needs the namespaces ${missing.join(", ")}; include aiNamespaces(config) in createNamespaces`);
  }
  return Object.fromEntries(AI_SERVICES.map((s) => [s, all[AI_NAMESPACES[s]]])) as Record<AiService, LabNamespace>;
}

/**
 * Open WebUI's secret references from the secrets layer's refs for its namespace
 * (`secrets.refs("open-webui")`): WEBUI_SECRET_KEY and the first administrator's
 * WEBUI_ADMIN_EMAIL and WEBUI_ADMIN_PASSWORD are required; DATABASE_URL is there when the stack
 * declares the openwebui database.
 */
export function openWebuiSecretsFrom(refs: Record<string, { name: string; keys: string[] }>): OpenWebuiSecrets {
  const find = (key: string) => {
    const ref = Object.values(refs).find((r) => r.keys.includes(key));
    return ref ? { name: ref.name, key } : undefined;
  };
  const require = (key: string) => {
    const ref = find(key);
    if (!ref) throw new Error(`no Secret in open-webui holds ${key} (have: ${Object.keys(refs).join(", ") || "none"}); the secrets catalogue must declare it`);
    return ref;
  };
  const secretKey = require("WEBUI_SECRET_KEY");
  const admin = { email: require("WEBUI_ADMIN_EMAIL"), password: require("WEBUI_ADMIN_PASSWORD") };
  const databaseUrl = find("DATABASE_URL");
  return databaseUrl ? { secretKey, admin, databaseUrl } : { secretKey, admin };
}

export interface PipelineServiceArgs {
  provider: k8s.Provider;
  manifests: ServiceManifests;
  /** Extra resources the Deployment waits for. */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

/** One service of the pipeline: its claim, Deployment, Service, autoscaler and jobs. */
export class PipelineService extends pulumi.ComponentResource {
  readonly deployment: k8s.apps.v1.Deployment;
  readonly service: k8s.core.v1.Service;
  readonly claim?: k8s.core.v1.PersistentVolumeClaim;

  constructor(name: string, args: PipelineServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:ai:PipelineService", name, {}, opts);
    const { provider, manifests: m } = args;
    const childOpts = { parent: this, provider };

    if (m.claim) {
      const { keep, ...claim } = m.claim;
      // Claims holding what cannot simply be downloaded again (chat history, 200 GB of models):
      // protect stops `pulumi destroy` and any replacement before the claim is deleted (note that
      // retainOnDelete alone would not save it: deleting the namespace deletes its claims);
      // retainOnDelete leaves the claim in the cluster if it is ever unprotected and dropped from
      // the program. Caches (Whisper models, Piper voices) are re-downloaded and not kept.
      this.claim = new k8s.core.v1.PersistentVolumeClaim(`${name}-data`, claim, {
        ...childOpts,
        ...(keep ? { protect: true, retainOnDelete: true } : {}),
      });
    }
    const timeout = `${m.rolloutTimeoutMinutes}m`;
    this.deployment = new k8s.apps.v1.Deployment(name, m.deployment, {
      ...childOpts,
      dependsOn: [...(this.claim ? [this.claim] : []), ...(args.dependsOn ?? [])],
      customTimeouts: { create: timeout, update: timeout },
    });
    this.service = new k8s.core.v1.Service(name, m.svc, childOpts);
    if (m.autoscaler) {
      new k8s.autoscaling.v2.HorizontalPodAutoscaler(name, m.autoscaler, { ...childOpts, dependsOn: [this.deployment] });
    }
    // Jobs talk to the running service, so they start after its rollout.
    for (const job of m.jobs) {
      new k8s.batch.v1.Job(`${name}-${job.id}`, { metadata: job.metadata, spec: job.spec }, { ...childOpts, dependsOn: [this.deployment, this.service] });
    }
    for (const cron of m.cronJobs) {
      new k8s.batch.v1.CronJob(`${name}-${cron.id}`, { metadata: cron.metadata, spec: cron.spec }, { ...childOpts, dependsOn: [this.service] });
    }
    this.registerOutputs({ deployment: this.deployment.metadata.name, service: this.service.metadata.name });
  }
}

/** The AI voice pipeline. */
export class VoicePipeline extends pulumi.ComponentResource {
  /** In-cluster URL of each service (http:// for Ollama and Open WebUI, tcp:// for Wyoming). */
  readonly urls: Record<AiService, string>;
  readonly services: Record<AiService, PipelineService>;

  constructor(name: string, args: VoicePipelineArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:ai:VoicePipeline", name, {}, opts);
    const { provider, namespaces } = args;

    const placements = Object.fromEntries(AI_SERVICES.map((s): [AiService, Placement] => {
      const ns = namespaces[s];
      if (!ns) throw new Error(`VoicePipeline: no namespace given for ${s} (expected "${AI_NAMESPACES[s]}")`);
      if (!ns.serviceAccountName) throw new Error(`VoicePipeline: namespace "${ns.spec.name}" has no workload service account; declare it with aiNamespaces(config)`);
      return [s, { namespaceName: ns.spec.name, namespace: ns.name, serviceAccountName: ns.serviceAccountName }];
    })) as Record<AiService, Placement>;

    const manifests = aiManifests({
      settings: args.settings,
      accelerator: args.accelerator,
      gpuNodes: args.gpuNodes,
      storageClass: args.storageClass,
      placements,
      openWebuiSecrets: args.openWebuiSecrets,
      openWebuiUrl: args.openWebuiUrl,
    });

    const gpu = args.accelerator === "nvidia";
    const extraDependencies: Partial<Record<AiService, pulumi.Input<pulumi.Resource>[]>> = {
      openWebui: args.openWebuiDependsOn,
      ...(gpu ? { ollama: args.gpuDependsOn, whisper: args.gpuDependsOn } : {}),
    };
    const services = {} as Record<AiService, PipelineService>;
    for (const m of manifests) {
      services[m.service] = new PipelineService(`${name}-${placements[m.service].namespaceName}`, {
        provider,
        manifests: m,
        dependsOn: extraDependencies[m.service],
      }, { parent: this, provider });
    }
    this.services = services;
    this.urls = Object.fromEntries(AI_SERVICES.map((s) => [s, serviceUrl(s, placements[s].namespaceName)])) as Record<AiService, string>;

    this.registerOutputs({ urls: this.urls });
  }
}
