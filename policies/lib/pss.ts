// The Kubernetes Pod Security Standards as pure functions: every check of the pod-security-admission
// library (baseline and restricted), with its version history, and how a namespace's labels decide
// the level and version that apply. Written from the upstream behaviour, not copied from it.
import { allContainers, asArray, asObject, ContainerRef, describeContainer, isObject, objectName, Obj } from "./k8s";
import { PlainResource, PodSecurityLevel } from "./types";

/**
 * The newest policy version this pack models: Kubernetes 1.36, what the stacks' K3s release runs.
 * `latest` and any newer label are clamped to it, as the admission library clamps to what it knows.
 */
export const LATEST_MINOR = 36;

export const ENFORCE_LABEL = "pod-security.kubernetes.io/enforce";
export const ENFORCE_VERSION_LABEL = "pod-security.kubernetes.io/enforce-version";

export type CheckLevel = "baseline" | "restricted";

export interface PodInput {
  metadata: Obj;
  spec: Obj;
}

type CheckFn = (pod: PodInput) => string[];

export interface PssCheck {
  id: string;
  level: CheckLevel;
  /** Implementations by minimum policy version (minor of 1.x), oldest first. */
  revisions: { minMinor: number; check: CheckFn }[];
  /** At restricted, this check replaces the named baseline check (when it is active at that version). */
  overrides?: string;
}

// ---- helpers -------------------------------------------------------------------------------------

const podSecurityContext = (pod: PodInput): Obj => asObject(pod.spec.securityContext);
const containerSecurityContext = (ref: ContainerRef): Obj | undefined =>
  isObject(ref.container.securityContext) ? ref.container.securityContext : undefined;
const isWindows = (pod: PodInput): boolean => asObject(pod.spec.os).name === "windows";
/** A user-namespace pod (`hostUsers: false`); from 1.35 it relaxes a few checks. */
const isUserNamespacePod = (pod: PodInput): boolean => pod.spec.hostUsers === false;
const list = (items: string[]): string => items.join(", ");
const quoted = (items: string[]): string => items.map((i) => `"${i}"`).join(", ");

/** Runs `bad` on every container; returns one reason naming the failing ones. */
function perContainer(pod: PodInput, what: string, bad: (ref: ContainerRef) => string | undefined): string[] {
  const failures: string[] = [];
  for (const ref of allContainers(pod.spec)) {
    const detail = bad(ref);
    if (detail !== undefined) failures.push(detail ? `${describeContainer(ref)} (${detail})` : describeContainer(ref));
  }
  return failures.length ? [`${what}: ${list(failures)}`] : [];
}

const skipWhen = (skip: (pod: PodInput) => boolean, check: CheckFn): CheckFn => (pod) => (skip(pod) ? [] : check(pod));

// ---- baseline ------------------------------------------------------------------------------------

const hostNamespaces: CheckFn = (pod) => {
  const on = (["hostNetwork", "hostPID", "hostIPC"] as const).filter((k) => pod.spec[k] === true);
  return on.length ? [`host namespaces are shared (${on.map((k) => `${k}=true`).join(", ")})`] : [];
};

const privileged: CheckFn = (pod) =>
  perContainer(pod, "privileged containers", (ref) => (containerSecurityContext(ref)?.privileged === true ? "" : undefined));

export const BASELINE_CAPABILITIES = [
  "AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
  "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT",
];

const addedCapabilities = (ref: ContainerRef): string[] =>
  asArray(asObject(containerSecurityContext(ref)?.capabilities).add).map(String);

const capabilitiesBaseline: CheckFn = (pod) =>
  perContainer(pod, "capabilities beyond the baseline set are added", (ref) => {
    const extra = addedCapabilities(ref).filter((c) => !BASELINE_CAPABILITIES.includes(c));
    return extra.length ? quoted(extra) : undefined;
  });

