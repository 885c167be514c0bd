// Pure builders for what K3s reads on each node (config.yaml, registries.yaml), for the order in
// which nodes join and upgrade, and for the kubeconfig the rest of the program uses.
import { createHash } from "crypto";
import * as YAML from "yaml";
import type { EtcdS3Settings, K3sSettings, NodeSpec } from "../config/schema";
import { kubeletLabels } from "../node-labels";

/** The K3s supervisor and API port. */
export const API_PORT = 6443;

/** Where K3s and this component keep their files on a node; `root` prefixes every path (tests). */
export interface NodePaths {
  configDir: string;
  config: string;
  registries: string;
  /** K3s reads `config.yaml.d/*.yaml` after config.yaml, in name order. */
  configDropInDir: string;
  /** Root-only drop-in with the etcd S3 credentials (servers with k3s.etcdSnapshots.s3 only). */
  etcdS3Credentials: string;
  /** The server token (servers only). */
  token: string;
  /** The agent token: what agents join with, and what servers accept from agents. */
  agentToken: string;
  /** Where K3s keeps its CA files, and where the first server finds the cluster's before its first start. */
  tlsDir: string;
  /** The API server's audit policy (servers), and its log (K3s does not create the directory). */
  auditPolicy: string;
  auditLog: string;
  /** Holds the digest of the configuration the running K3s was last (re)started with. */
  stateDir: string;
  appliedConfig: string;
  containerdConfig: string;
  /** Where install.sh writes the K3s unit (INSTALL_K3S_SYSTEMD_DIR). */
  systemdDir: string;
}

export function nodePaths(root = ""): NodePaths {
  const configDir = `${root}/etc/rancher/k3s`;
  const stateDir = `${root}/var/lib/homelab-k3s`;
  return {
    configDir,
    config: `${configDir}/config.yaml`,
    registries: `${configDir}/registries.yaml`,
    configDropInDir: `${configDir}/config.yaml.d`,
    etcdS3Credentials: `${configDir}/config.yaml.d/50-etcd-s3-credentials.yaml`,
    token: `${configDir}/cluster-token`,
    agentToken: `${configDir}/agent-token`,
    tlsDir: `${root}/var/lib/rancher/k3s/server/tls`,
    auditPolicy: `${configDir}/audit-policy.yaml`,
    auditLog: `${root}/var/lib/rancher/k3s/server/logs/audit.log`,
    stateDir,
    appliedConfig: `${stateDir}/applied-config.sha256`,
    containerdConfig: `${root}/var/lib/rancher/k3s/agent/etc/containerd/config.toml`,
    systemdDir: `${root}/etc/systemd/system`,
  };
}

/** Servers in inventory order; the first initialises the cluster. */
export function serversOf(nodes: readonly NodeSpec[]): NodeSpec[] {
  return nodes.filter((n) => n.role === "server");
}

export function agentsOf(nodes: readonly NodeSpec[]): NodeSpec[] {
  return nodes.filter((n) => n.role === "agent");
}

export function firstServer(nodes: readonly NodeSpec[]): NodeSpec {
  const first = serversOf(nodes)[0];
  if (!first) throw new Error("the node inventory has no server (role: server); K3s needs at least one");
  return first;
}

/** `host:port` with IPv6 literals bracketed. */
function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The API server's URL for clients: the API endpoint (a name or VIP in the certificate) on 6443. */
export function apiServerUrl(apiEndpoint: string): string {
  return `https://${hostPort(apiEndpoint, API_PORT)}`;
}

/** The URL joining nodes use: the first server's node IP when declared, else its SSH address. */
export function joinUrl(nodes: readonly NodeSpec[]): string {
  const first = firstServer(nodes);
  return `https://${hostPort(first.nodeIp ?? first.host, API_PORT)}`;
}

/** Whether any node declares GPUs (the GPU operator is deployed then). */
export function hasGpuNodes(nodes: readonly NodeSpec[]): boolean {
  return nodes.some((n) => n.gpu !== undefined && n.gpu.count > 0);
}

/** The S3 endpoint K3s uploads snapshots to: the configured one, else the region's AWS endpoint. */
export function etcdS3Endpoint(s3: Pick<EtcdS3Settings, "region" | "endpoint">): string {
  return s3.endpoint ?? `s3.${s3.region}.amazonaws.com`;
}

