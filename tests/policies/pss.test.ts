// Every Pod Security Standards check: cases that must fail and must pass, including init and
// ephemeral containers, pod- versus container-level settings, allowed lists, Windows and
// user-namespace exemptions, versions, and how a namespace's labels choose the level.
import { PSS_POLICY_NAMES, pssPolicies, namespaceLevelPolicy } from "../../policies/pss";
import {
  BASELINE_CAPABILITIES,
  checkApplies,
  LATEST_MINOR,
  namespacePolicyFromLabels,
  PodInput,
  PSS_CHECKS,
  pssCheck,
  runPssCheck,
  safeSysctls,
} from "../../policies/lib/pss";
import { podTemplate } from "../../policies/lib/k8s";
import { deployment, goodContainer, goodPodSpec, messages, namespace, resource, run } from "./helpers";

type Obj = Record<string, unknown>;
const pod = (spec: Obj, metadata: Obj = {}): PodInput => ({ metadata, spec });
const withContainer = (c: Obj, extra: Obj = {}) => pod({ containers: [goodContainer(c)], ...extra });
const sc = (securityContext: Obj) => ({ securityContext: { ...(goodContainer().securityContext as Obj), ...securityContext } });
const fails = (id: string, p: PodInput, minor = LATEST_MINOR) => expect(runPssCheck(id, p, minor)).not.toEqual([]);
const passes = (id: string, p: PodInput, minor = LATEST_MINOR) => expect(runPssCheck(id, p, minor)).toEqual([]);

describe("the check registry", () => {
  it("has exactly the 19 upstream checks with their levels", () => {
    expect(PSS_CHECKS.map((c) => `${c.level}:${c.id}`).sort()).toEqual([
      "baseline:appArmorProfile", "baseline:capabilities_baseline", "baseline:hostNamespaces", "baseline:hostPathVolumes",
      "baseline:hostPorts", "baseline:hostProbesAndHostLifecycle", "baseline:privileged", "baseline:procMount",
      "baseline:seLinuxOptions", "baseline:seccompProfile_baseline", "baseline:sysctls", "baseline:windowsHostProcess",
      "restricted:allowPrivilegeEscalation", "restricted:capabilities_restricted", "restricted:procMount_restricted",
      "restricted:restrictedVolumes", "restricted:runAsNonRoot", "restricted:runAsUser", "restricted:seccompProfile_restricted",
    ]);
  });

  it("gives every check its own policy, mandatory, with framework metadata naming the check", () => {
    for (const check of PSS_CHECKS) {
      const policy = pssPolicies.find((p) => p.pss?.check === check.id)!;
      expect(policy).toBeDefined();
      expect(policy.name).toBe(PSS_POLICY_NAMES[check.id]);
      expect(policy.enforcementLevel).toBe("mandatory");
      expect(policy.framework?.specification).toBe(check.id);
      expect(policy.pss).toEqual({ level: check.level, check: check.id });
    }
  });

  it("a restricted-compliant pod passes every check at restricted", () => {
    for (const check of PSS_CHECKS) passes(check.id, pod(goodPodSpec()));
  });
});

