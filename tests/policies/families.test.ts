// Hygiene, exposure, AWS, nodes, providers and Helm: for every policy, cases that must pass and
// cases that must fail.
import { iamLeastPrivilegePolicy, s3BucketProtectionPolicy, secretNamingPolicy } from "../../policies/aws";
import { namespaceIsolationPolicy, secretLiteralDataPolicy, serviceExposurePolicy } from "../../policies/exposure";
import { helmChartPinnedPolicy } from "../../policies/helm";
import { imagePinnedPolicy, imagePinProblem, probesPolicy, resourcesPolicy, serviceAccountTokenPolicy } from "../../policies/hygiene";
import { commandSecretsPolicy, k3sVersionPolicy, remoteConnectionPolicy } from "../../policies/nodes";
import { explicitProviderPolicy } from "../../policies/providers";
import { deployment, goodContainer, goodPodSpec, messages, namespace, resource } from "./helpers";

type Obj = Record<string, unknown>;

describe("workload-image-pinned", () => {
  it.each([
    ["nginx", true], ["nginx:latest", true], ["ghcr.io/org/app:LATEST", true], ["registry:5000/app", true],
    ["nginx:1.27.3", false], ["registry:5000/app:1.0", false], ["quay.io/x/y@sha256:" + "a".repeat(64), false],
    ["quay.io/x/y:1@sha256:" + "b".repeat(64), false], ["x@sha256:short", true],
  ])("%s unpinned=%s", (image, unpinned) => {
    expect(imagePinProblem(image) !== undefined).toBe(unpinned);
  });
  it("checks init and ephemeral containers too, and honours exemptions", () => {
    const d = deployment("d", "apps", goodPodSpec({ initContainers: [goodContainer({ name: "init", image: "busybox" })], ephemeralContainers: [{ name: "dbg", image: "busybox:latest" }] }));
    expect(messages(imagePinnedPolicy, [d])).toEqual([expect.stringContaining('init container "init"'), expect.stringContaining('ephemeral container "dbg"')]);
    expect(messages(imagePinnedPolicy, [d], { exemptions: [{ namespace: "apps", reason: "debug images are pulled by hand" }] })).toEqual([]);
    expect(messages(imagePinnedPolicy, [deployment("ok", "apps", goodPodSpec())])).toEqual([]);
  });
  it("skips values that are unknown until the update", () => {
    expect(messages(imagePinnedPolicy, [deployment("u", "apps", goodPodSpec({ containers: [goodContainer({ image: "[unknown]" })] }))])).toEqual([]);
  });
});

describe("workload-resources", () => {
  it("requires requests and limits on containers and init containers", () => {
    const d = deployment("d", "apps", goodPodSpec({ initContainers: [{ name: "init", image: "a:1", resources: { requests: { cpu: "1", memory: "1Mi" }, limits: { memory: "1Mi" } } }] }));
    expect(messages(resourcesPolicy, [d])).toEqual(['init container "init" has no limits.cpu']);
    expect(messages(resourcesPolicy, [d], { requireCpuLimit: false })).toEqual([]);
    expect(messages(resourcesPolicy, [deployment("ok", "apps", goodPodSpec())])).toEqual([]);
  });
  it("is advisory by default", () => {
    const v = messages(resourcesPolicy, [deployment("d", "a", { containers: [{ name: "c", image: "a:1" }] })]);
    expect(v).toHaveLength(1);
    expect(resourcesPolicy.enforcementLevel).toBe("advisory");
  });
});

describe("workload-probes", () => {
  it("requires readiness and liveness probes on long-running containers only", () => {
    const noProbes = { containers: [{ name: "c", image: "a:1" }] };
    expect(messages(probesPolicy, [deployment("d", "a", noProbes)])).toEqual(['container "c" has no readinessProbe or livenessProbe']);
    expect(messages(probesPolicy, [resource("kubernetes:batch/v1:Job", { metadata: { name: "j" }, spec: { template: { spec: noProbes } } })])).toEqual([]);
    expect(messages(probesPolicy, [deployment("ok", "a", goodPodSpec({ initContainers: [{ name: "i", image: "a:1" }] }))])).toEqual([]);
  });
});

