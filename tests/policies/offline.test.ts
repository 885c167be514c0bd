// The pack offline: `npm run policy:check` on multi-document YAML, and `npm run plan`, which runs
// the pack's logic on the planned resources and fails on a mandatory violation.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as command from "@pulumi/command";
import * as pulumi from "@pulumi/pulumi";
import { LabNamespace } from "../../components/namespaces";
import { checkPlan, renderPolicyReport, renderPolicySummary } from "../../tools/lib/policy";
import { planCommand, ROOT } from "../helpers/plan";
import { mockRuntime, Recorder, settle } from "../helpers/runtime";
import { stagingNetworks } from "../helpers/networks";

function policyCheck(args: string[], input?: string) {
  const r = spawnSync(process.execPath, ["-r", "./tools/register.js", "tools/policy-check.ts", ...args], { cwd: ROOT, encoding: "utf8", input });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const MANIFESTS = `
# helm template output, more or less
apiVersion: v1
kind: Namespace
metadata:
  name: apps
  labels:
    pod-security.kubernetes.io/enforce: restricted
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: insecure
  namespace: apps
spec:
  template:
    spec:
      initContainers:
        - name: setup
          image: busybox:1.36
          securityContext: { privileged: true }
      containers:
        - name: web
          image: nginx:1.27
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: apps }
spec: { type: NodePort, ports: [{ port: 80 }] }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: settings }
data: { a: b }
`;

const SECURE = `
apiVersion: batch/v1
kind: CronJob
metadata: { name: backup }
spec:
  schedule: "0 2 * * *"
  jobTemplate:
    spec:
      template:
        spec:
          automountServiceAccountToken: false
          restartPolicy: OnFailure
          securityContext: { runAsNonRoot: true, seccompProfile: { type: RuntimeDefault } }
          containers:
            - name: backup
              image: ghcr.io/example/backup:2.0.1
              resources: { requests: { cpu: 10m, memory: 32Mi }, limits: { cpu: 100m, memory: 64Mi } }
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: [ALL] } }
`;

describe("npm run policy:check", () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "policy-check-"));
    fs.writeFileSync(path.join(dir, "insecure.yaml"), MANIFESTS);
    fs.writeFileSync(path.join(dir, "secure.yaml"), SECURE);
  });

  it("reports the insecure Deployment with the right policies and PSS checks, as JSON, exit 1", () => {
    const file = path.join(dir, "insecure.yaml");
    const { status, stdout } = policyCheck(["--json", file]);
    expect(status).toBe(1);
    const { violations } = JSON.parse(stdout);
    const privileged = violations.find((v: { policy: string }) => v.policy === "pss-privileged");
    expect(privileged).toEqual({
      file, kind: "Deployment", name: "insecure", namespace: "apps", policy: "pss-privileged", enforcementLevel: "mandatory",
      pss: { level: "baseline", check: "privileged" }, message: expect.stringContaining('init container "setup"'),
    });
    const policies = violations.map((v: { policy: string }) => v.policy);
    expect(policies).toEqual(expect.arrayContaining(["pss-run-as-non-root", "pss-allow-privilege-escalation", "service-exposure", "namespace-isolation"]));
    expect(violations.find((v: { policy: string }) => v.policy === "service-exposure")).toMatchObject({ kind: "Service", pss: null });
    // The restricted override: at restricted only capabilities_restricted runs, not the baseline check.
    expect(policies).toContain("pss-capabilities-restricted");
    expect(policies).not.toContain("pss-capabilities-baseline");
    expect(policies).not.toContain("no-default-provider");
  });

  it("gives manifests without a namespace the restricted level, and passes a compliant one", () => {
    const { status, stdout } = policyCheck(["--json", path.join(dir, "secure.yaml")]);
    expect(JSON.parse(stdout).violations).toEqual([]);
    expect(status).toBe(0);
  });

  it("prints one line per violation for humans", () => {
    const { status, stdout } = policyCheck([path.join(dir, "insecure.yaml")]);
    expect(status).toBe(1);
    expect(stdout).toMatch(/MANDATORY pss-privileged \[PSS baseline: privileged\] — Deployment apps\/insecure/);
    expect(stdout).toMatch(/\d+ violation\(s\), \d+ mandatory\n$/);
  });

  it("applies a pack config: exemptions and levels", () => {
    const config = path.join(dir, "config.json");
    fs.writeFileSync(config, JSON.stringify({ all: "advisory" }));
    expect(policyCheck(["--config", config, path.join(dir, "insecure.yaml")]).status).toBe(0);
    fs.writeFileSync(config, JSON.stringify({ "pss-privileged": { exemptions: [{ namespace: "apps" }] } }));
    const bad = policyCheck(["--config", config, path.join(dir, "insecure.yaml")]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('missing required "reason"');
  });

  it("reports unreadable input and usage errors with exit 2", () => {
    expect(policyCheck([]).stderr).toContain("usage: npm run policy:check");
    expect(policyCheck([path.join(dir, "missing.yaml")]).status).toBe(2);
    fs.writeFileSync(path.join(dir, "broken.yaml"), "a: [\n");
    expect(policyCheck([path.join(dir, "broken.yaml")]).status).toBe(2);
  });
});