describe("baseline checks", () => {
  it("hostNamespaces: hostNetwork, hostPID, hostIPC true fail; false or unset pass", () => {
    for (const k of ["hostNetwork", "hostPID", "hostIPC"]) fails("hostNamespaces", pod(goodPodSpec({ [k]: true })));
    passes("hostNamespaces", pod(goodPodSpec({ hostNetwork: false, hostPID: false, hostIPC: false })));
  });

  it("privileged: any container list counts", () => {
    fails("privileged", withContainer(sc({ privileged: true })));
    fails("privileged", pod(goodPodSpec({ initContainers: [goodContainer({ name: "init", ...sc({ privileged: true }) })] })));
    fails("privileged", pod(goodPodSpec({ ephemeralContainers: [goodContainer({ name: "debug", ...sc({ privileged: true }) })] })));
    passes("privileged", withContainer(sc({ privileged: false })));
    expect(runPssCheck("privileged", pod(goodPodSpec({ initContainers: [goodContainer({ name: "init", ...sc({ privileged: true }) })] })))[0]).toContain('init container "init"');
  });

  it("capabilities_baseline: only the default set may be added, matched exactly; drop is ignored", () => {
    for (const cap of BASELINE_CAPABILITIES) passes("capabilities_baseline", withContainer({ securityContext: { capabilities: { add: [cap] } } }));
    fails("capabilities_baseline", withContainer({ securityContext: { capabilities: { add: ["NET_ADMIN"] } } }));
    fails("capabilities_baseline", withContainer({ securityContext: { capabilities: { add: ["CAP_CHOWN"] } } }));
    fails("capabilities_baseline", withContainer({ securityContext: { capabilities: { add: ["chown"] } } }));
    passes("capabilities_baseline", withContainer({ securityContext: { capabilities: { drop: ["SYS_ADMIN"] } } }));
    fails("capabilities_baseline", pod(goodPodSpec({ ephemeralContainers: [{ name: "dbg", image: "busybox:1", securityContext: { capabilities: { add: ["SYS_PTRACE"] } } }] })));
  });

  it("hostPathVolumes: any hostPath volume fails", () => {
    fails("hostPathVolumes", pod(goodPodSpec({ volumes: [{ name: "root", hostPath: { path: "/" } }] })));
    passes("hostPathVolumes", pod(goodPodSpec({ volumes: [{ name: "tmp", emptyDir: {} }] })));
  });

  it("hostPorts: non-zero hostPort fails, 0 or unset passes, in init containers too", () => {
    fails("hostPorts", withContainer({ ports: [{ containerPort: 80, hostPort: 8080 }] }));
    fails("hostPorts", pod(goodPodSpec({ initContainers: [goodContainer({ name: "i", ports: [{ containerPort: 1, hostPort: 1 }] })] })));
    passes("hostPorts", withContainer({ ports: [{ containerPort: 80, hostPort: 0 }, { containerPort: 81 }] }));
  });

  it("hostProbesAndHostLifecycle: a host in any probe or hook fails, from 1.34 only", () => {
    const cases: Obj[] = [
      { livenessProbe: { httpGet: { host: "10.0.0.1", port: 80 } } },
      { readinessProbe: { tcpSocket: { host: "example.com", port: 80 } } },
      { startupProbe: { httpGet: { host: "x", port: 80 } } },
      { lifecycle: { postStart: { httpGet: { host: "x", port: 80 } } } },
      { lifecycle: { preStop: { tcpSocket: { host: "x", port: 80 } } } },
    ];
    for (const c of cases) fails("hostProbesAndHostLifecycle", withContainer(c));
    passes("hostProbesAndHostLifecycle", withContainer({ livenessProbe: { httpGet: { host: "", port: 80 } } }));
    passes("hostProbesAndHostLifecycle", withContainer(cases[0]), 33);
    expect(checkApplies(pssCheck("hostProbesAndHostLifecycle"), "baseline", 33)).toBe(false);
    expect(checkApplies(pssCheck("hostProbesAndHostLifecycle"), "baseline", 34)).toBe(true);
  });

  it("windowsHostProcess: pod or container hostProcess true fails", () => {
    fails("windowsHostProcess", pod(goodPodSpec({ securityContext: { windowsOptions: { hostProcess: true } } })));
    fails("windowsHostProcess", withContainer(sc({ windowsOptions: { hostProcess: true } })));
    passes("windowsHostProcess", withContainer(sc({ windowsOptions: { hostProcess: false } })));
  });

  it("appArmorProfile: fields and annotations", () => {
    fails("appArmorProfile", pod(goodPodSpec({ securityContext: { appArmorProfile: { type: "Unconfined" } } })));
    fails("appArmorProfile", withContainer(sc({ appArmorProfile: { type: "Unconfined" } })));
    passes("appArmorProfile", withContainer(sc({ appArmorProfile: { type: "Localhost", localhostProfile: "p" } })));
    passes("appArmorProfile", pod(goodPodSpec({ securityContext: { appArmorProfile: { type: "RuntimeDefault" } } })));
    const annotation = (v: string) => pod(goodPodSpec(), { annotations: { "container.apparmor.security.beta.kubernetes.io/app": v } });
    fails("appArmorProfile", annotation("unconfined"));
    passes("appArmorProfile", annotation("runtime/default"));
    passes("appArmorProfile", annotation("localhost/my-profile"));
    passes("appArmorProfile", annotation(""));
  });

  it("seLinuxOptions: allowed types, container_engine_t from 1.31, no user or role", () => {
    fails("seLinuxOptions", withContainer(sc({ seLinuxOptions: { type: "spc_t" } })));
    fails("seLinuxOptions", pod(goodPodSpec({ securityContext: { seLinuxOptions: { user: "system_u" } } })));
    fails("seLinuxOptions", withContainer(sc({ seLinuxOptions: { role: "sysadm_r" } })));
    for (const type of ["container_t", "container_init_t", "container_kvm_t", ""]) passes("seLinuxOptions", withContainer(sc({ seLinuxOptions: { type } })));
    passes("seLinuxOptions", withContainer(sc({ seLinuxOptions: { level: "s0:c123,c456" } })));
    passes("seLinuxOptions", withContainer(sc({ seLinuxOptions: { type: "container_engine_t" } })), 31);
    fails("seLinuxOptions", withContainer(sc({ seLinuxOptions: { type: "container_engine_t" } })), 30);
  });

  it("procMount: only Default; user-namespace pods relaxed from 1.35", () => {
    fails("procMount", withContainer(sc({ procMount: "Unmasked" })));
    passes("procMount", withContainer(sc({ procMount: "Default" })));
    const userNs = withContainer(sc({ procMount: "Unmasked" }), { hostUsers: false });
    passes("procMount", userNs, 35);
    fails("procMount", userNs, 34);
  });

  it("seccompProfile_baseline: explicit Unconfined fails at either level; unset passes; annotations before 1.19", () => {
    fails("seccompProfile_baseline", pod(goodPodSpec({ securityContext: { seccompProfile: { type: "Unconfined" } } })));
    fails("seccompProfile_baseline", withContainer(sc({ seccompProfile: { type: "Unconfined" } })));
    passes("seccompProfile_baseline", withContainer({ securityContext: {} }));
    const annotated = pod(goodPodSpec(), { annotations: { "seccomp.security.alpha.kubernetes.io/pod": "unconfined" } });
    fails("seccompProfile_baseline", annotated, 18);
    passes("seccompProfile_baseline", annotated, 19);
    passes("seccompProfile_baseline", pod(goodPodSpec(), { annotations: { "container.seccomp.security.alpha.kubernetes.io/app": "docker/default" } }), 18);
  });

  it("sysctls: the safe set grows by version", () => {
    const withSysctl = (name: string) => pod(goodPodSpec({ securityContext: { sysctls: [{ name, value: "1" }] } }));
    passes("sysctls", withSysctl("net.ipv4.ip_unprivileged_port_start"));
    fails("sysctls", withSysctl("kernel.msgmax"));
    fails("sysctls", withSysctl("net.ipv4.tcp_keepalive_time"), 28);
    passes("sysctls", withSysctl("net.ipv4.tcp_keepalive_time"), 29);
    passes("sysctls", withSysctl("net.ipv4.tcp_rmem"), 32);
    fails("sysctls", withSysctl("net.ipv4.tcp_rmem"), 31);
    expect(safeSysctls(LATEST_MINOR)).toHaveLength(12);
    // 1.37 exists only on upstream master; the pack clamps to the release it models.
    fails("sysctls", withSysctl("net.ipv4.tcp_notsent_lowat"), 99);
  });
});