describe("workload-service-account-token", () => {
  const sa = (name: string, ns: string, automount?: boolean) =>
    resource("kubernetes:core/v1:ServiceAccount", { metadata: { name, namespace: ns }, ...(automount === undefined ? {} : { automountServiceAccountToken: automount }) });
  it("passes when the pod or its ServiceAccount disables automount", () => {
    expect(messages(serviceAccountTokenPolicy, [deployment("d", "a", goodPodSpec())])).toEqual([]);
    const viaSa = deployment("d", "a", { serviceAccountName: "app", containers: [goodContainer()] });
    expect(messages(serviceAccountTokenPolicy, [viaSa, sa("app", "a", false)])).toEqual([]);
  });
  it("fails when the token would be mounted", () => {
    const viaSa = deployment("d", "a", { serviceAccountName: "app", containers: [goodContainer()] });
    expect(messages(serviceAccountTokenPolicy, [viaSa, sa("app", "a")])).toHaveLength(1);
    expect(messages(serviceAccountTokenPolicy, [viaSa, sa("app", "other", false)])).toHaveLength(1); // wrong namespace
    expect(messages(serviceAccountTokenPolicy, [deployment("e", "a", goodPodSpec({ automountServiceAccountToken: true })), sa("default", "a", false)])[0]).toContain("the pod sets automountServiceAccountToken: true");
  });
  it("exempts declared API clients", () => {
    const operator = deployment("operator", "cnpg-system", { containers: [goodContainer()] });
    expect(messages(serviceAccountTokenPolicy, [operator], { exemptions: [{ namespace: "cnpg-system", reason: "the operator reconciles through the API" }] })).toEqual([]);
  });
});

describe("service-exposure", () => {
  const svc = (name: string, type?: string) => resource("kubernetes:core/v1:Service", { metadata: { name, namespace: "whisper" }, spec: { ...(type ? { type } : {}), ports: [{ port: 10300 }] } });
  it("blocks LoadBalancer and NodePort unless declared", () => {
    expect(messages(serviceExposurePolicy, [svc("whisper", "LoadBalancer"), svc("x", "NodePort")])).toHaveLength(2);
    expect(messages(serviceExposurePolicy, [svc("whisper"), svc("y", "ClusterIP")])).toEqual([]);
    const allowed = { allowed: [{ namespace: "whisper", name: "whisper", reason: "Home Assistant calls Wyoming from the LAN" }] };
    expect(messages(serviceExposurePolicy, [svc("whisper", "LoadBalancer")], allowed)).toEqual([]);
    expect(messages(serviceExposurePolicy, [svc("other", "LoadBalancer")], allowed)).toHaveLength(1);
  });
});

describe("secret-literal-data", () => {
  const secret = (name: string, props: Obj) => resource("kubernetes:core/v1:Secret", { metadata: { name, namespace: "a" }, ...props });
  it("blocks data and stringData except declared bootstrap secrets", () => {
    expect(messages(secretLiteralDataPolicy, [secret("s", { stringData: { password: "hunter2" } })])[0]).toContain("stringData.password");
    expect(messages(secretLiteralDataPolicy, [secret("s", { data: "[secret]" })])).toHaveLength(1);
    expect(messages(secretLiteralDataPolicy, [secret("s", { type: "kubernetes.io/service-account-token" })])).toEqual([]);
    const boot = { bootstrapSecrets: [{ namespace: "a", name: "aws-credentials", reason: "External Secrets needs it to reach AWS" }] };
    expect(messages(secretLiteralDataPolicy, [secret("aws-credentials", { stringData: { key: "x" } })], boot)).toEqual([]);
  });
  it("lets a declared configuration Secret a chart renders hold literal data, and nothing else", () => {
    const config = { configSecrets: [{ namespace: "a", name: "alertmanager-kps-alertmanager", kind: "Secret", reason: "routing only; no credential" }] };
    expect(messages(secretLiteralDataPolicy, [secret("alertmanager-kps-alertmanager", { data: { "alertmanager.yaml": "cm91dGU6IHt9" } })], config)).toEqual([]);
    expect(messages(secretLiteralDataPolicy, [secret("other", { data: { "alertmanager.yaml": "x" } })], config)).toHaveLength(1);
  });
  it("never echoes the secret value", () => {
    expect(messages(secretLiteralDataPolicy, [secret("s", { stringData: { password: "hunter2" } })])[0]).not.toContain("hunter2");
  });
});

