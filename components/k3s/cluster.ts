// K3sCluster: the node inventory becomes a K3s cluster over SSH, and the cluster's kubeconfig
// becomes the one Kubernetes provider the program uses. The scripts and files are built by the pure
// modules beside this one; this file only wires them to @pulumi/command steps in the right order.
import * as command from "@pulumi/command";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { K3sSettings, NodeSpec } from "../config/schema";
import {
  EtcdS3Credentials,
  configDigest,
  etcdS3CredentialsDigest,
  etcdS3CredentialsYaml,
  firstServer,
  k3sConfigYaml,
  nodePaths,
  registriesYaml,
  rewriteKubeconfig,
  serversOf,
  upgradePlan,
} from "./config";
import {
  ScriptOptions,
  asCommand,
  configureScript,
  configureStdin,
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
  /**
   * The access key pair K3s uploads etcd snapshots with; required when k3s.etcdSnapshots.s3 is
   * set, ignored otherwise (see `etcdS3CredentialsFrom`). Reaches servers only on stdin.
   */
  etcdS3Credentials?: pulumi.Input<EtcdS3Credentials>;
  /** Paths and URLs the scripts use; only tests change them. */
  scriptOptions?: Partial<ScriptOptions>;
}

/**
 * The etcd S3 credentials from the stack's optional secret keys, or undefined unless both are set
 * (loadConfig already refuses k3s.etcdSnapshots.s3 without them). The result stays secret.
 */
