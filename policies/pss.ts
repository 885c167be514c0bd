// Pod Security Standards: one policy per upstream check, plus the policy that decides who may run
// privileged. Each check is a stack policy because the level it enforces comes from another
// resource: the Namespace (same stack) whose `pod-security.kubernetes.io/enforce` label names it.
// Workloads in namespaces the stack does not declare, or with no namespace, get restricted.
import { exemptionsSchema, isExempt, namespaceOf, objectName, podTemplate } from "./lib/k8s";
import {
  checkApplies,
  ENFORCE_LABEL,
  isNamespace,
  LATEST_MINOR,
  namespacePolicies,
  namespacePolicyFromLabels,
  policyForNamespace,
  pssCheck,
  runPssCheck,
} from "./lib/pss";
import { Exemption, Finding, HomelabPolicy, ResourcePolicy, Severity, StackPolicy } from "./lib/types";

export interface PssConfig {
  exemptions: Exemption[];
}

interface CheckSpec {
  id: string;
  name: string;
  severity: Severity;
  description: string;
  remediationSteps: string;
}

const CHECKS: CheckSpec[] = [
  {
    id: "hostNamespaces", name: "pss-host-namespaces", severity: "critical",
    description: "Pods must not share the node's network, PID or IPC namespace (hostNetwork, hostPID, hostIPC).",
    remediationSteps: "Remove hostNetwork/hostPID/hostIPC (or set them to false). If the workload truly needs the node's namespaces, run it in a namespace declared privileged in the pack config.",
  },
  {
    id: "privileged", name: "pss-privileged", severity: "critical",
    description: "Containers must not run privileged.",
    remediationSteps: "Remove securityContext.privileged (or set it to false) on every container, init container and ephemeral container; grant only the specific capability needed.",
  },
  {
    id: "capabilities_baseline", name: "pss-capabilities-baseline", severity: "high",
    description: "Containers may add only the default runtime capabilities (AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD, NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT).",
    remediationSteps: "Remove the extra entries from securityContext.capabilities.add (names are matched exactly, without a CAP_ prefix).",
  },
  {
    id: "hostPathVolumes", name: "pss-host-path-volumes", severity: "high",
    description: "Pods must not mount hostPath volumes.",
    remediationSteps: "Replace hostPath volumes with a PersistentVolumeClaim, emptyDir, configMap or secret volume.",
  },
  {
    id: "hostPorts", name: "pss-host-ports", severity: "medium",
    description: "Containers must not bind host ports.",
    remediationSteps: "Remove ports[*].hostPort (or set it to 0) and expose the port through a Service instead.",
  },
  {
    id: "hostProbesAndHostLifecycle", name: "pss-host-probes-and-host-lifecycle", severity: "medium",
    description: "Probes and lifecycle hooks must not target another host (httpGet.host / tcpSocket.host must be empty); policy version 1.34 and later.",
    remediationSteps: "Remove the host field from httpGet and tcpSocket in livenessProbe, readinessProbe, startupProbe and lifecycle.postStart/preStop, so they target the pod itself.",
  },
  {
    id: "windowsHostProcess", name: "pss-windows-host-process", severity: "critical",
    description: "Pods must not run Windows HostProcess containers.",
    remediationSteps: "Remove windowsOptions.hostProcess (or set it to false) at pod and container level.",
  },
  {
    id: "appArmorProfile", name: "pss-apparmor-profile", severity: "high",
    description: "AppArmor must not be disabled: profile types must be RuntimeDefault or Localhost, annotations runtime/default or localhost/*.",
    remediationSteps: "Set securityContext.appArmorProfile.type to RuntimeDefault (or Localhost with a loaded profile), or remove it; fix any container.apparmor.security.beta.kubernetes.io/* annotation.",
  },
  {
    id: "seLinuxOptions", name: "pss-selinux-options", severity: "high",
    description: "SELinux options must not set a custom user or role, and the type must be one of container_t, container_init_t, container_kvm_t (or container_engine_t from 1.31).",
    remediationSteps: "Remove seLinuxOptions.user and .role, and use an allowed type (or none) at pod and container level.",
  },
  {
    id: "procMount", name: "pss-proc-mount", severity: "high",
    description: "Containers must use the default /proc mount (user-namespace pods are exempt from 1.35).",
    remediationSteps: "Remove securityContext.procMount or set it to Default; Unmasked needs a user-namespace pod (hostUsers: false) and the baseline level.",
  },
  {
    id: "seccompProfile_baseline", name: "pss-seccomp-profile-baseline", severity: "high",
    description: "Seccomp must not be disabled: where a profile type is set it must be RuntimeDefault or Localhost.",
    remediationSteps: "Set securityContext.seccompProfile.type to RuntimeDefault (or Localhost) instead of Unconfined.",
  },
  {
    id: "sysctls", name: "pss-sysctls", severity: "high",
    description: "Pods may set only the namespaced, safe sysctls of the policy version.",
    remediationSteps: "Remove unsafe entries from spec.securityContext.sysctls; tune the node instead if the setting is really needed.",
  },
  {
    id: "restrictedVolumes", name: "pss-restricted-volumes", severity: "medium",
    description: "Pods may use only configMap, csi, downwardAPI, emptyDir, ephemeral, image, persistentVolumeClaim, projected and secret volumes.",
    remediationSteps: "Replace the volume (nfs, hostPath, ...) with a PersistentVolumeClaim backed by a StorageClass (e.g. nfs-csi-v2).",
  },
  {
    id: "allowPrivilegeEscalation", name: "pss-allow-privilege-escalation", severity: "high",
    description: "Every container must set securityContext.allowPrivilegeEscalation to false (Windows pods exempt from 1.25).",
    remediationSteps: "Set securityContext.allowPrivilegeEscalation: false on every container, init container and ephemeral container.",
  },
  {
    id: "runAsNonRoot", name: "pss-run-as-non-root", severity: "high",
    description: "Containers must run as non-root: runAsNonRoot true at pod level or on every container, and never false (user-namespace pods exempt from 1.35).",
    remediationSteps: "Set spec.securityContext.runAsNonRoot: true (and a non-zero runAsUser if the image's user is root); remove any runAsNonRoot: false.",
  },
  {
    id: "runAsUser", name: "pss-run-as-user", severity: "high",
    description: "Pods and containers must not set runAsUser to 0 (user-namespace pods exempt from 1.35).",
    remediationSteps: "Set runAsUser to a non-zero UID, or leave it unset and let runAsNonRoot reject root images.",
  },
  {
    id: "seccompProfile_restricted", name: "pss-seccomp-profile-restricted", severity: "medium",
    description: "Seccomp must be RuntimeDefault or Localhost, set at pod level or on every container (Windows pods exempt from 1.25).",
    remediationSteps: "Set spec.securityContext.seccompProfile.type: RuntimeDefault and remove any container-level Unconfined.",
  },
  {
    id: "capabilities_restricted", name: "pss-capabilities-restricted", severity: "medium",
    description: "Containers must drop ALL capabilities and may add back only NET_BIND_SERVICE (Windows pods exempt from 1.25).",
    remediationSteps: "Set securityContext.capabilities.drop: [\"ALL\"] on every container, and add at most NET_BIND_SERVICE.",
  },
  {
    id: "procMount_restricted", name: "pss-proc-mount-restricted", severity: "medium",
    description: "Containers must use the default /proc mount, user-namespace pods included; policy version 1.35 and later.",
    remediationSteps: "Remove securityContext.procMount or set it to Default.",
  },
];