describe("namespace-isolation", () => {
  const np = (ns: string, spec: Obj) => resource("kubernetes:networking.k8s.io/v1:NetworkPolicy", { metadata: { name: "np", namespace: ns }, spec });
  const quota = (ns: string) => resource("kubernetes:core/v1:ResourceQuota", { metadata: { name: "q", namespace: ns }, spec: { hard: { pods: "1" } } });
  const app = deployment("app", "apps", goodPodSpec());
  const deny = { podSelector: {}, policyTypes: ["Ingress"] };
  const denyEgress = { podSelector: {}, policyTypes: ["Egress"] };
  const fenced = (ns: string) => [np(ns, deny), np(ns, denyEgress), quota(ns)];
  it("passes with default-deny ingress and egress policies and a quota", () => {
    expect(messages(namespaceIsolationPolicy, [namespace("apps"), app, ...fenced("apps")])).toEqual([]);
  });
  it("accepts one policy that denies both directions", () => {
    expect(messages(namespaceIsolationPolicy, [app, np("apps", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }), quota("apps")])).toEqual([]);
  });
  it("fails without them, or when a policy is not default-deny", () => {
    expect(messages(namespaceIsolationPolicy, [namespace("apps"), app])[0])
      .toContain("lacks a default-deny ingress NetworkPolicy, a default-deny egress NetworkPolicy and a ResourceQuota");
    expect(messages(namespaceIsolationPolicy, [app, np("apps", { podSelector: { matchLabels: { a: "b" } }, policyTypes: ["Ingress"] }), np("apps", denyEgress), quota("apps")])).toHaveLength(1);
    expect(messages(namespaceIsolationPolicy, [app, np("apps", { ...deny, ingress: [{ from: [] }] }), np("apps", denyEgress), quota("apps")])).toHaveLength(1);
    expect(messages(namespaceIsolationPolicy, [app, ...fenced("other"), quota("apps")])).toHaveLength(1);
  });
  it("fails a namespace that denies ingress only", () => {
    expect(messages(namespaceIsolationPolicy, [namespace("apps"), app, np("apps", deny), quota("apps")]))
      .toEqual([expect.stringContaining('namespace "apps" runs workloads but lacks a default-deny egress NetworkPolicy')]);
  });
  it("does not count an egress policy that allows something, selects some pods, or leaves egress out of policyTypes", () => {
    const allowsDns = { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [{ namespaceSelector: {} }], ports: [{ protocol: "UDP", port: 53 }] }] };
    expect(messages(namespaceIsolationPolicy, [app, np("apps", deny), np("apps", allowsDns), quota("apps")])).toHaveLength(1);
    expect(messages(namespaceIsolationPolicy, [app, np("apps", deny), np("apps", { podSelector: { matchLabels: { a: "b" } }, policyTypes: ["Egress"] }), quota("apps")])).toHaveLength(1);
    // Without policyTypes and without egress rules, a policy governs ingress only.
    expect(messages(namespaceIsolationPolicy, [app, np("apps", { podSelector: {} }), quota("apps")])[0]).toContain("lacks a default-deny egress NetworkPolicy");
  });
  it("judges a set of manifests only for the namespaces it defines", () => {
    expect(messages(namespaceIsolationPolicy, [app], {}, { source: "manifests" })).toEqual([]);
    expect(messages(namespaceIsolationPolicy, [namespace("apps"), app], {}, { source: "manifests" })).toHaveLength(1);
  });
  it("honours declared exemptions", () => {
    expect(messages(namespaceIsolationPolicy, [app], { exemptNamespaces: [{ name: "apps", reason: "scratch namespace for experiments" }] })).toEqual([]);
  });
});

