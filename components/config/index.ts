// Turns raw stack config into a typed, validated HomelabConfig. Validation is pure: it runs before
// any resource is registered and reports every problem at once, each with its key path.
import { isIP } from "node:net";
import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import * as v from "./validators";
import {
  HomelabSchema,
  NodeSpec,
  RawHomelabSettings,
} from "./schema";

export * from "./schema";
export { v as validators };

/** The project's config namespace (`<namespace>:<key>` in stack files). */
export const CONFIG_NAMESPACE = "homelab";

/** Config keys whose values are secret; each is documented with the command that sets it. */
export const SECRET_KEYS = {
  nfsServer: "the NAS address that serves the NFS exports",
  nfsShareGeneral: "the NFS export for general application state (class nfs-csi-v2)",
  nfsSharePostgres: "the NFS export for PostgreSQL data; it must allow UID 26 (class nfs-postgres-v2)",
  nfsShareBackup: "the NFS export for backups (class nfs-backup)",
} as const;
/** Optional secret keys: features that stay off while the key is unset. */
export const OPTIONAL_SECRET_KEYS = {
  sshPrivateKey: "the private key (OpenSSH format) that logs in to every node (unless homelab:ssh.agent is true)",
  alertWebhookUrl: "an HTTPS webhook (ntfy, Discord, Slack...) that Alertmanager sends alerts to",
  etcdS3AccessKeyId: "the access key ID K3s uploads etcd snapshots to S3 with (required with homelab:k3s.etcdSnapshots.s3)",
  etcdS3SecretAccessKey: "the secret access key that goes with homelab:etcdS3AccessKeyId (required with homelab:k3s.etcdSnapshots.s3)",
} as const;

export type SecretKey = keyof typeof SECRET_KEYS;
export type OptionalSecretKey = keyof typeof OPTIONAL_SECRET_KEYS;

/** The validated configuration, with defaults applied and a few facts derived once. */
export interface HomelabConfig extends RawHomelabSettings {
  stack: string;
  /** Server nodes in inventory order; the first one initialises the cluster. */
  servers: NodeSpec[];
  agents: NodeSpec[];
  gpuNodes: NodeSpec[];
  /** Where AI inference runs, decided from the inventory unless the stack overrides it. */
  accelerator: "nvidia" | "cpu";
  secretPrefix: string;
  secrets: Record<SecretKey, pulumi.Output<string>> & Partial<Record<OptionalSecretKey, pulumi.Output<string>>>;
}

/** One problem in the stack's config: where it is and what was expected. */
export interface ConfigProblem {
  path: string;
  message: string;
}

/**
 * A user error in the stack's config. It extends RunError, which the Pulumi CLI prints without a
 * stack trace, and lists every problem so the operator fixes them in one pass.
 */
export class ConfigError extends pulumi.RunError {
  constructor(public readonly problems: ConfigProblem[]) {
    super(
      `Invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${p.path}: ${p.message}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

/** Renders a zod issue path as the operator writes it: homelab:nodes[2].arch */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = CONFIG_NAMESPACE;
  path.forEach((part, i) => {
    if (typeof part === "number") out += `[${part}]`;
    else out += i === 0 ? `:${String(part)}` : `.${String(part)}`;
  });
  return out;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === "unrecognized_keys") {
    return `unknown key${issue.keys.length === 1 ? "" : "s"} ${issue.keys.map((k) => `"${k}"`).join(", ")} (misspelt? unknown keys would be ignored silently)`;
  }
  if (issue.code === "invalid_type" && issue.input === undefined) {
    return `is required (${issue.message.replace(/^Invalid input: /, "")})`;
  }
  return issue.message;
}

/** Problems that only show across keys: inventory shape, GPU settings, exposure. */
export function crossCheck(settings: RawHomelabSettings): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const at = (path: PropertyKey[], message: string) => problems.push({ path: formatPath(path), message });

  const seenNames = new Map<string, number>();
  const seenEndpoints = new Map<string, number>();
  settings.nodes.forEach((node, i) => {
    const first = seenNames.get(node.name);
    if (first !== undefined) at(["nodes", i, "name"], `duplicate node name "${node.name}" (also nodes[${first}])`);
    else seenNames.set(node.name, i);

    const endpoint = `${node.host}:${node.port}`;
    const same = seenEndpoints.get(endpoint);
    if (same !== undefined) at(["nodes", i, "host"], `${endpoint} is already nodes[${same}]'s SSH address`);
    else seenEndpoints.set(endpoint, i);

    node.formerNames.forEach((former, f) => {
      const current = settings.nodes.findIndex((other) => other.name === former);
      if (current !== -1) at(["nodes", i, "formerNames", f], `"${former}" is the name of nodes[${current}]; a former name must not be in use`);
      const claimed = settings.nodes.findIndex((other, j) => j !== i && other.formerNames.includes(former));
      if (claimed !== -1) at(["nodes", i, "formerNames", f], `"${former}" is also a former name of nodes[${claimed}]; one machine had it`);
    });
    node.taints.forEach((taint, t) => {
      if (!v.parseTaint(taint)) at(["nodes", i, "taints", t], `expected "key[=value]:Effect" with Effect NoSchedule, PreferNoSchedule or NoExecute, got "${taint}"`);
    });
    Object.keys(node.labels).forEach((key) => {
      if (!v.isKubeletSettableLabel(key)) {
        at(["nodes", i, "labels", key], "the kubelet may not set labels under kubernetes.io or k8s.io (NodeRestriction); use your own prefix such as homelab.dev/");
      }
    });
    if (node.gpu && node.gpu.count === 0) {
      at(["nodes", i, "gpu"], "a GPU setting on a node without a GPU (count is 0); remove the gpu block or set the number of GPUs");
    }
    const gpuTaint = node.taints.some((taint) => taint.startsWith("nvidia.com/gpu"));
    if (gpuTaint && !node.gpu) {
      at(["nodes", i, "taints"], "an nvidia.com/gpu taint on a node without a gpu block; declare the node's GPUs or drop the taint");
    }
  });

