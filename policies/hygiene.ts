// Workload hygiene: pinned images, resource requests and limits, health probes, and no service
// account token where the pod does not call the API. Applies to every workload kind (Pod templates
// of Deployments, StatefulSets, DaemonSets, ReplicaSets, ReplicationControllers, Jobs, CronJobs).
import { allContainers, asObject, describeContainer, exemptionsSchema, isExempt, kindOf, knownString, namespaceOf, objectName, podTemplate } from "./lib/k8s";
import { Exemption as ExemptionType, Finding, HomelabPolicy, PlainResource, ResourcePolicy, StackPolicy, UNKNOWN } from "./lib/types";

export interface ExemptionsConfig {
  exemptions: ExemptionType[];
}

/** Why an image reference is not reproducible, or undefined when it is pinned (a non-latest tag or a digest). */
export function imagePinProblem(image: string): string | undefined {
  if (image === UNKNOWN) return undefined;
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return undefined;
  if (image.includes("@")) return `"${image}" has a malformed digest (expected @sha256:<64 hex>)`;
  const lastSegment = image.slice(image.lastIndexOf("/") + 1);
  const colon = lastSegment.lastIndexOf(":");
  if (colon < 0) return `"${image}" has no tag (it means :latest)`;
  const tag = lastSegment.slice(colon + 1);
  if (tag === "" || tag.toLowerCase() === "latest") return `"${image}" uses the mutable tag "${tag || "(empty)"}"`;
  return undefined;
}

const exemptionsOnly = { properties: { exemptions: exemptionsSchema } };

export const imagePinnedPolicy: ResourcePolicy<ExemptionsConfig> = {
  scope: "resource",
  name: "workload-image-pinned",
  description: "Every container image is pinned: a tag other than latest, or a sha256 digest.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Pin the image in components/versions.ts (a release tag, ideally with its @sha256 digest) and reference it from there.",
  tags: ["kubernetes", "supply-chain"],
  configSchema: exemptionsOnly,
  check(r, config) {
    const pod = podTemplate(r);
    if (!pod || isExempt(r, config.exemptions)) return [];
    const out: string[] = [];
    for (const ref of allContainers(pod.spec)) {
      const image = knownString(ref.container.image);
      if (image === undefined) {
        if (ref.container.image === undefined) out.push(`${describeContainer(ref)} names no image`);
        continue;
      }
      const problem = imagePinProblem(image);
      if (problem) out.push(`${describeContainer(ref)}: ${problem}`);
    }
    return out;
  },
};

export interface ResourcesConfig extends ExemptionsConfig {
  requireCpuLimit: boolean;
}

/** What a container's resources block lacks (requests cpu+memory, limits memory, and cpu when required). */
export function missingResources(container: Record<string, unknown>, requireCpuLimit: boolean): string[] {
  const resources = asObject(container.resources);
  const requests = asObject(resources.requests);
  const limits = asObject(resources.limits);
  const missing: string[] = [];
  if (requests.cpu == null) missing.push("requests.cpu");
  if (requests.memory == null) missing.push("requests.memory");
  if (requireCpuLimit && limits.cpu == null) missing.push("limits.cpu");
  if (limits.memory == null) missing.push("limits.memory");
  return missing;
}

export const resourcesPolicy: ResourcePolicy<ResourcesConfig> = {
  scope: "resource",
  name: "workload-resources",
  description: "Containers and init containers declare CPU and memory requests and limits, so the namespace quota and the scheduler can account for them.",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps: "Set resources.requests (cpu, memory) and resources.limits (memory, and cpu unless requireCpuLimit is false) on every container and init container.",
  tags: ["kubernetes", "reliability"],
  configSchema: {
    properties: {
      exemptions: exemptionsSchema,
      requireCpuLimit: { type: "boolean", default: true, description: "Also require limits.cpu (the namespace quotas cap limits.cpu)." },
    },
  },
  check(r, config) {
    const pod = podTemplate(r);
    if (!pod || isExempt(r, config.exemptions)) return [];
    return allContainers(pod.spec)
      .filter((ref) => ref.list !== "ephemeralContainers") // ephemeral containers cannot declare resources
      .flatMap((ref) => {
        const missing = missingResources(ref.container, config.requireCpuLimit);
        return missing.length ? [`${describeContainer(ref)} has no ${missing.join(", ")}`] : [];
      });
  },
};