export function etcdS3CredentialsFrom(secrets: {
  etcdS3AccessKeyId?: pulumi.Input<string>;
  etcdS3SecretAccessKey?: pulumi.Input<string>;
}): pulumi.Output<EtcdS3Credentials> | undefined {
  const { etcdS3AccessKeyId: accessKeyId, etcdS3SecretAccessKey: secretAccessKey } = secrets;
  if (accessKeyId === undefined || secretAccessKey === undefined) return undefined;
  return pulumi.secret(pulumi.output({ accessKeyId, secretAccessKey }));
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
  /** Servers of a cluster that uploads etcd snapshots to S3: the credentials drop-in (secret). */
  etcdS3Credentials?: pulumi.Input<EtcdS3Credentials>;
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

    // Secrets reach the node only on stdin (`configureStdin`): the token, written to a root-only
    // file (token-file), and on servers that upload etcd snapshots to S3 the credentials drop-in.
    const credentialsYaml = args.etcdS3Credentials === undefined
      ? undefined
      : pulumi.secret(pulumi.output(args.etcdS3Credentials).apply((c) => etcdS3CredentialsYaml(c)));
    const configure = new command.remote.Command(`${name}-configure`, {
      connection: args.connection,
      create: asCommand(configureScript(configYaml, registries, options, { etcdS3Credentials: credentialsYaml !== undefined }), true),
      stdin: credentialsYaml
        ? pulumi.secret(pulumi.all([args.token, credentialsYaml]).apply(([token, yaml]) => configureStdin(token, yaml)))
        : pulumi.secret(args.token),
    }, { parent: this, dependsOn: [preflight, ...args.joinAfter] });

    // The install and ready steps must never be *replaced*: @pulumi/command replaces a command
    // whose `triggers` change, and replacing runs the old step's delete script (the uninstaller,
    // the drain). So they take no triggers; a configuration change reaches them as a change of
    // their own text (the digest marker below) and runs their `update` in place. Rotated etcd S3
    // credentials, kept out of the plain digest, reach the install step as a change of its
    // (secret) stdin, which the script does not read.
    const marked = (script: string) => `${script}\n# applies configuration ${digest.slice(0, 16)}\n`;
    const install = marked(installScript(node, k3s.version, { allowUpgrade: false }, options));
    const installed = new command.remote.Command(`${name}-install`, {
      connection: args.connection,
      create: asCommand(install, true),
      update: asCommand(install, true),
      delete: asCommand(uninstallScript(node, options), true),
      ...(credentialsYaml ? { stdin: pulumi.secret(credentialsYaml.apply(etcdS3CredentialsDigest)) } : {}),
    }, { parent: this, dependsOn: [configure] });

    // Deleting this step (the node left the inventory) drains and deletes the Node first; then the
    // install step above is deleted, which runs the uninstaller on the node.
    const ready = marked(waitReadyScript(node, options));
    this.ready = new command.remote.Command(`${name}-ready`, {
      connection: args.apiConnection,
      create: asCommand(ready, true),
      update: asCommand(ready, true),
      delete: asCommand(removeNodeScript(node, options), true),
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
    if (k3s.etcdSnapshots.s3 && args.etcdS3Credentials === undefined) {
      throw new Error(`${name}: k3s.etcdSnapshots.s3 is set but no etcdS3Credentials were given (homelab:etcdS3AccessKeyId and homelab:etcdS3SecretAccessKey)`);
    }
    // Only servers upload snapshots, and only when S3 is configured; credentials go nowhere else.
    const serverCredentials = k3s.etcdSnapshots.s3 ? args.etcdS3Credentials : undefined;
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
        etcdS3Credentials: node.role === "server" ? serverCredentials : undefined,
      }, { parent: this }));

    // Servers join one at a time (simultaneous etcd joins fail); agents join in parallel once the
    // first server is Ready, never waiting on each other.
    const servers = serversOf(nodes);
    let previous = make(first, []);
    const firstNode = previous;
    for (const server of servers.slice(1)) previous = make(server, [previous.ready]);
    for (const agent of nodes.filter((n) => n.role === "agent")) make(agent, [firstNode.ready]);
    const allReady = Object.values(this.nodes).map((n) => n.ready);

    // Version bumps roll out in stages after the joins (`upgradePlan`): servers one at a time,
    // then the agents in a fixed number of waves, each agent drained, upgraded and uncordoned in
    // parallel with the rest of its wave; a stage starts once every node of the previous one is
    // uncordoned. On a node that already runs the release every step is a no-op, so creating the
    // stages on a fresh cluster changes nothing, and their chain is servers + waves stages long
    // whatever the number of agents.
    const byName = new Map(nodes.map((n) => [n.name, n]));
    let after: pulumi.Resource[] = allReady;
    let firstUpgraded: pulumi.Resource | undefined;
    for (const stage of upgradePlan(nodes, k3s.agentUpgradeWaves)) {
      after = stage.map((step) => {
        const node = byName.get(step.node)!;
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
        if (node.name === first.name) firstUpgraded = uncordon;
        return uncordon;
      });
    }

    // The admin kubeconfig: read from the first server without logging, rewritten to the API
    // endpoint, and secret from the moment it exists. Its client certificate is valid for a year;
    // K3s renews it (and rewrites k3s.yaml) when it restarts within 120 days of expiry, so the file
    // is read again after every version bump (the trigger; this step has no delete script, so a
    // replacement only re-reads), once the first server runs the new release.
    const fetched = new command.remote.Command(`${name}-kubeconfig`, {
      connection: apiConnection,
      create: asCommand(fetchKubeconfigScript(options), true),
      logging: "none",
      triggers: [k3s.version],
    }, { parent: this, dependsOn: [firstNode.ready, ...(firstUpgraded ? [firstUpgraded] : [])], additionalSecretOutputs: ["stdout"] });
    this.kubeconfig = pulumi.secret(
      // An empty stdout only happens in previews and mocks, where nothing was read.
      fetched.stdout.apply((raw) => (raw ? rewriteKubeconfig(raw, k3s.apiEndpoint, k3s.clusterName) : "")),
    );

    // Workloads land only once every node has joined.
    this.provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: this.kubeconfig }, { parent: this, dependsOn: allReady });

    this.registerOutputs({ kubeconfig: this.kubeconfig, apiServerUrl: this.apiServerUrl });
  }
}