/** The K3s packaged components a server disables: the configured ones, and `runtimes` with GPUs. */
export function disabledComponents(nodes: readonly NodeSpec[], k3s: Pick<K3sSettings, "disable">): string[] {
  // K3s's packaged `runtimes` manifest creates RuntimeClass nvidia too; with GPU nodes the GPU
  // operator creates and owns it, so K3s's copy is disabled to leave a single writer.
  return unique([...k3s.disable, ...(hasGpuNodes(nodes) ? ["runtimes"] : [])]);
}

const unique = (items: string[]) => [...new Set(items)];

/**
 * The K3s config.yaml of one node, as an object (keys are K3s flag names). Servers get the
 * cluster-wide settings, which K3s requires to be identical on every server; agents only get agent
 * keys. The join tokens are never in here: `token-file` and `agent-token-file` point at root-only
 * files; servers join with the server token, agents with the agent token, which joins agents only.
 * Neither are the etcd S3 credentials, which go to a root-only drop-in (`etcdS3CredentialsYaml`).
 *
 * The first server always initialises embedded etcd (`cluster-init`), even when it is the only
 * one: K3s takes scheduled snapshots (and uploads them to S3) only from embedded etcd, not from
 * the SQLite datastore a lone server gets otherwise, and a cluster on etcd can later grow to three
 * servers without a datastore change. A server already on SQLite is converted in place on the
 * restart that applies this key (K3s >= v1.22.2); one already on etcd ignores it.
 */
export function k3sConfig(node: NodeSpec, nodes: readonly NodeSpec[], k3s: K3sSettings, paths: NodePaths = nodePaths(), programBucket?: ProgramBucketPlacement): Record<string, unknown> {
  const first = firstServer(nodes);
  const isFirst = node.name === first.name;
  const config: Record<string, unknown> = {};
  if (node.role === "server" && isFirst) config["cluster-init"] = true;
  if (!isFirst) config.server = joinUrl(nodes);
  config["token-file"] = node.role === "server" ? paths.token : paths.agentToken;
  if (node.role === "server") config["agent-token-file"] = paths.agentToken;
  config["node-name"] = node.name;
  if (node.nodeIp) config["node-ip"] = node.nodeIp;
  if (node.flannelIface) config["flannel-iface"] = node.flannelIface;
  // Admin-only labels (node-restriction.kubernetes.io/) are set by the ready step, never by the kubelet.
  const labels = Object.entries(kubeletLabels(node)).map(([k, v]) => `${k}=${v}`);
  if (labels.length) config["node-label"] = labels;
  if (node.taints.length) config["node-taint"] = [...node.taints];
  if (node.role === "server") {
    // The API name or VIP must be in the certificate, or every client fails TLS verification.
    config["tls-san"] = unique([k3s.apiEndpoint, ...k3s.tlsSans, ...(node.nodeIp ? [node.nodeIp] : []), node.host]);
    config["cluster-cidr"] = k3s.clusterCidr;
    config["service-cidr"] = k3s.serviceCidr;
    const disable = disabledComponents(nodes, k3s);
    if (disable.length) config.disable = disable;
    config["secrets-encryption"] = k3s.secretsEncryption;
    config["etcd-snapshot-schedule-cron"] = k3s.etcdSnapshots.schedule;
    config["etcd-snapshot-retention"] = k3s.etcdSnapshots.retention;
    const s3 = k3s.etcdSnapshots.s3 ?? (k3s.etcdSnapshots.programBucket ? requirePlacement(programBucket) : undefined);
    if (s3) {
      // Only where the snapshots go; the access key and secret key are in the root-only drop-in.
      config["etcd-s3"] = true;
      config["etcd-s3-endpoint"] = etcdS3Endpoint(s3);
      config["etcd-s3-region"] = s3.region;
      // The program's own bucket is named by AWS on creation: its name travels in the drop-in.
      if ("bucket" in s3) config["etcd-s3-bucket"] = s3.bucket;
      if (s3.folder) config["etcd-s3-folder"] = s3.folder;
    }
    config["flannel-backend"] = k3s.flannelBackend;
    // The audit log: kube-apiserver flags K3s passes through (its CIS hardening guide uses the same).
    config["kube-apiserver-arg"] = [
      `audit-log-path=${paths.auditLog}`,
      `audit-policy-file=${paths.auditPolicy}`,
      `audit-log-maxage=${k3s.auditLog.retentionDays}`,
      "audit-log-maxbackup=10",
      "audit-log-maxsize=100",
    ];
    config["write-kubeconfig-mode"] = "0600";
  }
  return config;
}