describe("aws-secret-naming", () => {
  const sm = (props: Obj) => resource("aws:secretsmanager/secret:Secret", props, { name: "s" });
  const config = { prefix: "homelab/dev/" };
  it("requires the stack prefix and a recovery window of 7 days or more", () => {
    expect(messages(secretNamingPolicy, [sm({ name: "homelab/dev/database/app", recoveryWindowInDays: 7 })], config)).toEqual([]);
    expect(messages(secretNamingPolicy, [sm({ name: "homelab/dev/x" })], config)).toEqual([]); // AWS default: 30 days
    expect(messages(secretNamingPolicy, [sm({ name: "homelab/staging/x" })], config)[0]).toContain("not under the stack prefix");
    expect(messages(secretNamingPolicy, [sm({ name: "homelab/dev/x", recoveryWindowInDays: 0 })], config)[0]).toContain("unrecoverable");
    expect(messages(secretNamingPolicy, [sm({ name: "homelab/dev/x", recoveryWindowInDays: 6 })], config)).toHaveLength(1);
    expect(messages(secretNamingPolicy, [sm({})], config)).toHaveLength(1);
  });
});

describe("aws-iam-least-privilege", () => {
  const doc = (...Statement: Obj[]) => JSON.stringify({ Version: "2012-10-17", Statement });
  const policy = (d: string) => resource("aws:iam/policy:Policy", { policy: d }, { name: "p" });
  const scoped = { Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: "arn:aws:secretsmanager:eu-west-1:1:secret:homelab/dev/database/*" };
  it("passes scoped documents", () => {
    expect(messages(iamLeastPrivilegePolicy, [policy(doc(scoped))])).toEqual([]);
    expect(messages(iamLeastPrivilegePolicy, [policy(doc({ Effect: "Allow", Action: "kms:Decrypt", Resource: "*" }))])).toEqual([]);
    expect(messages(iamLeastPrivilegePolicy, [policy(doc({ Effect: "Deny", Action: "*", Resource: "*" }))])).toEqual([]);
  });
  it("fails wildcards and admin grants", () => {
    expect(messages(iamLeastPrivilegePolicy, [policy(doc({ Effect: "Allow", Action: "*", Resource: "arn:x" }))])[0]).toContain('every action ("*")');
    expect(messages(iamLeastPrivilegePolicy, [policy(doc({ ...scoped, Resource: "*" }))])[0]).toContain("secretsmanager actions on every resource");
    expect(messages(iamLeastPrivilegePolicy, [policy(doc({ Effect: "Allow", Action: "s3:GetObject", Resource: ["*"] }))])).toHaveLength(1);
    expect(messages(iamLeastPrivilegePolicy, [policy(doc({ Effect: "Allow", Action: "iam:*", Resource: "arn:x" }))])).toHaveLength(1);
    expect(messages(iamLeastPrivilegePolicy, [policy(doc({ Effect: "Allow", NotAction: "s3:*", Resource: "arn:x" }))])).toHaveLength(1);
    const attach = resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", { role: "r", policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" });
    expect(messages(iamLeastPrivilegePolicy, [attach])).toHaveLength(1);
    const role = resource("aws:iam/role:Role", { inlinePolicies: [{ name: "all", policy: doc({ Effect: "Allow", Action: "*", Resource: "*" }) }] });
    expect(messages(iamLeastPrivilegePolicy, [role])[0]).toContain('inline policy "all"');
  });
  it("looks inside role and user policies too", () => {
    const rp = resource("aws:iam/rolePolicy:RolePolicy", { role: "r", policy: { Statement: { Effect: "Allow", Action: "s3:*", Resource: "*" } } });
    expect(messages(iamLeastPrivilegePolicy, [rp])).toHaveLength(1);
  });
});