const hostPathVolumes: CheckFn = (pod) => {
  const names = asArray(pod.spec.volumes).map(asObject).filter((v) => v.hostPath != null).map((v) => String(v.name));
  return names.length ? [`hostPath volumes are used (${quoted(names)})`] : [];
};

const hostPorts: CheckFn = (pod) =>
  perContainer(pod, "host ports are opened", (ref) => {
    const ports = asArray(ref.container.ports).map(asObject).map((p) => p.hostPort).filter((p) => p != null && p !== 0);
    return ports.length ? ports.join(", ") : undefined;
  });

const hostProbesAndHostLifecycle: CheckFn = (pod) =>
  perContainer(pod, "probes or lifecycle hooks target another host", (ref) => {
    const found: string[] = [];
    const handlers: [string, unknown][] = [
      ["livenessProbe", ref.container.livenessProbe],
      ["readinessProbe", ref.container.readinessProbe],
      ["startupProbe", ref.container.startupProbe],
      ["lifecycle.postStart", asObject(ref.container.lifecycle).postStart],
      ["lifecycle.preStop", asObject(ref.container.lifecycle).preStop],
    ];
    for (const [where, handler] of handlers) {
      for (const kind of ["httpGet", "tcpSocket"]) {
        const host = asObject(asObject(handler)[kind]).host;
        if (typeof host === "string" && host !== "") found.push(`${where}.${kind}.host="${host}"`);
      }
    }
    return found.length ? list(found) : undefined;
  });

const windowsHostProcess: CheckFn = (pod) => {
  const reasons: string[] = [];
  if (asObject(podSecurityContext(pod).windowsOptions).hostProcess === true) reasons.push("pod");
  for (const ref of allContainers(pod.spec)) {
    if (asObject(containerSecurityContext(ref)?.windowsOptions).hostProcess === true) reasons.push(describeContainer(ref));
  }
  return reasons.length ? [`Windows HostProcess is requested by ${list(reasons)}`] : [];
};

const APPARMOR_ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/";

const appArmorProfile: CheckFn = (pod) => {
  const bad: string[] = [];
  const okType = (t: unknown) => t === undefined || t === null || t === "RuntimeDefault" || t === "Localhost";
  const podType = asObject(podSecurityContext(pod).appArmorProfile).type;
  if (!okType(podType)) bad.push(`pod type "${podType}"`);
  for (const ref of allContainers(pod.spec)) {
    const t = asObject(containerSecurityContext(ref)?.appArmorProfile).type;
    if (!okType(t)) bad.push(`${describeContainer(ref)} type "${t}"`);
  }
  for (const [key, value] of Object.entries(asObject(pod.metadata.annotations))) {
    if (!key.startsWith(APPARMOR_ANNOTATION_PREFIX)) continue;
    const v = String(value ?? "");
    if (!(v === "" || v === "runtime/default" || v.startsWith("localhost/"))) bad.push(`annotation ${key}="${v}"`);
  }
  return bad.length ? [`AppArmor profile is not RuntimeDefault or Localhost: ${list(bad)}`] : [];
};

const seLinuxOptions = (allowEngine: boolean): CheckFn => (pod) => {
  const allowedTypes = ["", "container_t", "container_init_t", "container_kvm_t", ...(allowEngine ? ["container_engine_t"] : [])];
  const bad: string[] = [];
  const inspect = (who: string, options: unknown) => {
    if (!isObject(options)) return;
    const problems: string[] = [];
    if (options.type != null && !allowedTypes.includes(String(options.type))) problems.push(`type "${options.type}"`);
    if (options.user != null && options.user !== "") problems.push(`user "${options.user}"`);
    if (options.role != null && options.role !== "") problems.push(`role "${options.role}"`);
    if (problems.length) bad.push(`${who}: ${problems.join(", ")}`);
  };
  inspect("pod", podSecurityContext(pod).seLinuxOptions);
  for (const ref of allContainers(pod.spec)) inspect(describeContainer(ref), containerSecurityContext(ref)?.seLinuxOptions);
  return bad.length ? [`SELinux options are not allowed (${bad.join("; ")})`] : [];
};