/**
 * YAML for the files K3s reads. K3s parses config.yaml (and its drop-ins) with gopkg.in/yaml.v2
 * (pkg/configfilearg/parser.go) and registries.yaml likewise (rancher/wharfie pkg/registries), both
 * YAML 1.1: unquoted, a node named "on" or "no" would reach K3s as a boolean, and a value like
 * "0123" as a number. Every string is double-quoted; `quoteKeys` also quotes map keys that come
 * from the config (registry hosts).
 */
function k3sYaml(value: unknown, quoteKeys = false): string {
  return YAML.stringify(value, { defaultStringType: "QUOTE_DOUBLE", defaultKeyType: quoteKeys ? "QUOTE_DOUBLE" : "PLAIN" });
}

export function k3sConfigYaml(node: NodeSpec, nodes: readonly NodeSpec[], k3s: K3sSettings, paths: NodePaths = nodePaths(), programBucket?: ProgramBucketPlacement): string {
  return `# Written by the homelab Pulumi program (components/k3s); edits are overwritten.\n${k3sYaml(k3sConfig(node, nodes, k3s, paths, programBucket))}`;
}

/** Where the program's own snapshot bucket is, as far as it is known before the bucket exists. */
export interface ProgramBucketPlacement {
  region: string;
  folder: string;
}

/** The folder K3s files snapshots under in the program's bucket. */
export const PROGRAM_BUCKET_FOLDER = "k3s";

function requirePlacement(placement: ProgramBucketPlacement | undefined): ProgramBucketPlacement {
  if (!placement) throw new Error("k3s.etcdSnapshots.programBucket is set but the cluster was given no program bucket (etcdS3Bucket)");
  return placement;
}

/** registries.yaml for the configured mirrors, or undefined when there are none. */
export function registriesYaml(k3s: Pick<K3sSettings, "registryMirrors">): string | undefined {
  const entries = Object.entries(k3s.registryMirrors);
  if (!entries.length) return undefined;
  const mirrors = Object.fromEntries(entries.map(([registry, m]) => [registry, { endpoint: [...m.endpoints] }]));
  return `# Written by the homelab Pulumi program (components/k3s); edits are overwritten.\n${k3sYaml({ mirrors }, true)}`;
}

/** Short digest of a node's configuration files; a change re-applies that node only. */
export function configDigest(configYaml: string, registries: string | undefined, auditPolicy?: string): string {
  const hash = createHash("sha256").update(configYaml).update("\0").update(registries ?? "");
  // Only servers have an audit policy; leaving it out otherwise keeps agents' digests as they were.
  if (auditPolicy !== undefined) hash.update("\0").update(auditPolicy);
  return hash.digest("hex");
}

/** The access key pair K3s uploads etcd snapshots with (operator-provided secret config). */
export interface EtcdS3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * The root-only drop-in (`config.yaml.d/50-etcd-s3-credentials.yaml`) holding the etcd S3
 * credentials. Its text is secret: it only ever travels on the configure step's stdin. Errors
 * name the problem, never the value.
 */
export function etcdS3CredentialsYaml(credentials: EtcdS3Credentials, bucket?: string): string {
  const check = (value: unknown, key: string) => {
    if (typeof value !== "string" || value.length === 0) throw new Error(`the etcd S3 credentials have no ${key}`);
    if (/[\s\x00-\x1f\x7f]/.test(value)) throw new Error(`the etcd S3 ${key} contains whitespace or control characters`);
  };
  check(credentials.accessKeyId, "access key ID");
  check(credentials.secretAccessKey, "secret access key");
  if (bucket !== undefined) check(bucket, "bucket");
  return `# Written by the homelab Pulumi program (components/k3s); root-only, edits are overwritten.\n${k3sYaml({
    ...(bucket !== undefined ? { "etcd-s3-bucket": bucket } : {}),
    "etcd-s3-access-key": credentials.accessKeyId,
    "etcd-s3-secret-key": credentials.secretAccessKey,
  })}`;
}