describe("aws-s3-bucket-protection", () => {
  const bucket = resource("aws:s3/bucket:Bucket", { bucket: "homelab-dev-backups" }, { name: "backups" });
  const companion = (type: string, props: Obj) => resource(type, { bucket: "homelab-dev-backups", ...props }, { name: `${type}-c` });
  const pab = companion("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
  const sse = companion("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" } }] });
  const ver = companion("aws:s3/bucketVersioning:BucketVersioning", { versioningConfiguration: { status: "Enabled" } });
  it("passes a bucket with all three companions", () => {
    expect(messages(s3BucketProtectionPolicy, [bucket, pab, sse, ver])).toEqual([]);
  });
  it("fails when one is missing or weak", () => {
    expect(messages(s3BucketProtectionPolicy, [bucket])[0]).toMatch(/no BucketPublicAccessBlock.*no BucketServerSideEncryptionConfiguration.*no BucketVersioning/);
    const weak = companion("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", { blockPublicAcls: true });
    expect(messages(s3BucketProtectionPolicy, [bucket, weak, sse, ver])[0]).toContain("does not set all of");
    const suspended = companion("aws:s3/bucketVersioning:BucketVersioning", { versioningConfiguration: { status: "Suspended" } });
    expect(messages(s3BucketProtectionPolicy, [bucket, pab, sse, suspended])).toHaveLength(1);
  });
  it("matches companions to their own bucket (by property dependency or name)", () => {
    const other = resource("aws:s3/bucket:Bucket", { bucket: "other" }, { name: "other" });
    expect(messages(s3BucketProtectionPolicy, [bucket, other, pab, sse, ver])).toEqual([expect.stringContaining('"other"')]);
    const byDep = resource("aws:s3/bucketVersioning:BucketVersioning", { bucket: "[unknown]", versioningConfiguration: { status: "Enabled" } }, { propertyDependencies: { bucket: [other.urn] } });
    expect(messages(s3BucketProtectionPolicy, [other, byDep])[0]).not.toContain("BucketVersioning");
  });
});

describe("remote-command-connection", () => {
  const cmd = (connection: Obj, secretPaths: string[] = ["connection.privateKey"]) =>
    resource("command:remote:Command", { connection, create: "true" }, { secretPaths });
  const good = { host: "n1", user: "u", hostKey: "ssh-ed25519 AAAA", privateKey: "KEY" };
  it("passes a pinned host key with a secret private key", () => {
    expect(messages(remoteConnectionPolicy, [cmd(good)])).toEqual([]);
    expect(messages(remoteConnectionPolicy, [cmd(good, ["connection"])])).toEqual([]);
    // Inside the pack secretness is unknown: the check is skipped, not failed.
    expect(messages(remoteConnectionPolicy, [resource("command:remote:Command", { connection: good })])).toEqual([]);
  });
  it("fails without a host key, with a password, or with a plain private key", () => {
    expect(messages(remoteConnectionPolicy, [cmd({ ...good, hostKey: undefined })])[0]).toContain("hostKey");
    expect(messages(remoteConnectionPolicy, [cmd({ ...good, password: "pw" })])[0]).toContain("password");
    expect(messages(remoteConnectionPolicy, [cmd(good, [])])[0]).toContain("privateKey is not a secret");
    expect(messages(remoteConnectionPolicy, [cmd({ ...good, proxy: { host: "bastion", user: "u" } })])[0]).toContain("connection.proxy.hostKey");
  });
});

describe("remote-command-no-secrets", () => {
  const cmd = (create: string, secretPaths: string[] = []) => resource("command:remote:Command", { create }, { secretPaths });
  it.each([
    "K3S_TOKEN=abc123 sh install.sh",
    "curl -sfL https://get.k3s.io | K3S_AGENT_TOKEN='xyz' sh -",
    "k3s server --token s3cret",
    "mysql --password=hunter2",
    "cat > /etc/rancher/k3s/config.yaml <<EOF\ntoken: abc\nEOF",
  ])("flags %s", (text) => {
    const [m] = messages(commandSecretsPolicy, [cmd(text)]);
    expect(m).toContain("literal credential");
    expect(m).not.toMatch(/abc123|xyz|s3cret|hunter2/);
  });
  it.each([
    "K3S_TOKEN_FILE=/etc/k3s/token sh install.sh",
    'K3S_TOKEN="$(sudo cat /run/k3s-token)" sh -',
    "k3s server --token-file /etc/k3s/token",
    "echo done",
  ])("allows %s", (text) => {
    expect(messages(commandSecretsPolicy, [cmd(text)])).toEqual([]);
  });
  it("flags a command whose text is a secret value", () => {
    expect(messages(commandSecretsPolicy, [cmd("anything", ["create"])])[0]).toContain("create is a secret value");
  });
});