const procMountDefault: CheckFn = (pod) =>
  perContainer(pod, "a non-default /proc mount is requested", (ref) => {
    const mount = containerSecurityContext(ref)?.procMount;
    return mount != null && mount !== "Default" ? `procMount "${mount}"` : undefined;
  });

const SECCOMP_OK_TYPES = ["RuntimeDefault", "Localhost"];
const SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod";
const SECCOMP_CONTAINER_ANNOTATION_PREFIX = "container.seccomp.security.alpha.kubernetes.io/";

const seccompBaselineAnnotations: CheckFn = (pod) => {
  const ok = (v: string) => v === "runtime/default" || v === "docker/default" || v.startsWith("localhost/");
  const bad: string[] = [];
  for (const [key, value] of Object.entries(asObject(pod.metadata.annotations))) {
    if ((key === SECCOMP_POD_ANNOTATION || key.startsWith(SECCOMP_CONTAINER_ANNOTATION_PREFIX)) && !ok(String(value))) {
      bad.push(`${key}="${value}"`);
    }
  }
  return bad.length ? [`seccomp profile annotations are not allowed (${list(bad)})`] : [];
};

const seccompType = (sc: Obj | undefined): unknown => asObject(sc?.seccompProfile).type;

const seccompBaselineFields: CheckFn = (pod) => {
  const bad: string[] = [];
  const podType = seccompType(podSecurityContext(pod));
  if (podType != null && !SECCOMP_OK_TYPES.includes(String(podType))) bad.push(`pod type "${podType}"`);
  for (const ref of allContainers(pod.spec)) {
    const t = seccompType(containerSecurityContext(ref));
    if (t != null && !SECCOMP_OK_TYPES.includes(String(t))) bad.push(`${describeContainer(ref)} type "${t}"`);
  }
  return bad.length ? [`seccomp profile is not RuntimeDefault or Localhost: ${list(bad)}`] : [];
};

export const SAFE_SYSCTLS: { minMinor: number; names: string[] }[] = [
  { minMinor: 0, names: ["kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start"] },
  { minMinor: 27, names: ["net.ipv4.ip_local_reserved_ports"] },
  { minMinor: 29, names: ["net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes"] },
  { minMinor: 32, names: ["net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"] },
  // Upstream master (first tagged in 1.37.0-alpha); only active once LATEST_MINOR reaches 37.
  { minMinor: 37, names: ["net.ipv4.tcp_slow_start_after_idle", "net.ipv4.tcp_notsent_lowat"] },
];

export function safeSysctls(minor: number): string[] {
  return SAFE_SYSCTLS.filter((s) => s.minMinor <= minor).flatMap((s) => s.names);
}

const sysctls = (minor: number): CheckFn => (pod) => {
  const safe = safeSysctls(minor);
  const bad = asArray(podSecurityContext(pod).sysctls).map((s) => String(asObject(s).name)).filter((n) => !safe.includes(n));
  return bad.length ? [`unsafe sysctls are set (${quoted(bad)})`] : [];
};

// ---- restricted ----------------------------------------------------------------------------------

export const RESTRICTED_VOLUME_SOURCES = [
  "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "image", "persistentVolumeClaim", "projected", "secret",
];
const KNOWN_VOLUME_SOURCES = [
  "hostPath", "nfs", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "iscsi", "glusterfs", "rbd", "flexVolume",
  "cinder", "cephfs", "flocker", "fc", "azureFile", "vsphereVolume", "quobyte", "azureDisk", "portworxVolume",
  "photonPersistentDisk", "scaleIO", "storageos",
];