describe("restricted checks", () => {
  it("restrictedVolumes: the allowed list passes, anything else or an unknown source fails", () => {
    for (const v of [{ configMap: { name: "c" } }, { csi: { driver: "d" } }, { downwardAPI: {} }, { emptyDir: {} }, { ephemeral: {} }, { image: { reference: "x:1" } }, { persistentVolumeClaim: { claimName: "c" } }, { projected: {} }, { secret: { secretName: "s" } }]) {
      passes("restrictedVolumes", pod(goodPodSpec({ volumes: [{ name: "v", ...v }] })));
    }
    fails("restrictedVolumes", pod(goodPodSpec({ volumes: [{ name: "v", nfs: { server: "nas", path: "/x" } }] })));
    fails("restrictedVolumes", pod(goodPodSpec({ volumes: [{ name: "v", hostPath: { path: "/" } }] })));
    expect(runPssCheck("restrictedVolumes", pod(goodPodSpec({ volumes: [{ name: "v", somethingNew: {} }] })))[0]).toContain("unknown");
  });

  it("restrictedVolumes: a volume with no source is the emptyDir the API server defaults it to", () => {
    passes("restrictedVolumes", pod(goodPodSpec({ volumes: [{ name: "scratch" }] })));
    passes("restrictedVolumes", pod(goodPodSpec({ volumes: [{ name: "scratch", hostPath: null }] })));
    // Only a volume with no source at all: one unset source beside a disallowed one still fails.
    fails("restrictedVolumes", pod(goodPodSpec({ volumes: [{ name: "v", emptyDir: null, hostPath: { path: "/" } }] })));
    // An entry a preview does not know yet is not assumed to be harmless.
    fails("restrictedVolumes", pod(goodPodSpec({ volumes: ["[unknown]"] })));
  });

  it("allowPrivilegeEscalation: must be explicitly false on every container; Windows exempt from 1.25", () => {
    fails("allowPrivilegeEscalation", withContainer({ securityContext: { runAsNonRoot: true } }));
    fails("allowPrivilegeEscalation", withContainer({ securityContext: undefined }));
    fails("allowPrivilegeEscalation", withContainer(sc({ allowPrivilegeEscalation: true })));
    fails("allowPrivilegeEscalation", pod(goodPodSpec({ ephemeralContainers: [{ name: "dbg", image: "busybox:1" }] })));
    const windows = withContainer({ securityContext: {} }, { os: { name: "windows" } });
    passes("allowPrivilegeEscalation", windows, 25);
    fails("allowPrivilegeEscalation", windows, 24);
    expect(checkApplies(pssCheck("allowPrivilegeEscalation"), "restricted", 7)).toBe(false);
  });

  it("runAsNonRoot: pod-level true covers containers; false at either level fails; user namespaces relaxed", () => {
    const bare = { securityContext: { ...(goodContainer().securityContext as Obj), runAsNonRoot: undefined } };
    passes("runAsNonRoot", pod({ securityContext: { runAsNonRoot: true }, containers: [goodContainer(bare)] }));
    fails("runAsNonRoot", pod({ containers: [goodContainer(bare)] }));
    fails("runAsNonRoot", pod({ securityContext: { runAsNonRoot: true }, containers: [goodContainer(sc({ runAsNonRoot: false }))] }));
    fails("runAsNonRoot", pod({ securityContext: { runAsNonRoot: false }, containers: [goodContainer()] }));
    // An init container without its own setting is not covered when the pod sets nothing.
    fails("runAsNonRoot", pod({ containers: [goodContainer()], initContainers: [goodContainer({ name: "init", ...bare })] }));
    passes("runAsNonRoot", pod({ hostUsers: false, containers: [goodContainer(bare)] }), 35);
    fails("runAsNonRoot", pod({ hostUsers: false, containers: [goodContainer(bare)] }), 34);
    // No Windows exemption.
    fails("runAsNonRoot", pod({ os: { name: "windows" }, containers: [goodContainer(bare)] }));
  });

  it("runAsUser: 0 fails at pod or container level; from 1.23; user namespaces relaxed from 1.35", () => {
    fails("runAsUser", pod(goodPodSpec({ securityContext: { runAsUser: 0 } })));
    fails("runAsUser", withContainer(sc({ runAsUser: 0 })));
    passes("runAsUser", withContainer(sc({ runAsUser: 1000 })));
    passes("runAsUser", withContainer(sc({ runAsUser: 0 }), { hostUsers: false }), 35);
    expect(checkApplies(pssCheck("runAsUser"), "restricted", 22)).toBe(false);
  });

  it("seccompProfile_restricted: pod-level valid type covers containers; explicit bad values fail; Windows exempt", () => {
    const noSeccomp = { securityContext: { ...(goodContainer().securityContext as Obj), seccompProfile: undefined } };
    passes("seccompProfile_restricted", pod({ securityContext: { seccompProfile: { type: "RuntimeDefault" } }, containers: [goodContainer(noSeccomp)] }));
    fails("seccompProfile_restricted", pod({ containers: [goodContainer(noSeccomp)] }));
    fails("seccompProfile_restricted", pod({ securityContext: { seccompProfile: { type: "Unconfined" } }, containers: [goodContainer()] }));
    fails("seccompProfile_restricted", pod({ securityContext: { seccompProfile: { type: "RuntimeDefault" } }, containers: [goodContainer(sc({ seccompProfile: { type: "Unconfined" } }))] }));
    passes("seccompProfile_restricted", pod({ containers: [goodContainer(sc({ seccompProfile: { type: "Localhost", localhostProfile: "p.json" } }))] }));
    fails("seccompProfile_restricted", pod({ containers: [goodContainer()], ephemeralContainers: [{ name: "dbg", image: "busybox:1" }] }));
    passes("seccompProfile_restricted", pod({ os: { name: "windows" }, containers: [goodContainer(noSeccomp)] }), 25);
  });

  it("capabilities_restricted: drop ALL required, only NET_BIND_SERVICE added; Windows exempt", () => {
    fails("capabilities_restricted", withContainer(sc({ capabilities: { drop: ["NET_RAW"] } })));
    fails("capabilities_restricted", withContainer({ securityContext: {} }));
    fails("capabilities_restricted", withContainer(sc({ capabilities: { drop: ["ALL"], add: ["CHOWN"] } })));
    passes("capabilities_restricted", withContainer(sc({ capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } })));
    fails("capabilities_restricted", withContainer(sc({ capabilities: { drop: ["all"] } })));
    passes("capabilities_restricted", withContainer({ securityContext: {} }, { os: { name: "windows" } }), 25);
  });

  it("procMount_restricted: no user-namespace relaxation, from 1.35", () => {
    fails("procMount_restricted", withContainer(sc({ procMount: "Unmasked" }), { hostUsers: false }));
    expect(checkApplies(pssCheck("procMount_restricted"), "restricted", 34)).toBe(false);
  });

  it("restricted overrides replace their baseline checks only at restricted and when active", () => {
    expect(checkApplies(pssCheck("capabilities_baseline"), "restricted", LATEST_MINOR)).toBe(false);
    expect(checkApplies(pssCheck("capabilities_baseline"), "baseline", LATEST_MINOR)).toBe(true);
    expect(checkApplies(pssCheck("hostPathVolumes"), "restricted", LATEST_MINOR)).toBe(false);
    expect(checkApplies(pssCheck("seccompProfile_baseline"), "restricted", LATEST_MINOR)).toBe(false);
    expect(checkApplies(pssCheck("procMount"), "restricted", 35)).toBe(false);
    expect(checkApplies(pssCheck("procMount"), "restricted", 34)).toBe(true); // procMount_restricted not yet there
    expect(checkApplies(pssCheck("capabilities_baseline"), "restricted", 21)).toBe(true);
    expect(checkApplies(pssCheck("runAsNonRoot"), "baseline", LATEST_MINOR)).toBe(false);
    expect(checkApplies(pssCheck("privileged"), "privileged", LATEST_MINOR)).toBe(false);
  });
});

