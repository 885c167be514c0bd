// The real dev and staging stack configs, parsed exactly as the program parses them, plus plain
// placements so the pure builders can be called without the Pulumi runtime.
import type * as k8s from "@pulumi/kubernetes";
import { HomelabConfig } from "../../components/config";
import { AI_NAMESPACES, AI_SERVICES, AiInputs, AiService, Placement, ServiceManifests } from "../../components/ai/manifests";

export { rawStack, stackConfig } from "../helpers/stacks";

export function placements(): Record<AiService, Placement> {
  return Object.fromEntries(AI_SERVICES.map((s) => [s, {
    namespaceName: AI_NAMESPACES[s],
    namespace: AI_NAMESPACES[s],
    serviceAccountName: AI_NAMESPACES[s],
  }])) as Record<AiService, Placement>;
}

export function inputs(config: HomelabConfig): AiInputs {
  return {
    settings: config.ai,
    accelerator: config.accelerator,
    gpuNodes: config.gpuNodes,
    storageClass: "nfs-csi-v2",
    placements: placements(),
    openWebuiSecrets: {
      secretKey: { name: "secret-key", key: "WEBUI_SECRET_KEY" },
      admin: OPEN_WEBUI_ADMIN,
      databaseUrl: { name: "database-url", key: "DATABASE_URL" },
    },
  };
}

/** Open WebUI's first administrator, as the secrets catalogue's open-webui/admin entry provides it. */
export const OPEN_WEBUI_ADMIN = {
  email: { name: "admin", key: "WEBUI_ADMIN_EMAIL" },
  password: { name: "admin", key: "WEBUI_ADMIN_PASSWORD" },
};

// The builders return Pulumi input types; in these tests every value is plain, so read them as
// the (plain) output types.
type PodSpec = k8s.types.output.core.v1.PodSpec;
export type Container = k8s.types.output.core.v1.Container;

export function podSpec(m: ServiceManifests): PodSpec {
  return (m.deployment.spec as unknown as k8s.types.output.apps.v1.DeploymentSpec).template.spec;
}
export function deploymentSpec(m: ServiceManifests): k8s.types.output.apps.v1.DeploymentSpec {
  return m.deployment.spec as unknown as k8s.types.output.apps.v1.DeploymentSpec;
}
export function mainContainer(m: ServiceManifests): Container {
  return podSpec(m).containers[0];
}
export function allPods(m: ServiceManifests): PodSpec[] {
  const pods: PodSpec[] = [podSpec(m)];
  for (const job of m.jobs) pods.push((job.spec as unknown as k8s.types.output.batch.v1.JobSpec).template.spec);
  for (const cron of m.cronJobs) pods.push((cron.spec as unknown as k8s.types.output.batch.v1.CronJobSpec).jobTemplate.spec.template.spec);
  return pods;
}
/** Every container of a service: init and main containers of its Deployment, Job and CronJob pods. */
export function allContainers(m: ServiceManifests): Container[] {
  return allPods(m).flatMap((p) => [...(p.initContainers ?? []), ...p.containers]);
}
export function serviceSpec(m: ServiceManifests): k8s.types.output.core.v1.ServiceSpec {
  return m.svc.spec as unknown as k8s.types.output.core.v1.ServiceSpec;
}