  // Node addresses: one per node, of the cluster's family, outside the pod and service networks.
  const { clusterCidr, serviceCidr } = settings.k3s;
  const clusterFamily = v.cidrRange(clusterCidr)?.family;
  const seenNodeIps = new Map<string, number>();
  settings.nodes.forEach((node, i) => {
    if (node.nodeIp !== undefined) {
      const key = node.nodeIp.toLowerCase();
      const same = seenNodeIps.get(key);
      if (same !== undefined) at(["nodes", i, "nodeIp"], `duplicate node IP ${node.nodeIp} (also nodes[${same}].nodeIp); every node needs its own address`);
      else seenNodeIps.set(key, i);
      const family = isIP(node.nodeIp);
      if (clusterFamily !== undefined && family !== clusterFamily) {
        at(["nodes", i, "nodeIp"], `an IPv${family} node IP in a cluster whose k3s.clusterCidr (${clusterCidr}) is IPv${clusterFamily}; use the node's IPv${clusterFamily} address`);
      }
    }
    const addressed = node.nodeIp ?? (isIP(node.host) ? node.host : undefined);
    if (addressed === undefined) return;
    const field = node.nodeIp !== undefined ? "nodeIp" : "host";
    for (const [name, cidr] of [["clusterCidr", clusterCidr], ["serviceCidr", serviceCidr]] as const) {
      if (v.cidrContains(cidr, addressed)) {
        at(["nodes", i, field], `${addressed} is inside k3s.${name} (${cidr}); pod and service networks must not overlap the LAN, change k3s.${name}`);
      }
    }
  });
  if (v.cidrsOverlap(clusterCidr, serviceCidr)) {
    at(["k3s", "serviceCidr"], `${serviceCidr} overlaps k3s.clusterCidr (${clusterCidr}); pods and services need separate networks`);
  }

  // Packaged K3s components that other settings rely on.
  const disabled = (item: (typeof settings.k3s.disable)[number]) => settings.k3s.disable.indexOf(item);
  if (disabled("coredns") !== -1) {
    at(["k3s", "disable", disabled("coredns")], "every layer finds its Services through cluster DNS and this program deploys no other DNS server; keep coredns");
  }
  if (disabled("local-storage") !== -1 && settings.storage.defaultClass === "local-path") {
    at(["k3s", "disable", disabled("local-storage")], 'removes the local-path StorageClass, which homelab:storage.defaultClass makes the default (claims without a class would stay Pending); keep local-storage or set storage.defaultClass to "nfs-csi-v2"');
  }
  if (disabled("servicelb") !== -1 && settings.ai.lanExposure?.serviceType === "LoadBalancer") {
    at(["ai", "lanExposure", "serviceType"], 'LoadBalancer Services are served by K3s ServiceLB, which k3s.disable removes (they would stay Pending); keep servicelb or use "NodePort"');
  }

