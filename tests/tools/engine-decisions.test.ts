// The engine model's decisions, rule by rule, without the runtime: what `pulumi up` does to a
// resource registered again with a prior state.
import { changedPaths, decide, DecisionContext, DecisionInput, kubernetesProviderDecision, pathUnder } from "../../tools/lib/engine/decisions";

const U = "[unknown]";
const input = (type: string, inputs: Record<string, unknown>, extra: Partial<DecisionInput> = {}): DecisionInput => ({
  urn: `urn:pulumi:dev::homelab::${type}::r`, type, name: "r", custom: true, inputs, replaceOnChanges: [], ignoreChanges: [], ...extra,
});
const context = (extra: Partial<DecisionContext> = {}): DecisionContext => ({
  decisions: new Map(), priorInputs: () => undefined, goalInputs: () => undefined, ...extra,
});
const op = (type: string, before: Record<string, unknown>, after: Record<string, unknown>, extra: Partial<DecisionInput> = {}) =>
  decide(input(type, before, extra), input(type, after, extra), context());

describe("engine decisions", () => {
  it("creates what has no prior state, and leaves alone what did not change", () => {
    expect(decide(undefined, input("aws:iam/user:User", { name: "a" }), context()).op).toBe("create");
    expect(op("aws:iam/user:User", { name: "a" }, { name: "a" }).op).toBe("same");
  });

  it("treats an unknown value as a change, at its path", () => {
    expect(changedPaths({ a: { b: 1, c: 2 } }, { a: { b: U, c: 2 } })).toEqual(["a.b"]);
    expect(changedPaths({ list: [1, 2] }, { list: [1, 2, 3] })).toEqual(["list[2]"]);
    expect(pathUnder("spec.template.spec.containers[0].image", "spec.template")).toBe(true);
    expect(pathUnder("triggers[3]", "triggers[*]")).toBe(true);
    expect(pathUnder("specs", "spec")).toBe(false);
  });

  it("replaces a command only when its triggers change, and says whether its delete script runs", () => {
    const cmd = "command:remote:Command";
    expect(op(cmd, { create: "a", connection: { host: "x" } }, { create: "b", connection: { host: "y" } }).op).toBe("update");
    const replaced = op(cmd, { create: "a", triggers: ["1"], delete: "uninstall" }, { create: "a", triggers: ["2"], delete: "uninstall" });
    expect(replaced.op).toBe("replace");
    expect(replaced.reasons[0]).toContain("then the old one's delete script");
    expect(op(cmd, { create: "a", triggers: ["1"] }, { create: "a", triggers: [U] }).reasons[0]).toContain("no delete script");
  });

  it("replaces random values and TLS keys on any input change, except a certificate's renewal window", () => {
    expect(op("random:index/randomPassword:RandomPassword", { length: 48 }, { length: 32 }).op).toBe("replace");
    expect(op("tls:index/selfSignedCert:SelfSignedCert", { validityPeriodHours: 1 }, { validityPeriodHours: 2 }).op).toBe("replace");
    expect(op("tls:index/selfSignedCert:SelfSignedCert", { earlyRenewalHours: 1 }, { earlyRenewalHours: 2 }).op).toBe("update");
  });

  it("replaces Kubernetes objects on a new name or namespace and on the provider's forceNew fields only", () => {
    expect(op("kubernetes:core/v1:Namespace", { metadata: { name: "a" } }, { metadata: { name: "b" } }).op).toBe("replace");
    expect(op("kubernetes:core/v1:Namespace", { metadata: { name: "a", labels: { x: "1" } } }, { metadata: { name: "a", labels: { x: "2" } } }).op).toBe("update");
    expect(op("kubernetes:storage.k8s.io/v1:StorageClass", { parameters: { share: "/a" } }, { parameters: { share: "/b" } }).op).toBe("replace");
    expect(op("kubernetes:core/v1:PersistentVolumeClaim", { spec: { resources: { requests: { storage: "1Gi" } } } }, { spec: { resources: { requests: { storage: "2Gi" } } } }).op).toBe("update");
    expect(op("kubernetes:batch/v1:Job", { spec: { template: { a: 1 } } }, { spec: { template: { a: 2 } } }).op).toBe("replace");
    expect(op("kubernetes:core/v1:Secret", { stringData: { k: "a" } }, { stringData: { k: "b" } }).op).toBe("replace");
    expect(op("kubernetes:postgresql.cnpg.io/v1:Cluster", { spec: { instances: 1 } }, { spec: { instances: 3 } }).op).toBe("update");
    // The program may ask for more.
    expect(op("kubernetes:apps/v1:Deployment", { spec: { x: 1 } }, { spec: { x: 2 } }, { replaceOnChanges: ["spec.x"] }).op).toBe("replace");
    expect(op("kubernetes:apps/v1:Deployment", { spec: { x: 1 } }, { spec: { x: 2 } }, { ignoreChanges: ["spec.x"] }).op).toBe("same");
  });

  it("replaces AWS resources on their ForceNew inputs only", () => {
    expect(op("aws:secretsmanager/secret:Secret", { name: "a/b" }, { name: "a/c" }).op).toBe("replace");
    expect(op("aws:secretsmanager/secret:Secret", { description: "x" }, { description: "y" }).op).toBe("update");
    expect(op("aws:secretsmanager/secretVersion:SecretVersion", { secretString: "1" }, { secretString: "2" }).op).toBe("replace");
    expect(op("aws:s3/bucketVersioning:BucketVersioning", { bucket: "a" }, { bucket: "b" }).op).toBe("replace");
  });

  it("follows pulumi-kubernetes DiffConfig: a set, unchanged clusterIdentifier makes every change an update", () => {
    const before = { kubeconfig: "server: https://a\ncertificate-authority-data: CA1", clusterIdentifier: "k3s-1" };
    expect(kubernetesProviderDecision(before, { ...before, kubeconfig: U }, ["kubeconfig"]).replace).toBe(false);
    expect(kubernetesProviderDecision(before, { ...before, kubeconfig: "server: https://b\ncertificate-authority-data: CA2" }, ["kubeconfig"]).replace).toBe(false);
    expect(kubernetesProviderDecision(before, { ...before, clusterIdentifier: "k3s-2" }, ["clusterIdentifier"]).replace).toBe(true);
    expect(kubernetesProviderDecision(before, { ...before, clusterIdentifier: U }, ["clusterIdentifier"]).replace).toBe(true);
    // Without one: an unknown kubeconfig, or one for another cluster, replaces; new credentials do not.
    const bare = { kubeconfig: before.kubeconfig };
    expect(kubernetesProviderDecision(bare, { kubeconfig: U }, ["kubeconfig"])).toMatchObject({ replace: true, reasons: [expect.stringMatching(/unknown during preview/)] });
    expect(kubernetesProviderDecision(bare, { kubeconfig: "server: https://b\ncertificate-authority-data: CA1" }, ["kubeconfig"]).replace).toBe(true);
    expect(kubernetesProviderDecision(bare, { kubeconfig: `${before.kubeconfig}\nclient-key-data: NEW` }, ["kubeconfig"]).replace).toBe(false);
  });

  it("replaces whatever a replaced provider manages, charts included", () => {
    const providerUrn = "urn:pulumi:dev::homelab::pulumi:providers:kubernetes::k8s";
    const decisions = new Map([[providerUrn, { urn: providerUrn, type: "pulumi:providers:kubernetes", name: "k8s", op: "replace" as const, changed: [], reasons: [] }]]);
    const ns = input("kubernetes:core/v1:Namespace", { metadata: { name: "a" } }, { providerUrn });
    expect(decide(ns, ns, context({ decisions }))).toMatchObject({ op: "replace", reasons: ["its provider k8s is replaced"] });
    const chart = input("kubernetes:helm.sh/v4:Chart", { chart: "loki" }, { providerUrn, custom: false });
    expect(decide(chart, chart, context({ decisions })).op).toBe("replace");
    const same = new Map([[providerUrn, { ...decisions.get(providerUrn)!, op: "update" as const }]]);
    expect(decide(ns, ns, context({ decisions: same })).op).toBe("same");
  });

  it("records the alias an old resource was matched through", () => {
    const old = input("command:remote:Command", { create: "a" }, { urn: "urn:pulumi:dev::homelab::command:remote:Command::old" });
    expect(decide(old, input("command:remote:Command", { create: "a" }), context())).toMatchObject({ op: "same", aliasOf: old.urn });
  });
});