const restrictedVolumes: CheckFn = (pod) => {
  const bad: string[] = [];
  for (const entry of asArray(pod.spec.volumes)) {
    const v = asObject(entry);
    const sources = Object.keys(v).filter((k) => k !== "name" && v[k] != null);
    // The API server defaults a volume with no source to emptyDir (SetDefaults_Volume), and
    // admission judges the defaulted pod. An entry that is not an object (unknown in a preview)
    // still fails below.
    if (isObject(entry) && sources.length === 0) continue;
    if (sources.some((s) => RESTRICTED_VOLUME_SOURCES.includes(s))) continue;
    const known = sources.filter((s) => KNOWN_VOLUME_SOURCES.includes(s));
    bad.push(`"${v.name}" (${known.length ? known.join(", ") : "unknown source"})`);
  }
  return bad.length ? [`volume types other than ${RESTRICTED_VOLUME_SOURCES.join("/")} are used: ${list(bad)}`] : [];
};

const allowPrivilegeEscalation: CheckFn = (pod) =>
  perContainer(pod, "allowPrivilegeEscalation is not set to false", (ref) =>
    containerSecurityContext(ref)?.allowPrivilegeEscalation === false ? undefined : "");

const runAsNonRoot: CheckFn = (pod) => {
  const reasons: string[] = [];
  const podValue = podSecurityContext(pod).runAsNonRoot;
  if (podValue === false) reasons.push("the pod sets runAsNonRoot=false");
  const explicitFalse: string[] = [];
  const unset: string[] = [];
  for (const ref of allContainers(pod.spec)) {
    const value = containerSecurityContext(ref)?.runAsNonRoot;
    if (value === false) explicitFalse.push(describeContainer(ref));
    else if (value !== true && podValue !== true) unset.push(describeContainer(ref));
  }
  if (explicitFalse.length) reasons.push(`${list(explicitFalse)} set runAsNonRoot=false`);
  if (unset.length) reasons.push(`neither the pod nor ${list(unset)} set runAsNonRoot=true`);
  return reasons.length ? [`containers may run as root: ${reasons.join("; ")}`] : [];
};

const runAsUser: CheckFn = (pod) => {
  const bad: string[] = [];
  if (podSecurityContext(pod).runAsUser === 0) bad.push("pod");
  for (const ref of allContainers(pod.spec)) if (containerSecurityContext(ref)?.runAsUser === 0) bad.push(describeContainer(ref));
  return bad.length ? [`runAsUser=0 (root) is set by ${list(bad)}`] : [];
};

const seccompRestricted: CheckFn = (pod) => {
  const reasons: string[] = [];
  const podType = seccompType(podSecurityContext(pod));
  let podValid = false;
  if (podType != null) {
    if (SECCOMP_OK_TYPES.includes(String(podType))) podValid = true;
    else reasons.push(`the pod sets seccompProfile.type "${podType}"`);
  }
  const badContainers: string[] = [];
  const unsetContainers: string[] = [];
  for (const ref of allContainers(pod.spec)) {
    const t = seccompType(containerSecurityContext(ref));
    if (t != null) {
      if (!SECCOMP_OK_TYPES.includes(String(t))) badContainers.push(`${describeContainer(ref)} "${t}"`);
    } else if (!podValid) unsetContainers.push(describeContainer(ref));
  }
  if (badContainers.length) reasons.push(`containers set seccompProfile.type ${list(badContainers)}`);
  if (unsetContainers.length) reasons.push(`neither the pod nor ${list(unsetContainers)} set seccompProfile.type to RuntimeDefault or Localhost`);
  return reasons.length ? [`seccomp profile is missing or not allowed: ${reasons.join("; ")}`] : [];
};