describe("pod templates of every workload kind", () => {
  const bad = { containers: [{ name: "x", image: "a:1", securityContext: { privileged: true } }] };
  const cases: [string, Obj][] = [
    ["kubernetes:core/v1:Pod", { metadata: { name: "p" }, spec: bad }],
    ["kubernetes:apps/v1:Deployment", { metadata: { name: "d" }, spec: { template: { spec: bad } } }],
    ["kubernetes:apps/v1:StatefulSet", { metadata: { name: "s" }, spec: { template: { spec: bad } } }],
    ["kubernetes:apps/v1:DaemonSet", { metadata: { name: "ds" }, spec: { template: { spec: bad } } }],
    ["kubernetes:apps/v1:ReplicaSet", { metadata: { name: "rs" }, spec: { template: { spec: bad } } }],
    ["kubernetes:core/v1:ReplicationController", { metadata: { name: "rc" }, spec: { template: { spec: bad } } }],
    ["kubernetes:batch/v1:Job", { metadata: { name: "j" }, spec: { template: { spec: bad } } }],
    ["kubernetes:batch/v1:CronJob", { metadata: { name: "cj" }, spec: { jobTemplate: { spec: { template: { spec: bad } } } } }],
  ];
  it.each(cases)("%s is checked through its pod template", (type, props) => {
    const policy = pssPolicies.find((p) => p.name === "pss-privileged")!;
    expect(podTemplate(resource(type, props))?.spec).toEqual(bad);
    expect(messages(policy, [resource(type, props)])).toHaveLength(1);
  });

  it("annotation checks read the template's metadata, not the workload's", () => {
    const policy = pssPolicies.find((p) => p.name === "pss-apparmor-profile")!;
    const annotated = deployment("a", undefined, goodPodSpec(), { annotations: { "container.apparmor.security.beta.kubernetes.io/app": "unconfined" } });
    expect(messages(policy, [annotated])).toHaveLength(1);
    const onWorkload = deployment("b", undefined, goodPodSpec());
    (onWorkload.props.metadata as Obj).annotations = { "container.apparmor.security.beta.kubernetes.io/app": "unconfined" };
    expect(messages(policy, [onWorkload])).toEqual([]);
  });

  it("ignores objects that run no pods", () => {
    const policy = pssPolicies.find((p) => p.name === "pss-host-namespaces")!;
    expect(messages(policy, [resource("kubernetes:core/v1:ConfigMap", { metadata: { name: "c" }, data: { hostNetwork: "true" } })])).toEqual([]);
  });
});