  const servers = settings.nodes.filter((n) => n.role === "server");
  if (settings.nodes.length > 0 && servers.length === 0) {
    at(["nodes"], 'no node has role "server"; the cluster needs one (or three for HA)');
  } else if (servers.length > 1 && servers.length % 2 === 0) {
    at(["nodes"], `${servers.length} servers cannot keep etcd quorum through a failure; use an odd number (1 or 3)`);
  }

  const hasGpu = settings.nodes.some((n) => n.gpu && n.gpu.count > 0);
  if (settings.ai.accelerator === "nvidia" && !hasGpu) {
    at(["ai", "accelerator"], '"nvidia" needs at least one node with a gpu block in homelab:nodes');
  }
  if (settings.gpu.timeSlicingReplicas > 1 && !hasGpu) {
    at(["gpu", "timeSlicingReplicas"], "a GPU setting in a stack without GPU nodes");
  }
  if (settings.ai.piper.minReplicas > settings.ai.piper.maxReplicas) {
    at(["ai", "piper", "minReplicas"], `must not exceed maxReplicas (${settings.ai.piper.maxReplicas})`);
  }
  if (settings.ai.piper.maxReplicas > settings.ai.piper.minReplicas && settings.k3s.disable.includes("metrics-server")) {
    at(["ai", "piper", "maxReplicas"], "Piper scales on CPU, which needs metrics-server; keep it out of k3s.disable or set maxReplicas equal to minReplicas");
  }
  const { nodePort, allowedClients } = settings.ai.ollama;
  if (nodePort !== undefined && !(allowedClients && allowedClients.length > 0)) {
    at(["ai", "ollama", "nodePort"], "exposes Ollama, which has no authentication, on the LAN; declare the hosts that may call it in ai.ollama.allowedClients (each a /32), or drop the NodePort and use Open WebUI");
  }
  if (allowedClients !== undefined && nodePort === undefined) {
    at(["ai", "ollama", "allowedClients"], "admits clients to a NodePort that ai.ollama.nodePort does not declare; set the port or remove the list");
  }
  if (settings.ssh.agentSocketPath !== undefined && !settings.ssh.agent) {
    at(["ssh", "agentSocketPath"], "names an agent socket, but ssh.agent is false: set ssh.agent to true to log in through it");
  }
  for (const [identity, generations] of Object.entries(settings.aws.accessKeyGenerations)) {
    const problem = v.accessKeyGenerationsProblem(generations ?? []);
    if (problem) at(["aws", "accessKeyGenerations", identity], problem);
  }
  const instances = settings.database.instances;
  if (instances > settings.nodes.length) {
    at(["database", "instances"], `${instances} instances with anti-affinity need at least ${instances} nodes; the inventory has ${settings.nodes.length}`);
  }
  return problems;
}

/** Optional secret keys that a setting makes mandatory (`why` completes "is required ..."). */
const SECRETS_REQUIRED_BY: { keys: OptionalSecretKey[]; when: (s: RawHomelabSettings) => boolean; why: string; how?: string }[] = [
  { keys: ["etcdS3AccessKeyId", "etcdS3SecretAccessKey"], when: (s) => s.k3s.etcdSnapshots.s3 !== undefined, why: `because ${CONFIG_NAMESPACE}:k3s.etcdSnapshots.s3 is set` },
  {
    keys: ["sshPrivateKey"],
    when: (s) => !s.ssh.agent,
    why: `unless ${CONFIG_NAMESPACE}:ssh.agent is true`,
    how: `\`pulumi config set --secret ${CONFIG_NAMESPACE}:sshPrivateKey < ~/.ssh/<key>\`, or log in through your SSH agent with \`pulumi config set --path ${CONFIG_NAMESPACE}:ssh.agent true\``,
  },
];

/** Optional secret keys a setting forbids: they would keep what the setting is meant to keep out. */
const SECRETS_FORBIDDEN_BY: { key: OptionalSecretKey; when: (s: RawHomelabSettings) => boolean; message: string }[] = [{
  key: "sshPrivateKey",
  when: (s) => s.ssh.agent,
  message: `is set although ${CONFIG_NAMESPACE}:ssh.agent is true: the key would stay in the stack's config and in the state of every command; remove it with \`pulumi config rm ${CONFIG_NAMESPACE}:sshPrivateKey\``,
}];

/** Every secret key these settings need: the required ones and those their settings make required. */
export function requiredSecretKeys(settings: RawHomelabSettings): string[] {
  return [...Object.keys(SECRET_KEYS), ...SECRETS_REQUIRED_BY.filter((rule) => rule.when(settings)).flatMap((rule) => rule.keys)];
}