const capabilitiesRestricted: CheckFn = (pod) => {
  const notDropped: string[] = [];
  const added: string[] = [];
  for (const ref of allContainers(pod.spec)) {
    const caps = asObject(containerSecurityContext(ref)?.capabilities);
    if (!asArray(caps.drop).includes("ALL")) notDropped.push(describeContainer(ref));
    const extra = asArray(caps.add).map(String).filter((c) => c !== "NET_BIND_SERVICE");
    if (extra.length) added.push(`${describeContainer(ref)} (${quoted(extra)})`);
  }
  const reasons: string[] = [];
  if (notDropped.length) reasons.push(`${list(notDropped)} must drop ALL capabilities`);
  if (added.length) reasons.push(`only NET_BIND_SERVICE may be added: ${list(added)}`);
  return reasons.length ? [`unrestricted capabilities: ${reasons.join("; ")}`] : [];
};

// ---- the registry --------------------------------------------------------------------------------

export const PSS_CHECKS: PssCheck[] = [
  { id: "hostNamespaces", level: "baseline", revisions: [{ minMinor: 0, check: hostNamespaces }] },
  { id: "privileged", level: "baseline", revisions: [{ minMinor: 0, check: privileged }] },
  { id: "capabilities_baseline", level: "baseline", revisions: [{ minMinor: 0, check: capabilitiesBaseline }] },
  { id: "hostPathVolumes", level: "baseline", revisions: [{ minMinor: 0, check: hostPathVolumes }] },
  { id: "hostPorts", level: "baseline", revisions: [{ minMinor: 0, check: hostPorts }] },
  { id: "hostProbesAndHostLifecycle", level: "baseline", revisions: [{ minMinor: 34, check: hostProbesAndHostLifecycle }] },
  { id: "windowsHostProcess", level: "baseline", revisions: [{ minMinor: 0, check: windowsHostProcess }] },
  { id: "appArmorProfile", level: "baseline", revisions: [{ minMinor: 0, check: appArmorProfile }] },
  {
    id: "seLinuxOptions", level: "baseline",
    revisions: [{ minMinor: 0, check: seLinuxOptions(false) }, { minMinor: 31, check: seLinuxOptions(true) }],
  },
  {
    id: "procMount", level: "baseline",
    revisions: [{ minMinor: 0, check: procMountDefault }, { minMinor: 35, check: skipWhen(isUserNamespacePod, procMountDefault) }],
  },
  {
    id: "seccompProfile_baseline", level: "baseline",
    revisions: [{ minMinor: 0, check: seccompBaselineAnnotations }, { minMinor: 19, check: seccompBaselineFields }],
  },
  { id: "sysctls", level: "baseline", revisions: [0, 27, 29, 32, 37].map((m) => ({ minMinor: m, check: sysctls(m) })) },
  { id: "restrictedVolumes", level: "restricted", overrides: "hostPathVolumes", revisions: [{ minMinor: 0, check: restrictedVolumes }] },
  {
    id: "allowPrivilegeEscalation", level: "restricted",
    revisions: [{ minMinor: 8, check: allowPrivilegeEscalation }, { minMinor: 25, check: skipWhen(isWindows, allowPrivilegeEscalation) }],
  },
  {
    id: "runAsNonRoot", level: "restricted",
    revisions: [{ minMinor: 0, check: runAsNonRoot }, { minMinor: 35, check: skipWhen(isUserNamespacePod, runAsNonRoot) }],
  },
  {
    id: "runAsUser", level: "restricted",
    revisions: [{ minMinor: 23, check: runAsUser }, { minMinor: 35, check: skipWhen(isUserNamespacePod, runAsUser) }],
  },
  {
    id: "seccompProfile_restricted", level: "restricted", overrides: "seccompProfile_baseline",
    revisions: [{ minMinor: 19, check: seccompRestricted }, { minMinor: 25, check: skipWhen(isWindows, seccompRestricted) }],
  },
  {
    id: "capabilities_restricted", level: "restricted", overrides: "capabilities_baseline",
    revisions: [{ minMinor: 22, check: capabilitiesRestricted }, { minMinor: 25, check: skipWhen(isWindows, capabilitiesRestricted) }],
  },
  { id: "procMount_restricted", level: "restricted", overrides: "procMount", revisions: [{ minMinor: 35, check: procMountDefault }] },
];