describe("the level comes from the Namespace in the same stack", () => {
  const policy = (name: string) => pssPolicies.find((p) => p.name === name)!;
  const rootish = deployment("web", "apps", { containers: [{ name: "web", image: "nginx:1.27" }] });

  it("restricted when the namespace is not declared, or the manifest has none", () => {
    expect(messages(policy("pss-run-as-non-root"), [rootish])).toHaveLength(1);
    expect(messages(policy("pss-run-as-non-root"), [deployment("web", undefined, { containers: [{ name: "web", image: "nginx:1.27" }] })])[0]).toContain("no namespace: restricted applies");
  });

  it("restricted when the Namespace has no enforce label", () => {
    expect(messages(policy("pss-run-as-non-root"), [namespace("apps"), rootish])).toHaveLength(1);
  });

  it("baseline namespaces skip restricted checks but keep baseline ones", () => {
    const privileged = deployment("p", "apps", { containers: [{ name: "p", image: "x:1", securityContext: { privileged: true } }] });
    expect(messages(policy("pss-run-as-non-root"), [namespace("apps", "baseline"), rootish])).toEqual([]);
    expect(messages(policy("pss-privileged"), [namespace("apps", "baseline"), privileged])).toHaveLength(1);
  });

  it("privileged namespaces run no checks", () => {
    const privileged = deployment("p", "apps", { hostNetwork: true, containers: [{ name: "p", image: "x:1", securityContext: { privileged: true } }] });
    for (const p of pssPolicies.filter((x) => x.pss)) expect(messages(p, [namespace("apps", "privileged"), privileged])).toEqual([]);
  });

  it("an invalid level is treated as restricted, an invalid version as latest", () => {
    expect(namespacePolicyFromLabels({ "pod-security.kubernetes.io/enforce": "strict" }).level).toBe("restricted");
    expect(messages(policy("pss-run-as-non-root"), [namespace("apps", "Baseline"), rootish])).toHaveLength(1);
    expect(namespacePolicyFromLabels({ "pod-security.kubernetes.io/enforce-version": "1.30" }).minor).toBe(LATEST_MINOR);
    expect(namespacePolicyFromLabels({ "pod-security.kubernetes.io/enforce-version": "v1.30" }).minor).toBe(30);
    expect(namespacePolicyFromLabels({ "pod-security.kubernetes.io/enforce-version": "v1.99" }).minor).toBe(LATEST_MINOR);
  });

  it("the namespace's enforce-version decides which revisions run", () => {
    const hostProbe = deployment("h", "apps", goodPodSpec({ containers: [goodContainer({ livenessProbe: { httpGet: { host: "evil", port: 1 } } })] }));
    expect(messages(policy("pss-host-probes-and-host-lifecycle"), [namespace("apps", "restricted", "v1.33"), hostProbe])).toEqual([]);
    expect(messages(policy("pss-host-probes-and-host-lifecycle"), [namespace("apps", "restricted", "v1.34"), hostProbe])).toHaveLength(1);
  });

  it("exemptions need a matching namespace/name", () => {
    const config = { exemptions: [{ namespace: "apps", name: "web", reason: "legacy image runs as root until rebuilt" }] };
    expect(messages(policy("pss-run-as-non-root"), [rootish], config)).toEqual([]);
    expect(messages(policy("pss-run-as-non-root"), [deployment("other", "apps", { containers: [{ name: "o", image: "x:1" }] })], config)).toHaveLength(1);
  });

  it("reports the check's level and ID with every violation", () => {
    const [v] = run(policy("pss-run-as-non-root"), [rootish]);
    expect(v.pss).toEqual({ level: "restricted", check: "runAsNonRoot" });
    expect(v.resource).toMatchObject({ kind: "Deployment", name: "web", namespace: "apps" });
  });
});

describe("pss-namespace-level", () => {
  const allow = { privilegedNamespaces: [{ name: "nfs-csi", reason: "CSI node plugin mounts NFS on the host" }] };
  it("allows privileged only for namespaces in the pack config", () => {
    expect(messages(namespaceLevelPolicy, [namespace("nfs-csi", "privileged")], allow)).toEqual([]);
    expect(messages(namespaceLevelPolicy, [namespace("apps", "privileged")], allow)[0]).toContain('"apps" enforces privileged');
    expect(messages(namespaceLevelPolicy, [namespace("apps", "baseline"), namespace("x")], allow)).toEqual([]);
  });
  it("reports invalid label values", () => {
    expect(messages(namespaceLevelPolicy, [namespace("apps", "strict")])[0]).toContain("treats it as restricted");
    expect(messages(namespaceLevelPolicy, [namespace("apps", "baseline", "1.30")])[0]).toContain("treats it as latest");
  });
});