/**
 * A digest of the credentials drop-in, for the steps' triggers: rotating the credentials then
 * re-applies (and restarts) the servers, one at a time like any configuration change. It is a
 * one-way hash of high-entropy keys, and it is still kept secret in state and plans.
 */
export function etcdS3CredentialsDigest(credentialsYaml: string): string {
  return createHash("sha256").update("homelab-k3s-etcd-s3-credentials\0").update(credentialsYaml).digest("hex");
}

export interface UpgradeStep {
  node: string;
  role: "server" | "agent";
  /** Drain before, uncordon after: always true; kept explicit so the plan reads as a procedure. */
  drain: true;
  uncordon: true;
}

/** One stage of an upgrade: its nodes upgrade in parallel; the next stage starts when all are back. */
export type UpgradeStage = UpgradeStep[];

const stepOf = (n: NodeSpec): UpgradeStep => ({ node: n.name, role: n.role, drain: true, uncordon: true });

/**
 * How a K3s version bump is rolled out, as stages that run one after the other:
 * - every server on its own stage, in inventory order (the first server first): etcd keeps quorum
 *   because only one member restarts at a time, and a kubelet must never be newer than the API
 *   servers it talks to, so all servers go before any agent;
 * - then the agents in W = min(waves, agents) waves, dealt round-robin in inventory order (so
 *   nodes of one class, usually listed together, land in different waves). Every agent of a wave
 *   is drained, upgraded and uncordoned in parallel with the others of its wave.
 *
 * Why waves and not one agent at a time or all at once: like a Deployment's maxUnavailable, a
 * wave bounds the disruption (at most ceil(agents / W) agents cordoned at once, so the rest keep
 * capacity for the evicted pods and PodDisruptionBudgets can be honoured), while the number of
 * stages stays servers + W whatever the number of agents. Serial agents would make a fresh
 * `pulumi up` walk hundreds of no-op steps in a row at 200 nodes; all at once would drain every
 * worker together and leave evicted pods nowhere to go.
 */
export function upgradePlan(nodes: readonly NodeSpec[], waves: number): UpgradeStage[] {
  if (!Number.isInteger(waves) || waves < 1) throw new Error(`the number of agent upgrade waves must be a whole number of at least 1, got ${waves}`);
  const agents = agentsOf(nodes);
  const count = Math.min(waves, agents.length);
  const agentWaves: UpgradeStage[] = Array.from({ length: count }, () => []);
  agents.forEach((agent, i) => agentWaves[i % count].push(stepOf(agent)));
  return [...serversOf(nodes).map((s) => [stepOf(s)]), ...agentWaves];
}

/**
 * The API server's audit policy: who did what, when, for every request; the request itself for
 * changes; never the content of Secrets, ConfigMaps or tokens; nothing for health checks and the
 * kubelets' and kube-proxy's constant reads, which would drown the rest. First matching rule wins.
 */
export function auditPolicyYaml(): string {
  const policy = {
    apiVersion: "audit.k8s.io/v1",
    kind: "Policy",
    omitStages: ["RequestReceived"],
    rules: [
      { level: "None", nonResourceURLs: ["/healthz*", "/livez*", "/readyz*", "/version", "/metrics"] },
      { level: "None", userGroups: ["system:nodes"], verbs: ["get", "list", "watch"] },
      { level: "None", users: ["system:kube-proxy"], verbs: ["watch"] },
      { level: "None", resources: [{ group: "", resources: ["events"] }, { group: "events.k8s.io", resources: ["events"] }] },
      {
        level: "Metadata",
        resources: [
          { group: "", resources: ["secrets", "configmaps", "serviceaccounts/token"] },
          { group: "authentication.k8s.io", resources: ["tokenreviews"] },
        ],
      },
      { level: "Request", verbs: ["create", "update", "patch", "delete", "deletecollection"] },
      { level: "Metadata" },
    ],
  };
  return `# Written by the homelab Pulumi program (components/k3s); edits are overwritten.\n${YAML.stringify(policy)}`;
}