export function pssCheck(id: string): PssCheck {
  const found = PSS_CHECKS.find((c) => c.id === id);
  if (!found) throw new Error(`no Pod Security Standards check "${id}"`);
  return found;
}

/** The implementation of a check in effect at a policy version, or undefined when it does not run yet. */
function revisionAt(check: PssCheck, minor: number): CheckFn | undefined {
  let chosen: CheckFn | undefined;
  for (const r of check.revisions) if (r.minMinor <= minor) chosen = r.check;
  return chosen;
}

/** True when the check runs at this namespace level and version (restricted overrides included). */
export function checkApplies(check: PssCheck, level: PodSecurityLevel, minor: number): boolean {
  if (level === "privileged") return false;
  if (check.level === "restricted" && level !== "restricted") return false;
  if (!revisionAt(check, minor)) return false;
  if (level === "restricted") {
    const replacedBy = PSS_CHECKS.find((c) => c.overrides === check.id && revisionAt(c, minor));
    if (replacedBy) return false;
  }
  return true;
}

/** Runs one check on a pod at a version; returns the reasons it fails (empty when it passes). */
export function runPssCheck(id: string, pod: PodInput, minor = LATEST_MINOR): string[] {
  const fn = revisionAt(pssCheck(id), Math.min(minor, LATEST_MINOR));
  return fn ? fn(pod) : [];
}

// ---- namespace levels ----------------------------------------------------------------------------

export interface NamespacePolicy {
  level: PodSecurityLevel;
  /** Policy version as the minor of 1.x, clamped to LATEST_MINOR. */
  minor: number;
  /** Problems with the labels (invalid values), for the namespace-level policy to report. */
  problems: string[];
}

/** What applies where a namespace is not declared in the stack or a manifest has no namespace. */
export const DEFAULT_NAMESPACE_POLICY: NamespacePolicy = { level: "restricted", minor: LATEST_MINOR, problems: [] };

/** Reads a Namespace's PSA labels: a missing or invalid enforce level means restricted, like admission treats an invalid one. */
export function namespacePolicyFromLabels(labels: Record<string, unknown>): NamespacePolicy {
  const problems: string[] = [];
  let level: PodSecurityLevel = "restricted";
  const raw = labels[ENFORCE_LABEL];
  if (raw !== undefined) {
    if (raw === "privileged" || raw === "baseline" || raw === "restricted") level = raw;
    else problems.push(`${ENFORCE_LABEL}="${raw}" is not privileged, baseline or restricted (admission treats it as restricted)`);
  }
  let minor = LATEST_MINOR;
  const rawVersion = labels[ENFORCE_VERSION_LABEL];
  if (rawVersion !== undefined && rawVersion !== "latest") {
    const m = /^v1\.(0|[1-9][0-9]*)$/.exec(String(rawVersion));
    if (m) minor = Math.min(Number(m[1]), LATEST_MINOR);
    else problems.push(`${ENFORCE_VERSION_LABEL}="${rawVersion}" is not "latest" or v1.<minor> (admission treats it as latest)`);
  }
  return { level, minor, problems };
}

export function isNamespace(r: PlainResource): boolean {
  return r.type === "kubernetes:core/v1:Namespace";
}

/** Namespace name → the policy its Namespace resource declares, for every Namespace among the resources. */
export function namespacePolicies(resources: PlainResource[]): Map<string, NamespacePolicy> {
  const out = new Map<string, NamespacePolicy>();
  for (const r of resources) {
    if (!isNamespace(r)) continue;
    const labels = asObject(asObject(r.props.metadata).labels);
    out.set(objectName(r), namespacePolicyFromLabels(labels));
  }
  return out;
}

export function policyForNamespace(namespace: string | undefined, declared: Map<string, NamespacePolicy>): NamespacePolicy {
  return (namespace !== undefined ? declared.get(namespace) : undefined) ?? DEFAULT_NAMESPACE_POLICY;
}

