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
  sshPrivateKey: "the private key (OpenSSH format) that logs in to every node",
  nfsServer: "the NAS address that serves the NFS exports",
  nfsShareGeneral: "the NFS export for general application state (class nfs-csi-v2)",
  nfsSharePostgres: "the NFS export for PostgreSQL data; it must allow UID 26 (class nfs-postgres-v2)",
  nfsShareBackup: "the NFS export for backups (class nfs-backup)",
} as const;
/** Optional secret keys: features that stay off while the key is unset. */
export const OPTIONAL_SECRET_KEYS = {
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
export function crossCheck(settings: RawHomelabSettings, now: Date = new Date()): ConfigProblem[] {
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

  if (settings.k3s.etcdSnapshots.programBucket && settings.k3s.etcdSnapshots.s3) {
    at(["k3s", "etcdSnapshots", "programBucket"], "snapshots go to one S3 destination: the program's own bucket (programBucket) or yours (s3); remove one");
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
  if (settings.ai.ollama.nodePort !== undefined && !settings.ai.lanExposure) {
    at(["ai", "ollama", "nodePort"], "exposes Ollama on the LAN; declare ai.lanExposure (allowedCidrs) so the NetworkPolicy knows who may call it");
  }
  const instances = settings.database.instances;
  if (instances > settings.nodes.length) {
    at(["database", "instances"], `${instances} instances with anti-affinity need at least ${instances} nodes; the inventory has ${settings.nodes.length}`);
  }
  const restore = settings.database.restore;
  if (restore) {
    const serverName = settings.database.backup.serverName;
    if (restore.fromServerName === serverName) {
      at(["database", "backup", "serverName"], `is "${serverName}", the server name the restore reads from (database.restore.fromServerName): the restored Cluster would archive its new timeline over the backups it restores from; choose a new one such as "${nextServerName(serverName)}"`);
    }
    if (restore.targetTime !== undefined && Date.parse(restore.targetTime) > now.getTime()) {
      at(["database", "restore", "targetTime"], `${restore.targetTime} is in the future (now ${now.toISOString()}); PostgreSQL would replay every archived WAL and wait for one that never comes. Leave targetTime out to restore to the latest point archived`);
    }
    if (restore.deletedServerName !== undefined && restore.deletedServerName === serverName) {
      at(["database", "restore", "deletedServerName"], `names the deleted Cluster's archive, which database.backup.serverName ("${serverName}") would write to again; choose a new backup.serverName`);
    }
  }
  return problems;
}

/** A suggestion for a new server name: postgres -> postgres-2, postgres-2 -> postgres-3. */
export function nextServerName(serverName: string): string {
  const match = /^(.*)-(\d+)$/.exec(serverName);
  return match ? `${match[1]}-${Number(match[2]) + 1}` : `${serverName}-2`;
}

/** What an earlier deployment recorded about its PostgreSQL Cluster (stack output `postgres`). */
export interface RecordedDatabase {
  /** The server name the Cluster archived under. */
  serverName: string;
  /** How the Cluster was created (`databaseBootstrap`). */
  bootstrap: string;
}

/** How the configured Cluster is created, as the stack records it: "initdb" or "recovery from <name>[ to <time>]". */
export function databaseBootstrap(database: Pick<RawHomelabSettings["database"], "restore">): string {
  const restore = database.restore;
  if (!restore) return "initdb";
  return `recovery from ${restore.fromServerName}${restore.targetTime ? ` to ${restore.targetTime}` : ""}`;
}

/**
 * Problems between the database settings and the Cluster an earlier deployment of this stack
 * created. A Cluster bootstraps once: CloudNative-PG ignores a changed bootstrap on an existing
 * Cluster, so a restore set on a stack whose Cluster exists would silently do nothing but archive
 * under the new server name (and the program marks the bootstrap replaceOnChanges, so the engine
 * refuses it as a replacement of a protected resource). `recorded` is undefined on a stack that
 * never deployed the database.
 */
export function restoreProblems(database: RawHomelabSettings["database"], recorded: RecordedDatabase | undefined): ConfigProblem[] {
  if (!recorded) return [];
  const wanted = databaseBootstrap(database);
  if (wanted === recorded.bootstrap) return [];
  const path = formatPath(["database", "restore"]);
  const restore = database.restore;
  if (!restore) {
    return [{
      path,
      message: `the stack's PostgreSQL Cluster was created by ${recorded.bootstrap}; keep homelab:database.restore as it was while that Cluster exists (it records how the Cluster was born, and changing it would replace the protected Cluster)`,
    }];
  }
  if (restore.deletedServerName === recorded.serverName) return [];
  return [{
    path,
    message: `this stack already has a PostgreSQL Cluster (created by ${recorded.bootstrap}, archiving as "${recorded.serverName}"): a restore creates a new Cluster, and the protected one cannot be replaced. ` +
      `To restore into this stack, delete the Cluster first as docs/recovery.md ("Restoring the database into an existing stack") describes, then confirm with homelab:database.restore.deletedServerName: ${recorded.serverName}`,
  }];
}

/** Optional secret keys that a setting makes mandatory. */
const SECRETS_REQUIRED_BY: { keys: OptionalSecretKey[]; when: (s: RawHomelabSettings) => boolean; setting: string }[] = [
  { keys: ["etcdS3AccessKeyId", "etcdS3SecretAccessKey"], when: (s) => s.k3s.etcdSnapshots.s3 !== undefined, setting: "k3s.etcdSnapshots.s3" },
];

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
        message: `is required because ${CONFIG_NAMESPACE}:${rule.setting} is set: ${OPTIONAL_SECRET_KEYS[key]}; set it with \`pulumi config set --secret ${CONFIG_NAMESPACE}:${key} <value>\``,
      });
    }
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
    secretPrefix: settings.aws.secretPrefix ?? `homelab/${stack}`,
    secrets,
  };
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
    const value = config.getSecret(key);
    if (value !== undefined) secrets[key] = value;
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
