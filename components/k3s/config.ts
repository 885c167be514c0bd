// Pure builders for what K3s reads on each node (config.yaml, registries.yaml), for the order in
// which nodes join and upgrade, and for the kubeconfig the rest of the program uses.
import { createHash } from "crypto";
import * as YAML from "yaml";
import type { K3sSettings, NodeSpec } from "../config/schema";

/** The K3s supervisor and API port. */
export const API_PORT = 6443;

/** Where K3s and this component keep their files on a node; `root` prefixes every path (tests). */
export interface NodePaths {
  configDir: string;
  config: string;
  registries: string;
  token: string;
  kubeconfig: string;
  /** Holds the digest of the configuration the running K3s was last (re)started with. */
  stateDir: string;
  appliedConfig: string;
  containerdConfig: string;
}

export function nodePaths(root = ""): NodePaths {
  const configDir = `${root}/etc/rancher/k3s`;
  const stateDir = `${root}/var/lib/homelab-k3s`;
  return {
    configDir,
    config: `${configDir}/config.yaml`,
    registries: `${configDir}/registries.yaml`,
    token: `${configDir}/cluster-token`,
    kubeconfig: `${configDir}/k3s.yaml`,
    stateDir,
    appliedConfig: `${stateDir}/applied-config.sha256`,
    containerdConfig: `${root}/var/lib/rancher/k3s/agent/etc/containerd/config.toml`,
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

/** The URL joining nodes use: the first server's node IP when declared, else its SSH address. */
export function joinUrl(nodes: readonly NodeSpec[]): string {
  const first = firstServer(nodes);
  return `https://${hostPort(first.nodeIp ?? first.host, API_PORT)}`;
}

/** Embedded etcd (cluster-init) only when the control plane has several servers. */
export function usesEmbeddedEtcd(nodes: readonly NodeSpec[]): boolean {
  return serversOf(nodes).length > 1;
}

const unique = (items: string[]) => [...new Set(items)];

/**
 * The K3s config.yaml of one node, as an object (keys are K3s flag names). Servers get the
 * cluster-wide settings, which K3s requires to be identical on every server; agents only get agent
 * keys. The join token is never in here: `token-file` points at a root-only file.
 */
export function k3sConfig(node: NodeSpec, nodes: readonly NodeSpec[], k3s: K3sSettings, paths: NodePaths = nodePaths()): Record<string, unknown> {
  const first = firstServer(nodes);
  const isFirst = node.name === first.name;
  const config: Record<string, unknown> = {};
  if (node.role === "server" && isFirst && usesEmbeddedEtcd(nodes)) config["cluster-init"] = true;
  if (!isFirst) config.server = joinUrl(nodes);
  config["token-file"] = paths.token;
  config["node-name"] = node.name;
  if (node.nodeIp) config["node-ip"] = node.nodeIp;
  if (node.flannelIface) config["flannel-iface"] = node.flannelIface;
  const labels = Object.entries(node.labels).map(([k, v]) => `${k}=${v}`);
  if (labels.length) config["node-label"] = labels;
  if (node.taints.length) config["node-taint"] = [...node.taints];
  if (node.role === "server") {
    // The API name or VIP must be in the certificate, or every client fails TLS verification.
    config["tls-san"] = unique([k3s.apiEndpoint, ...k3s.tlsSans, ...(node.nodeIp ? [node.nodeIp] : []), node.host]);
    config["cluster-cidr"] = k3s.clusterCidr;
    config["service-cidr"] = k3s.serviceCidr;
    if (k3s.disable.length) config.disable = [...k3s.disable];
    config["secrets-encryption"] = k3s.secretsEncryption;
    // Scheduled snapshots are taken by embedded etcd; with a single (SQLite) server K3s ignores them.
    config["etcd-snapshot-schedule-cron"] = k3s.etcdSnapshots.schedule;
    config["etcd-snapshot-retention"] = k3s.etcdSnapshots.retention;
    config["write-kubeconfig-mode"] = "0600";
  }
  return config;
}

export function k3sConfigYaml(node: NodeSpec, nodes: readonly NodeSpec[], k3s: K3sSettings, paths: NodePaths = nodePaths()): string {
  return `# Written by the homelab Pulumi program (components/k3s); edits are overwritten.\n${YAML.stringify(k3sConfig(node, nodes, k3s, paths))}`;
}

/** registries.yaml for the configured mirrors, or undefined when there are none. */
export function registriesYaml(k3s: Pick<K3sSettings, "registryMirrors">): string | undefined {
  const entries = Object.entries(k3s.registryMirrors);
  if (!entries.length) return undefined;
  const mirrors = Object.fromEntries(entries.map(([registry, m]) => [registry, { endpoint: [...m.endpoints] }]));
  return `# Written by the homelab Pulumi program (components/k3s); edits are overwritten.\n${YAML.stringify({ mirrors })}`;
}

/** Short digest of a node's configuration files; a change re-applies that node only. */
export function configDigest(configYaml: string, registries: string | undefined): string {
  return createHash("sha256").update(configYaml).update("\0").update(registries ?? "").digest("hex");
}

export interface UpgradeStep {
  node: string;
  role: "server" | "agent";
  /** Drain before, uncordon after: always true; kept explicit so the plan reads as a procedure. */
  drain: true;
  uncordon: true;
}

/**
 * The order a K3s version bump is rolled out in: servers one at a time in inventory order (the
 * first server first; etcd keeps quorum because only one member restarts at once), then agents
 * one at a time, since a kubelet must never be newer than the API servers it talks to.
 */
export function upgradeOrder(nodes: readonly NodeSpec[]): UpgradeStep[] {
  return [...serversOf(nodes), ...agentsOf(nodes)].map((n) => ({ node: n.name, role: n.role, drain: true, uncordon: true }));
}

interface Kubeconfig {
  clusters?: { name: string; cluster: { server?: string } & Record<string, unknown> }[];
  contexts?: { name: string; context: { cluster?: string; user?: string } & Record<string, unknown> }[];
  users?: { name: string; user: Record<string, unknown> }[];
  "current-context"?: string;
  [key: string]: unknown;
}

/**
 * Rewrites the kubeconfig K3s writes on a server (server https://127.0.0.1:6443, every name
 * "default") to point at the API endpoint, with cluster, context and user named after the cluster.
 */
export function rewriteKubeconfig(raw: string, apiEndpoint: string, clusterName: string): string {
  const doc = YAML.parse(raw) as Kubeconfig | null;
  if (!doc || !Array.isArray(doc.clusters) || doc.clusters.length !== 1 || !Array.isArray(doc.contexts) || !Array.isArray(doc.users)) {
    throw new Error("the kubeconfig read from the first server is not the single-cluster file K3s writes (/etc/rancher/k3s/k3s.yaml)");
  }
  const rename = (name: string | undefined) => (name === undefined ? name : clusterName);
  doc.clusters = doc.clusters.map((c) => ({ ...c, name: clusterName, cluster: { ...c.cluster, server: `https://${hostPort(apiEndpoint, API_PORT)}` } }));
  doc.users = doc.users.map((u) => ({ ...u, name: clusterName }));
  doc.contexts = doc.contexts.map((c) => ({ ...c, name: clusterName, context: { ...c.context, cluster: rename(c.context.cluster), user: rename(c.context.user) } }));
  doc["current-context"] = clusterName;
  return YAML.stringify(doc);
}