export const PSS_FRAMEWORK = {
  name: "Kubernetes Pod Security Standards",
  version: `v1.${LATEST_MINOR}`,
  reference: "https://kubernetes.io/docs/concepts/security/pod-security-standards/",
};

/** One stack policy for one upstream check. */
export function pssPolicy(spec: CheckSpec): StackPolicy<PssConfig> {
  const check = pssCheck(spec.id);
  return {
    scope: "stack",
    name: spec.name,
    description: `Pod Security Standards (${check.level}) ${spec.id}: ${spec.description}`,
    enforcementLevel: "mandatory",
    severity: spec.severity,
    remediationSteps: spec.remediationSteps,
    framework: { ...PSS_FRAMEWORK, specification: spec.id },
    pss: { level: check.level, check: spec.id },
    tags: ["kubernetes", "pod-security", check.level],
    configSchema: { properties: { exemptions: exemptionsSchema } },
    check(resources, config) {
      const declared = namespacePolicies(resources);
      const findings: Finding[] = [];
      for (const r of resources) {
        const pod = podTemplate(r);
        if (!pod || isExempt(r, config.exemptions)) continue;
        const namespace = namespaceOf(r);
        const ns = policyForNamespace(namespace, declared);
        if (!checkApplies(check, ns.level, ns.minor)) continue;
        const where = namespace === undefined ? "no namespace: restricted applies" : `namespace "${namespace}" enforces ${ns.level} at v1.${ns.minor}`;
        for (const reason of runPssCheck(spec.id, pod, ns.minor)) findings.push({ resource: r, message: `${reason} (${where})` });
      }
      return findings;
    },
  };
}

export interface NamespaceLevelConfig {
  privilegedNamespaces: { name: string; reason: string }[];
}

/** The gate on `privileged`: a namespace may declare it only when the stack's pack config names it. */
export const namespaceLevelPolicy: ResourcePolicy<NamespaceLevelConfig> = {
  scope: "resource",
  name: "pss-namespace-level",
  description: `Namespaces declare a valid ${ENFORCE_LABEL} level; privileged only where the pack config names the namespace (GPU operator, CSI node plugin, node collectors).`,
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps: "Label the namespace baseline or restricted; if it truly hosts node-level agents, add it to pss-namespace-level.privilegedNamespaces in policies/config/<stack>.json with a reason.",
  framework: { ...PSS_FRAMEWORK, specification: "namespace labels" },
  tags: ["kubernetes", "pod-security"],
  types: ["kubernetes:core/v1:Namespace"],
  configSchema: {
    properties: {
      privilegedNamespaces: {
        type: "array",
        description: "Namespaces allowed to enforce the privileged level, each with a reason.",
        default: [],
        items: {
          type: "object",
          properties: { name: { type: "string", minLength: 1 }, reason: { type: "string", minLength: 10 } },
          required: ["name", "reason"],
          additionalProperties: false,
        },
      },
    },
  },
  check(r, config) {
    if (!isNamespace(r)) return [];
    const name = objectName(r);
    const labels = (r.props.metadata as { labels?: Record<string, unknown> } | undefined)?.labels ?? {};
    const ns = namespacePolicyFromLabels(labels);
    const messages = [...ns.problems];
    if (ns.level === "privileged" && !config.privilegedNamespaces.some((p) => p.name === name)) {
      messages.push(`namespace "${name}" enforces privileged, but the pack config does not list it in privilegedNamespaces`);
    }
    return messages;
  },
};

export const pssPolicies: HomelabPolicy[] = [namespaceLevelPolicy, ...CHECKS.map(pssPolicy)];

/** Every check's ID → policy name (tests and docs use it). */
export const PSS_POLICY_NAMES: Record<string, string> = Object.fromEntries(CHECKS.map((c) => [c.id, c.name]));
