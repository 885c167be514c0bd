// What the Pulumi engine decides for one resource when a program registers it again with a prior
// state: create, same, update or replace, and why. Pure: a model of only the provider behaviour
// this program depends on, each rule naming the upstream code it follows (pinned versions in
// package.json). Unknown values (outputs of resources being created, replaced or updated in the
// same preview) count as changed, as they do in the engine's preview.
import { childPath, splitPath } from "../paths";
import { UNKNOWN_PLACEHOLDER } from "../placeholders";

export type Operation = "create" | "same" | "update" | "replace" | "delete";

export interface Decision {
  urn: string;
  type: string;
  name: string;
  op: Operation;
  /** Input paths whose value changes (or is unknown in this preview). */
  changed: string[];
  /** Why an update is a replacement (or why anything else happens that a reviewer should know). */
  reasons: string[];
  /** The prior state's URN when the resource was matched through an alias. */
  aliasOf?: string;
}

/** The slice of a registration or a prior state resource the rules read. */
export interface DecisionInput {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  /** Inputs with secrets revealed and unknowns as "[unknown]". */
  inputs: Record<string, unknown>;
  /** The provider resource's URN (custom resources and remote components such as Chart v4), if any. */
  providerUrn?: string;
  replaceOnChanges: string[];
  ignoreChanges: string[];
}

export interface DecisionContext {
  /** Decisions already taken in this run, by URN (providers register before what they manage). */
  decisions: ReadonlyMap<string, Decision>;
  /** A provider's inputs in the prior state, by URN. */
  priorInputs(urn: string): Record<string, unknown> | undefined;
  /** A provider's inputs as registered in this run, by URN. */
  goalInputs(urn: string): Record<string, unknown> | undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Whether a value is, or contains, an unknown. */
export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN_PLACEHOLDER) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (isObject(value)) return Object.values(value).some(containsUnknown);
  return false;
}

/** Leaf paths where two input trees differ; an unknown on the new side always differs. */
export function changedPaths(before: unknown, after: unknown, path = "", out: string[] = []): string[] {
  if (after === UNKNOWN_PLACEHOLDER) {
    out.push(path);
    return out;
  }
  if (isObject(before) && isObject(after)) {
    for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort()) {
      changedPaths(before[key], after[key], childPath(path, key), out);
    }
    return out;
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    for (let i = 0; i < Math.max(before.length, after.length); i++) changedPaths(before[i], after[i], childPath(path, i), out);
    return out;
  }
  if (JSON.stringify(before) !== JSON.stringify(after)) out.push(path);
  return out;
}

/** Whether `path` is `prefix` or lies under it (`[*]` in a prefix matches any index). */
export function pathUnder(path: string, prefix: string): boolean {
  if (prefix === "*") return true;
  const ANY = "__any_index__";
  const want = splitPath(prefix.replace(/\[\*\]/g, `.${ANY}`));
  const have = splitPath(path);
  return want.length <= have.length && want.every((segment, i) => (segment === ANY ? typeof have[i] === "number" : segment === have[i]));
}

// ---- provider rules ----------------------------------------------------------------------

/**
 * Kubernetes fields whose change replaces the object, beyond metadata.name and metadata.namespace
 * (pulumi-kubernetes provider/pkg/provider/diff.go, forceNew table; Secret and ConfigMap data are
 * immutable unless the provider enables enableSecretMutable/enableConfigMapMutable, which this
 * program does not).
 */
const KUBERNETES_FORCE_NEW: Record<string, string[]> = {
  "core/v1:Secret": ["type", "data", "stringData"],
  "core/v1:ConfigMap": ["data", "binaryData"],
  "core/v1:ResourceQuota": ["spec.scopes"],
  "core/v1:PersistentVolumeClaim": ["spec.accessModes", "spec.selector", "spec.storageClassName", "spec.volumeName"],
  "core/v1:Service": ["spec.clusterIP"],
  "storage.k8s.io/v1:StorageClass": ["parameters", "provisioner"],
  "apps/v1:Deployment": ["spec.selector"],
  "apps/v1:StatefulSet": ["spec.podManagementPolicy", "spec.revisionHistoryLimit", "spec.selector", "spec.serviceName", "spec.volumeClaimTemplates"],
  "apps/v1:DaemonSet": ["spec.selector"],
  "batch/v1:Job": ["spec.completions", "spec.parallelism", "spec.selector", "spec.template"],
  "rbac.authorization.k8s.io/v1:RoleBinding": ["roleRef"],
  "rbac.authorization.k8s.io/v1:ClusterRoleBinding": ["roleRef"],
};

