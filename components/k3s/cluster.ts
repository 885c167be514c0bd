// K3sCluster: the node inventory becomes a K3s cluster over SSH, and the cluster's kubeconfig
// becomes the one Kubernetes provider the program uses. The scripts and files are built by the pure
// modules beside this one; this file only wires them to @pulumi/command steps in the right order.
import * as command from "@pulumi/command";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { K3sSettings, NodeSpec } from "../config/schema";
import { configDigest, firstServer, k3sConfigYaml, nodePaths, registriesYaml, rewriteKubeconfig, serversOf, upgradeOrder } from "./config";
import {
  ScriptOptions,
  asCommand,
  configureScript,
  fetchKubeconfigScript,
  installScript,
  preflightScript,
  removeNodeScript,
  uninstallScript,
  upgradeDrainScript,
  upgradeUncordonScript,
  waitReadyScript,
  withDefaults,
} from "./scripts";

type Connection = command.types.input.remote.ConnectionArgs;

export interface K3sClusterArgs {
  /** The whole inventory; servers in inventory order, the first one initialises the cluster. */
  nodes: NodeSpec[];
  k3s: K3sSettings;
  /** OpenSSH private key that logs in to every node (and the bastion); kept secret. */
  sshPrivateKey: pulumi.Input<string>;
  /** Paths and URLs the scripts use; only tests change them. */
  scriptOptions?: Partial<ScriptOptions>;
}

/** SSH settings for one node: key auth only, its host key pinned, through the bastion if any. */
export function nodeConnection(node: NodeSpec, k3s: Pick<K3sSettings, "bastion">, privateKey: pulumi.Input<string>): Connection {
  const key = pulumi.secret(privateKey);
  const bastion = k3s.bastion;
  return {
    host: node.host,
    port: node.port,
    user: node.user,
    privateKey: key,
    hostKey: node.hostKey,
    dialErrorLimit: 20,
    perDialTimeout: 15,
    ...(bastion ? { proxy: { host: bastion.host, port: bastion.port, user: bastion.user, privateKey: key, hostKey: bastion.hostKey } } : {}),
  };
}

export interface K3sNodeArgs {
  node: NodeSpec;
  nodes: NodeSpec[];
  k3s: K3sSettings;
  token: pulumi.Output<string>;
  connection: Connection;
  /** The first server, where kubectl runs (agents have no admin kubeconfig). */
  apiConnection: Connection;
  /** What this node joins after: the previous server for servers, the first server for agents. */
  joinAfter: pulumi.Resource[];
  scriptOptions?: Partial<ScriptOptions>;
}

/** One node: pre-flight, configuration, install, Ready. Removing it drains and uninstalls it. */
export class K3sNode extends pulumi.ComponentResource {
  readonly nodeName: string;
  readonly role: NodeSpec["role"];
  /** Completes when the node is Ready with its labels and taints. */
  readonly ready: command.remote.Command;
  /** The digest of the node's K3s configuration; a change re-applies this node only. */
  readonly configDigest: string;

  constructor(name: string, args: K3sNodeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:k3s:K3sNode", name, {}, opts);
    const { node, nodes, k3s } = args;
    const options = withDefaults(args.scriptOptions);
    const configYaml = k3sConfigYaml(node, nodes, k3s, nodePaths(options.root));
    const registries = registriesYaml(k3s);
    const digest = configDigest(configYaml, registries);
    this.nodeName = node.name;
    this.role = node.role;
    this.configDigest = digest;

    // Pre-flight needs nothing else, so every node is checked at once and a bad one fails early.
    const preflight = new command.remote.Command(`${name}-preflight`, {
      connection: args.connection,
      create: asCommand(preflightScript(node, options), false),
      triggers: [digest],
    }, { parent: this });

    // The token reaches the node on stdin and is written to a root-only file (token-file).
    const configure = new command.remote.Command(`${name}-configure`, {
      connection: args.connection,
      create: asCommand(configureScript(configYaml, registries, options), true),
      stdin: pulumi.secret(args.token),
      triggers: [digest],
    }, { parent: this, dependsOn: [preflight, ...args.joinAfter] });

    // `update` repeats the install so a trigger change re-runs it in place: a replacement would
    // run the delete script (the uninstaller) of the old step.
    const install = installScript(node, k3s.version, { allowUpgrade: false }, options);
    const installed = new command.remote.Command(`${name}-install`, {
      connection: args.connection,
      create: asCommand(install, true),
      update: asCommand(install, true),
      delete: asCommand(uninstallScript(node, options), true),
      triggers: [digest],
    }, { parent: this, dependsOn: [configure] });

    // Deleting this step (the node left the inventory) drains and deletes the Node first; then the
    // install step above is deleted, which runs the uninstaller on the node.
    const ready = waitReadyScript(node, options);
    this.ready = new command.remote.Command(`${name}-ready`, {
      connection: args.apiConnection,
      create: asCommand(ready, true),
      update: asCommand(ready, true),
      delete: asCommand(removeNodeScript(node, options), true),
      triggers: [digest],
    }, { parent: this, dependsOn: [installed] });

    this.registerOutputs({ ready: this.ready.stdout });
  }
}