/**
 * Problems between settings and optional secrets. Secret values are Outputs, so only their presence
 * can be checked, and only here (config.getSecret returns undefined for an unset key); `present`
 * holds the names of the secret keys that are set.
 */
export function secretPresenceProblems(settings: RawHomelabSettings, present: ReadonlySet<string>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const rule of SECRETS_REQUIRED_BY) {
    if (!rule.when(settings)) continue;
    for (const key of rule.keys) {
      if (present.has(key)) continue;
      problems.push({
        path: `${CONFIG_NAMESPACE}:${key}`,
        message: `is required ${rule.why}: ${OPTIONAL_SECRET_KEYS[key]}; set it with ${rule.how ?? `\`pulumi config set --secret ${CONFIG_NAMESPACE}:${key} <value>\``}`,
      });
    }
  }
  for (const rule of SECRETS_FORBIDDEN_BY) {
    if (rule.when(settings) && present.has(rule.key)) problems.push({ path: `${CONFIG_NAMESPACE}:${rule.key}`, message: rule.message });
  }
  return problems;
}

/**
 * Validates raw config values (as parsed from the stack) and applies defaults. Throws one
 * ConfigError listing every problem; never returns a half-valid config.
 */
export function parseSettings(raw: Record<string, unknown>): RawHomelabSettings {
  const result = HomelabSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => ({ path: formatPath(issue.path), message: describeIssue(issue) })));
  }
  const problems = crossCheck(result.data);
  if (problems.length > 0) throw new ConfigError(problems);
  return result.data;
}

/** The Secrets Manager prefix of a stack that sets no homelab:aws.secretPrefix. */
export function defaultSecretPrefix(stack: string): string {
  return `homelab/${stack}`;
}

/** Facts derived from valid settings, computed once so no layer recomputes them. */
export function deriveConfig(
  settings: RawHomelabSettings,
  stack: string,
  secrets: HomelabConfig["secrets"],
): HomelabConfig {
  const gpuNodes = settings.nodes.filter((n) => n.gpu && n.gpu.count > 0);
  return {
    ...settings,
    stack,
    servers: settings.nodes.filter((n) => n.role === "server"),
    agents: settings.nodes.filter((n) => n.role === "agent"),
    gpuNodes,
    accelerator: settings.ai.accelerator ?? (gpuNodes.length > 0 ? "nvidia" : "cpu"),
    secretPrefix: settings.aws.secretPrefix ?? defaultSecretPrefix(stack),
    secrets,
  };
}

/** An optional secret key that is absent, or holds Pulumi.yaml's default "", is unset. */
export function isUnsetOptional(value: string | undefined): boolean {
  return value === undefined || value === "";
}

/** Reads the stack's config through the Pulumi runtime, validates it, and returns the typed model. */
export function loadConfig(): HomelabConfig {
  const config = new pulumi.Config(CONFIG_NAMESPACE);
  const problems: ConfigProblem[] = [];
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(HomelabSchema.shape)) {
    try {
      const value = config.getObject<unknown>(key);
      if (value !== undefined) raw[key] = value;
    } catch {
      problems.push({ path: `${CONFIG_NAMESPACE}:${key}`, message: "expected a YAML/JSON object or list" });
    }
  }
  const secrets: Record<string, pulumi.Output<string>> = {};
  for (const [key, purpose] of Object.entries(SECRET_KEYS)) {
    const value = config.getSecret(key);
    if (value === undefined) {
      problems.push({
        path: `${CONFIG_NAMESPACE}:${key}`,
        message: `is required: ${purpose}; set it with \`pulumi config set --secret ${CONFIG_NAMESPACE}:${key} <value>\``,
      });
    } else secrets[key] = value;
  }
  for (const key of Object.keys(OPTIONAL_SECRET_KEYS)) {
    // Pulumi.yaml declares each with the default "", which means unset (see there why).
    if (isUnsetOptional(config.get(key))) continue;
    secrets[key] = config.requireSecret(key);
  }

  let settings: RawHomelabSettings | undefined;
  try {
    settings = parseSettings(raw);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(...err.problems);
  }
  if (settings !== undefined) problems.push(...secretPresenceProblems(settings, new Set(Object.keys(secrets))));
  if (problems.length > 0 || settings === undefined) throw new ConfigError(problems);
  return deriveConfig(settings, pulumi.getStack(), secrets as HomelabConfig["secrets"]);
}