/** Run-to-completion kinds: readiness and liveness probes do not apply to them. */
const BATCH_KINDS = ["Job", "CronJob"];

export const probesPolicy: ResourcePolicy<ExemptionsConfig> = {
  scope: "resource",
  name: "workload-probes",
  description: "Long-running containers declare readiness and liveness probes (Jobs and CronJobs, init and ephemeral containers are not checked).",
  enforcementLevel: "advisory",
  severity: "low",
  remediationSteps: "Add readinessProbe and livenessProbe (httpGet, tcpSocket, grpc or exec) to every container; for slow starters add a startupProbe.",
  tags: ["kubernetes", "reliability"],
  configSchema: exemptionsOnly,
  check(r, config) {
    const pod = podTemplate(r);
    if (!pod || BATCH_KINDS.includes(kindOf(r) ?? "") || isExempt(r, config.exemptions)) return [];
    return allContainers(pod.spec)
      .filter((ref) => ref.list === "containers")
      .flatMap((ref) => {
        const missing = (["readinessProbe", "livenessProbe"] as const).filter((p) => ref.container[p] == null);
        return missing.length ? [`${describeContainer(ref)} has no ${missing.join(" or ")}`] : [];
      });
  },
};

/**
 * Whether a pod gets a service-account token: the pod's own setting wins; when it is unset, the
 * ServiceAccount's (found among the resources) decides; Kubernetes mounts by default.
 */
export function tokenMounted(r: PlainResource, resources: PlainResource[]): { mounted: boolean; why: string } {
  const pod = podTemplate(r);
  if (!pod) return { mounted: false, why: "not a workload" };
  const own = pod.spec.automountServiceAccountToken;
  if (own === false) return { mounted: false, why: "the pod sets automountServiceAccountToken: false" };
  if (own === true) return { mounted: true, why: "the pod sets automountServiceAccountToken: true" };
  const accountName = knownString(pod.spec.serviceAccountName) ?? knownString(pod.spec.serviceAccount) ?? "default";
  const namespace = namespaceOf(r);
  const account = resources.find((a) => a.type === "kubernetes:core/v1:ServiceAccount" && objectName(a) === accountName && namespaceOf(a) === namespace);
  if (account?.props.automountServiceAccountToken === false) return { mounted: false, why: `ServiceAccount "${accountName}" disables automount` };
  return { mounted: true, why: `neither the pod nor ServiceAccount "${accountName}"${account ? "" : " (not among the resources)"} disables automount` };
}

export const serviceAccountTokenPolicy: StackPolicy<ExemptionsConfig> = {
  scope: "stack",
  name: "workload-service-account-token",
  description: "Pods do not get a Kubernetes API token unless they need one: automountServiceAccountToken is false on the pod or its ServiceAccount, except for declared API clients.",
  enforcementLevel: "mandatory",
  severity: "medium",
  remediationSteps: "Set automountServiceAccountToken: false on the pod spec (or its ServiceAccount). Operators and controllers that call the API: add an exemption with a reason to workload-service-account-token in policies/config/<stack>.json.",
  tags: ["kubernetes", "least-privilege"],
  configSchema: exemptionsOnly,
  check(resources, config) {
    const findings: Finding[] = [];
    for (const r of resources) {
      if (!podTemplate(r) || isExempt(r, config.exemptions)) continue;
      const { mounted, why } = tokenMounted(r, resources);
      if (mounted) findings.push({ resource: r, message: `the pod gets a service-account token: ${why}` });
    }
    return findings;
  },
};

export const hygienePolicies: HomelabPolicy[] = [imagePinnedPolicy, resourcesPolicy, probesPolicy, serviceAccountTokenPolicy];