export class K3sCluster extends pulumi.ComponentResource {
  /** Admin kubeconfig pointing at the API endpoint, named after the cluster (secret). */
  readonly kubeconfig: pulumi.Output<string>;
  /** The explicit provider every Kubernetes resource uses. */
  readonly provider: k8s.Provider;
  readonly nodes: Record<string, K3sNode>;
  readonly apiServerUrl: string;

  constructor(name: string, args: K3sClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:k3s:K3sCluster", name, {}, opts);
    const { k3s } = args;
    const options = withDefaults(args.scriptOptions);
    const nodes = [...args.nodes];
    const first = firstServer(nodes);
    this.apiServerUrl = `https://${k3s.apiEndpoint.includes(":") ? `[${k3s.apiEndpoint}]` : k3s.apiEndpoint}:6443`;

    // Generated once and kept in state; reaches nodes only on stdin.
    const token = new random.RandomPassword(`${name}-token`, { length: 48, special: false }, { parent: this });
    const tokenValue = pulumi.secret(token.result);
    const connectionOf = (node: NodeSpec) => nodeConnection(node, k3s, args.sshPrivateKey);
    const apiConnection = connectionOf(first);

    this.nodes = {};
    const make = (node: NodeSpec, joinAfter: pulumi.Resource[]) =>
      (this.nodes[node.name] = new K3sNode(`${name}-${node.name}`, {
        node, nodes, k3s, token: tokenValue, connection: connectionOf(node), apiConnection, joinAfter, scriptOptions: options,
      }, { parent: this }));

    // Servers join one at a time (simultaneous etcd joins fail); agents join in parallel once the
    // first server is Ready, never waiting on each other.
    const servers = serversOf(nodes);
    let previous = make(first, []);
    const firstNode = previous;
    for (const server of servers.slice(1)) previous = make(server, [previous.ready]);
    for (const agent of nodes.filter((n) => n.role === "agent")) make(agent, [firstNode.ready]);
    const allReady = Object.values(this.nodes).map((n) => n.ready);

    // Version bumps roll out through this chain, after the joins: servers one at a time, then
    // agents, each drained and uncordoned. On a node that already runs the release every step is a
    // no-op, so creating the chain on a fresh cluster changes nothing.
    let after: pulumi.Resource[] = allReady;
    for (const step of upgradeOrder(nodes)) {
      const node = nodes.find((n) => n.name === step.node)!;
      const parent = this.nodes[node.name];
      const base = `${name}-${node.name}-upgrade`;
      const run = (suffix: string, connection: Connection, script: string, dependsOn: pulumi.Resource[]) =>
        new command.remote.Command(`${base}${suffix}`, {
          connection,
          create: asCommand(script, true),
          update: asCommand(script, true),
          triggers: [k3s.version],
        }, { parent, dependsOn });
      const drain = run("-drain", apiConnection, upgradeDrainScript(node, k3s.version, options), after);
      const upgrade = run("", connectionOf(node), installScript(node, k3s.version, { allowUpgrade: true }, options), [drain]);
      const uncordon = run("-uncordon", apiConnection, upgradeUncordonScript(node, k3s.version, options), [upgrade]);
      after = [uncordon];
    }

    // The admin kubeconfig: read from the first server without logging, rewritten to the API
    // endpoint, and secret from the moment it exists.
    const fetched = new command.remote.Command(`${name}-kubeconfig`, {
      connection: apiConnection,
      create: asCommand(fetchKubeconfigScript(options), true),
      logging: "none",
    }, { parent: this, dependsOn: [firstNode.ready], additionalSecretOutputs: ["stdout"] });
    this.kubeconfig = pulumi.secret(
      // An empty stdout only happens in previews and mocks, where nothing was read.
      fetched.stdout.apply((raw) => (raw ? rewriteKubeconfig(raw, k3s.apiEndpoint, k3s.clusterName) : "")),
    );

    // Workloads land only once every node has joined.
    this.provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: this.kubeconfig }, { parent: this, dependsOn: allReady });

    this.registerOutputs({ kubeconfig: this.kubeconfig, apiServerUrl: this.apiServerUrl });
  }
}