/**
 * AWS inputs that force a new resource (terraform-provider-aws schemas, `ForceNew: true`, which
 * pulumi-aws bridges as replacements); every other change is an in-place update.
 */
const AWS_FORCE_NEW: Record<string, string[]> = {
  "aws:secretsmanager/secret:Secret": ["name", "namePrefix"],
  // resource_secret_version.go: secret_id, secret_string and secret_binary are ForceNew.
  "aws:secretsmanager/secretVersion:SecretVersion": ["secretId", "secretString", "secretBinary"],
  "aws:s3/bucket:Bucket": ["bucket", "bucketPrefix"],
  "aws:iam/userPolicy:UserPolicy": ["user", "name", "namePrefix"],
  "aws:iam/accessKey:AccessKey": ["user", "pgpKey"],
  "aws:iam/policy:Policy": ["name", "namePrefix", "path"],
  "aws:iam/role:Role": ["name", "namePrefix"],
  "aws:iam/userPolicyAttachment:UserPolicyAttachment": ["user", "policyArn"],
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ["role", "policyArn"],
  "aws:kms/key:Key": ["customerMasterKeySpec", "keySpec", "keyUsage", "multiRegion"],
  "aws:kms/alias:Alias": ["name", "namePrefix"],
};
/** S3 bucket sub-resources (ownership, public access, versioning, encryption, lifecycle, policy): their bucket. */
const AWS_BUCKET_CHILD = /^aws:s3\/bucket[A-Za-z]+:Bucket[A-Za-z]+$/;

function forceNewPaths(type: string): string[] {
  if (type.startsWith("kubernetes:") && !type.startsWith("kubernetes:helm.sh/")) {
    const key = type.slice("kubernetes:".length);
    return ["metadata.name", "metadata.namespace", ...(KUBERNETES_FORCE_NEW[key] ?? [])];
  }
  if (AWS_BUCKET_CHILD.test(type)) return ["bucket"];
  return AWS_FORCE_NEW[type] ?? [];
}

/** The cluster a kubeconfig's current context points at (server and CA), for DiffConfig. */
function activeCluster(kubeconfig: unknown): string | undefined {
  if (typeof kubeconfig !== "string" || kubeconfig.trim() === "") return undefined;
  const server = /server:\s*(\S+)/.exec(kubeconfig)?.[1];
  const ca = /certificate-authority-data:\s*(\S+)/.exec(kubeconfig)?.[1];
  return server || ca ? `${server ?? ""} ${ca ?? ""}` : undefined;
}

/**
 * pulumi-kubernetes DiffConfig (provider/pkg/provider/provider.go), in its order: a changed
 * clusterIdentifier replaces; a set and unchanged one makes every other change an update; unknown
 * kubeconfig/context/cluster replace ("we can't tell for sure if a computed value has changed");
 * renderYamlToDirectory replaces; a kubeconfig whose active cluster (server, CA) changed replaces.
 */
export function kubernetesProviderDecision(before: Record<string, unknown>, after: Record<string, unknown>, changed: string[]): { replace: boolean; reasons: string[] } {
  if (changed.length === 0) return { replace: false, reasons: [] };
  const beforeId = before.clusterIdentifier;
  const afterId = after.clusterIdentifier;
  if (afterId === UNKNOWN_PLACEHOLDER || (beforeId !== undefined && afterId !== undefined && beforeId !== afterId)) {
    return { replace: true, reasons: ["clusterIdentifier changes: the Kubernetes provider is replaced, and every object it manages with it"] };
  }
  if (beforeId !== undefined && beforeId === afterId) return { replace: false, reasons: [] };
  const unknown = ["kubeconfig", "context", "cluster"].filter((key) => after[key] === UNKNOWN_PLACEHOLDER || containsUnknown(after[key]));
  if (unknown.length > 0) {
    return { replace: true, reasons: [`${unknown.join(", ")} unknown during preview and no clusterIdentifier: the provider assumes a new cluster and is replaced, with every object it manages`] };
  }
  if (changed.some((p) => pathUnder(p, "renderYamlToDirectory"))) return { replace: true, reasons: ["renderYamlToDirectory changes"] };
  const beforeCluster = activeCluster(before.kubeconfig);
  const afterCluster = activeCluster(after.kubeconfig);
  if (beforeCluster !== undefined && afterCluster !== undefined && beforeCluster !== afterCluster) {
    return { replace: true, reasons: ["the kubeconfig points at another cluster (server or CA) and no clusterIdentifier is set"] };
  }
  return { replace: false, reasons: [] };
}