describe("the plan runs the pack", () => {
  let recorder: Recorder;
  beforeAll(async () => {
    recorder = await mockRuntime("dev");
    const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
    const ns = new LabNamespace("apps", {
      provider,
      networks: stagingNetworks(),
      spec: { name: "apps", podSecurity: "restricted", ingress: [], egress: [], quota: { requestsCpu: "1", requestsMemory: "1Gi", limitsCpu: "2", limitsMemory: "2Gi", storage: "1Gi", pods: 5 } },
    });
    new k8s.apps.v1.Deployment("insecure", {
      metadata: { name: "insecure", namespace: ns.name },
      spec: {
        selector: { matchLabels: { app: "x" } },
        template: { metadata: { labels: { app: "x" } }, spec: { automountServiceAccountToken: false, containers: [{ name: "x", image: "nginx:1.27", securityContext: { runAsUser: 0 } }] } },
      },
    }, { provider });
    new k8s.core.v1.ConfigMap("no-provider", { metadata: { namespace: "apps" }, data: {} });
    new command.remote.Command("install", {
      // @pulumi/command always marks the connection secret; the host key is what is missing here.
      connection: { host: "n1", user: "u", password: "PLAIN" },
      create: pulumi.secret("K3S_TOKEN=abc sh -"),
    });
    await settle();
  });

  it("reports the deliberately insecure workload with its policy and PSS check", () => {
    const report = checkPlan(ROOT, "dev", recorder.list());
    expect(report.mandatory).toBe(true);
    expect(report.configFile).toMatch(/policies\/config\/dev\.json$/);
    const runAsUser = report.violations.find((v) => v.policy === "pss-run-as-user");
    expect(runAsUser).toMatchObject({ pss: { level: "restricted", check: "runAsUser" }, resource: { kind: "Deployment", name: "insecure", namespace: "apps" } });
    const policies = report.violations.map((v) => `${v.policy}:${v.resource?.name}`);
    expect(policies).toEqual(expect.arrayContaining([
      "no-default-provider:no-provider",
      "no-default-provider:install",
      "remote-command-connection:install",
      "remote-command-no-secrets:install",
    ]));
    const connection = report.violations.filter((v) => v.policy === "remote-command-connection").map((v) => v.message);
    expect(connection).toEqual([expect.stringContaining("hostKey is not set"), expect.stringContaining("password is set")]);
    // The shared namespace builder satisfies isolation; the service account has automount off.
    expect(policies.filter((p) => p.startsWith("namespace-isolation") || p.startsWith("workload-service-account-token"))).toEqual([]);
  });

  it("prints violations without secret values", () => {
    const text = renderPolicyReport(checkPlan(ROOT, "dev", recorder.list()), "dev");
    expect(text).toContain("mandatory");
    expect(text).not.toContain("PLAIN");
    expect(text).not.toContain("K3S_TOKEN=abc");
  });

  it("ends the human plan with one line of what it found, the advisory violations listed under it", () => {
    const report = checkPlan(ROOT, "dev", recorder.list());
    const advisory = report.violations.filter((v) => v.enforcementLevel === "advisory");
    const mandatory = report.violations.filter((v) => v.enforcementLevel === "mandatory");
    expect(advisory.length).toBeGreaterThan(1);
    expect(mandatory.length).toBeGreaterThan(1);
    const [summary, ...listed] = renderPolicySummary(report).trimEnd().split("\n");
    expect(summary).toBe(`Policies: ${mandatory.length} mandatory, ${advisory.length} advisory violations`);
    // Each advisory violation with its policy and resource; the mandatory ones are errors on stderr.
    expect(listed).toHaveLength(advisory.length);
    advisory.forEach((v, i) => expect(listed[i]).toMatch(new RegExp(`^  ADVISORY ${v.policy} — .*${v.resource!.name}`)));
    expect(listed.join("\n")).not.toContain("MANDATORY");
    expect(renderPolicySummary({ violations: [], mandatory: false })).toBe("Policies: 0 mandatory, 0 advisory violations\n");
  });
});

describe.each(["dev", "staging"])("npm run plan -- %s", (stack) => {
  it("reports zero mandatory violations (exit 0)", () => {
    const { status, stderr } = planCommand([stack, "--json"]);
    expect(stderr).not.toMatch(/MANDATORY/);
    expect(status).toBe(0);
  });
});