describe("k3s-version-pinned", () => {
  const cmd = (create: string, environment?: Obj) => resource("command:remote:Command", { create, ...(environment ? { environment } : {}) });
  it("passes pinned installs and commands that do not install K3s", () => {
    expect(messages(k3sVersionPolicy, [cmd("curl -sfL https://get.k3s.io | INSTALL_K3S_VERSION=v1.36.3+k3s1 sh -")])).toEqual([]);
    expect(messages(k3sVersionPolicy, [cmd("curl -sfL https://get.k3s.io | sh -", { INSTALL_K3S_VERSION: "v1.36.3+k3s1" })])).toEqual([]);
    expect(messages(k3sVersionPolicy, [cmd("systemctl restart k3s")])).toEqual([]);
  });
  it("fails channel and unpinned installs", () => {
    expect(messages(k3sVersionPolicy, [cmd("curl -sfL https://get.k3s.io | sh -")])).toHaveLength(1);
    expect(messages(k3sVersionPolicy, [cmd("curl -sfL https://get.k3s.io | INSTALL_K3S_CHANNEL=stable sh -")]).join()).toContain("channel");
    expect(messages(k3sVersionPolicy, [cmd("curl -sfL https://get.k3s.io | sh -", { INSTALL_K3S_VERSION: "latest" })]).join()).toContain('"latest"');
  });
});

describe("no-default-provider", () => {
  const r = (provider: string | undefined, custom = true, type = "kubernetes:core/v1:ConfigMap") => resource(type, {}, { provider, custom });
  it("passes explicit providers, components and providers themselves", () => {
    expect(messages(explicitProviderPolicy, [r("urn:pulumi:dev::homelab::pulumi:providers:kubernetes::homelab-k8s::id")])).toEqual([]);
    expect(messages(explicitProviderPolicy, [r(undefined, false, "homelab:secrets:SecretsLayer")])).toEqual([]);
    expect(messages(explicitProviderPolicy, [r(undefined, true, "pulumi:providers:kubernetes")])).toEqual([]);
  });
  it("fails default providers (engine) and missing providers (plan)", () => {
    expect(messages(explicitProviderPolicy, [r("urn:pulumi:dev::homelab::pulumi:providers:aws::default_7_48_0::0b0c")])[0]).toContain("default provider");
    expect(messages(explicitProviderPolicy, [r("urn:pulumi:dev::homelab::pulumi:providers:kubernetes::default")])).toHaveLength(1);
    expect(messages(explicitProviderPolicy, [r(undefined)])).toHaveLength(1);
    expect(messages(explicitProviderPolicy, [r(undefined, false, "kubernetes:helm.sh/v4:Chart")])).toHaveLength(1);
  });
  it("does not apply to manifests", () => {
    expect(messages(explicitProviderPolicy, [r(undefined)], {}, { source: "manifests" })).toEqual([]);
  });
});

describe("helm-chart-version-pinned", () => {
  const chart = (props: Obj) => resource("kubernetes:helm.sh/v4:Chart", props, { custom: false, name: "c" });
  it("passes exact versions, local charts and pinned OCI references", () => {
    expect(messages(helmChartPinnedPolicy, [chart({ chart: "loki", version: "18.11.0", repositoryOpts: { repo: "https://x" } })])).toEqual([]);
    expect(messages(helmChartPinnedPolicy, [chart({ chart: "./charts/local" })])).toEqual([]);
    expect(messages(helmChartPinnedPolicy, [chart({ chart: "oci://ghcr.io/org/chart:1.2.3" })])).toEqual([]);
  });
  it("fails missing versions, ranges and plain-http repositories", () => {
    expect(messages(helmChartPinnedPolicy, [chart({ chart: "loki" })])).toHaveLength(1);
    for (const version of ["^18.0.0", "~1.2", "18.x", ">=1.0.0", "latest", "*"]) expect(messages(helmChartPinnedPolicy, [chart({ chart: "loki", version })])).toHaveLength(1);
    expect(messages(helmChartPinnedPolicy, [chart({ chart: "loki", version: "1.0.0", repositoryOpts: { repo: "http://insecure" } })])).toHaveLength(1);
    expect(messages(helmChartPinnedPolicy, [chart({ chart: "oci://ghcr.io/org/chart:latest" })])).toHaveLength(1);
  });
});