/** The rule for one resource type; `changed` excludes ignoreChanges paths. */
function replaceReasons(prior: DecisionInput, goal: DecisionInput, changed: string[]): { replace: boolean; reasons: string[] } {
  const { type } = goal;
  if (type === "pulumi:providers:kubernetes") return kubernetesProviderDecision(prior.inputs, goal.inputs, changed);
  // pulumi-command provider/pkg/provider/remote (and local) commandController.go Diff: only a
  // change of `triggers` replaces; everything else, the connection included, is an update.
  if (type === "command:remote:Command" || type === "command:local:Command") {
    const triggers = changed.filter((p) => pathUnder(p, "triggers"));
    if (triggers.length === 0) return { replace: false, reasons: [] };
    // Replacement creates the new command, then runs the old one's delete script, if it has one.
    const effect = prior.inputs.delete ? "the new one runs, then the old one's delete script" : "it has no delete script, so it only runs again";
    return { replace: true, reasons: [`triggers change: @pulumi/command replaces the command (${effect})`] };
  }
  // terraform-provider-random: every RandomPassword/RandomBytes input RequiresReplace.
  if (type.startsWith("random:")) return { replace: true, reasons: [`${changed.join(", ")} change: random values are regenerated`] };
  // terraform-provider-tls: every input RequiresReplace except earlyRenewalHours on certificates.
  if (type.startsWith("tls:")) {
    const replacing = changed.filter((p) => !pathUnder(p, "earlyRenewalHours"));
    return replacing.length > 0 ? { replace: true, reasons: [`${replacing.join(", ")} change: the key or certificate is issued again`] } : { replace: false, reasons: [] };
  }
  const forceNew = forceNewPaths(type);
  const reasons = new Set<string>();
  for (const path of changed) {
    const field = forceNew.find((f) => pathUnder(path, f));
    if (field) reasons.add(`${field} changes${path !== field ? ` (${path})` : ""}: the provider replaces the resource`);
    const declared = goal.replaceOnChanges.find((f) => pathUnder(path, f));
    if (declared) reasons.add(`${path} changes and the program declares replaceOnChanges "${declared}"`);
  }
  return { replace: reasons.size > 0, reasons: [...reasons] };
}

/**
 * The engine's decision for a resource registered with a prior state (or none: create). A
 * provider reference that changes, or whose provider is replaced, replaces the resource
 * (pulumi/pulumi pkg/resource/deploy/step_generator.go, providerChanged).
 */
export function decide(prior: DecisionInput | undefined, goal: DecisionInput, context: DecisionContext): Decision {
  const base = { urn: goal.urn, type: goal.type, name: goal.name };
  if (!prior) return { ...base, op: "create", changed: [], reasons: [] };
  const aliasOf = prior.urn !== goal.urn ? prior.urn : undefined;
  const withAlias = aliasOf ? { aliasOf } : {};
  const changed = changedPaths(prior.inputs, goal.inputs).filter((p) => !goal.ignoreChanges.some((ignored) => pathUnder(p, ignored)));

  // Custom resources and remote components (Chart v4, whose objects are the provider's children).
  if (goal.providerUrn) {
    const providerDecision = context.decisions.get(goal.providerUrn);
    if (providerDecision?.op === "replace") {
      return { ...base, ...withAlias, op: "replace", changed, reasons: [`its provider ${providerDecision.name} is replaced`] };
    }
    if (prior.providerUrn && prior.providerUrn !== goal.providerUrn && goal.type.startsWith("kubernetes:")) {
      // Moved to another provider resource: the engine asks that provider's DiffConfig whether the
      // old configuration and the new one are the same cluster.
      const before = context.priorInputs(prior.providerUrn) ?? {};
      const after = context.goalInputs(goal.providerUrn) ?? {};
      const moved = kubernetesProviderDecision(before, after, changedPaths(before, after));
      if (moved.replace) {
        return { ...base, ...withAlias, op: "replace", changed, reasons: [`it moves to provider ${goal.providerUrn.split("::").pop()}`, ...moved.reasons] };
      }
    }
  }
  if (!goal.custom) return { ...base, ...withAlias, op: changed.length > 0 ? "update" : "same", changed, reasons: [] };
  if (changed.length === 0) return { ...base, ...withAlias, op: "same", changed, reasons: [] };
  const { replace, reasons } = replaceReasons(prior, goal, changed);
  return { ...base, ...withAlias, op: replace ? "replace" : "update", changed, reasons };
}
