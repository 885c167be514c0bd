// K3sCluster: the node inventory becomes a K3s cluster over SSH, and the cluster's credentials
// become the one Kubernetes provider the program uses. The scripts and files are built by the pure
// modules beside this one; this file only wires them to @pulumi/command steps in the right order.
//
// Lifetimes: the credentials (tokens, CAs, the admin certificate) live as long as the cluster and
// are protected; the provider is built from them alone, so its inputs are known in every preview
// after the first deployment and no K3s upgrade, node change or SSH change can replace it (which
// would replace every Kubernetes object). Each node's steps live as long as the node.
import * as command from "@pulumi/command";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { K3sSettings, NodeSpec } from "../config/schema";
import { ClusterCredentials } from "./cluster-credentials";
import {
  EtcdS3Credentials,
  ProgramBucketPlacement,
  apiServerUrl,
  auditPolicyYaml,
  configDigest,
  etcdS3CredentialsDigest,
  etcdS3CredentialsYaml,
  firstServer,
  k3sConfigYaml,
  nodePaths,
  registriesYaml,
  serversOf,
  upgradePlan,
} from "./config";
import { ADMIN_BINDING, ADMIN_USER, CLUSTER_CAS, ClusterCaMaterial, adminKubeconfig, clusterIdentifier, customCaFiles, fullToken } from "./credentials";
import {
  RECORDS,
  ScriptOptions,
  asCommand,
  caRecord,
  configureScript,
  grantAdminScript,
  installScript,
  preflightScript,
  removeNodeScript,
  secretRecordsStdin,
  uninstallScript,
  upgradeDrainScript,
  upgradeUncordonScript,
  waitReadyScript,
  withDefaults,
} from "./scripts";

type Connection = command.types.input.remote.ConnectionArgs;

/**
 * Shared by every step. @pulumi/command would otherwise send a step's previous output back to the
 * node in its environment when it runs again (PULUMI_COMMAND_STDOUT); nothing here needs it.
 */
const STEP = { addPreviousOutputInEnv: false } as const;

export interface K3sClusterArgs {
  /** The whole inventory; servers in inventory order, the first one initialises the cluster. */
  nodes: NodeSpec[];
  k3s: K3sSettings;
  /** OpenSSH private key that logs in to every node (and the bastion); kept secret. */
  sshPrivateKey?: pulumi.Input<string>;
  /**
   * Log in through the operator's SSH agent instead of a key: the agent at `socketPath`, or at
   * $SSH_AUTH_SOCK of the process running Pulumi (read by the provider, never stored) without one.
   */
  sshAgent?: { socketPath?: string };
  /**
   * The access key pair K3s uploads etcd snapshots with; required when k3s.etcdSnapshots.s3 is
   * set, ignored otherwise (see `etcdS3CredentialsFrom`). Reaches servers only on stdin.
   */
  etcdS3Credentials?: pulumi.Input<EtcdS3Credentials>;
  /**
   * The program's own snapshot bucket, required when k3s.etcdSnapshots.programBucket is set: where
   * it is (plain, in config.yaml), and its name and writer's access key (secret, in the drop-in:
   * AWS names the bucket on creation, so the name is unknown until then).
   */
  etcdS3Bucket?: EtcdS3Bucket;
  /** Paths and URLs the scripts use; only tests change them. */
  scriptOptions?: Partial<ScriptOptions>;
}

export interface EtcdS3Bucket {
  placement: ProgramBucketPlacement;
  bucket: pulumi.Input<string>;
  credentials: pulumi.Input<EtcdS3Credentials>;
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

/** How the steps log in: a private key, or the operator's SSH agent. */
export type SshAuth = { privateKey: pulumi.Input<string> } | { agent: { socketPath?: string } };

/**
 * SSH settings for one node: key auth only (a private key, or the operator's SSH agent, whose keys
 * never enter config or state; @pulumi/command falls back to $SSH_AUTH_SOCK when no socket path is
 * given), its host key pinned, through the bastion if any.
 */
export function nodeConnection(node: NodeSpec, k3s: Pick<K3sSettings, "bastion">, auth: SshAuth): Connection {
  const credentials = "privateKey" in auth
    ? { privateKey: pulumi.secret(auth.privateKey) }
    : auth.agent.socketPath !== undefined ? { agentSocketPath: auth.agent.socketPath } : {};
  const bastion = k3s.bastion;
  return {
    host: node.host,
    port: node.port,
    user: node.user,
    ...credentials,
    hostKey: node.hostKey,
    dialErrorLimit: 20,
    perDialTimeout: 15,
    ...(bastion ? { proxy: { host: bastion.host, port: bastion.port, user: bastion.user, ...credentials, hostKey: bastion.hostKey } } : {}),
  };
}

export interface K3sNodeArgs {
  node: NodeSpec;
  nodes: NodeSpec[];
  k3s: K3sSettings;
  /** The records the node's configure step gets on stdin (tokens, CA files, credentials): secret. */
  secrets: pulumi.Output<Record<string, string>>;
  /** The cluster CA file names, for the first server (it places them before K3s's first start). */
  caFiles?: string[];
  connection: Connection;
  /** The first server, where kubectl runs (agents have no admin kubeconfig). */
  apiConnection: Connection;
  /** What this node joins after: the previous server for servers, the first server for agents. */
  joinAfter: pulumi.Resource[];
  /** Servers of a cluster that uploads etcd snapshots to S3: the credentials' digest (secret). */
  etcdS3CredentialsDigest?: pulumi.Output<string>;
  /** Where the program's snapshot bucket is, when the snapshots go there. */
  programBucket?: ProgramBucketPlacement;
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
    const configYaml = k3sConfigYaml(node, nodes, k3s, nodePaths(options.root), args.programBucket);
    const registries = registriesYaml(k3s);
    const serverFiles = node.role === "server" ? { auditPolicy: auditPolicyYaml() } : undefined;
    const digest = configDigest(configYaml, registries, serverFiles?.auditPolicy);
    const installerSha256 = k3s.installerSha256[k3s.version];
    this.nodeName = node.name;
    this.role = node.role;
    this.configDigest = digest;

    // Pre-flight needs nothing else, so every node is checked at once and a bad one fails early.
    const preflight = new command.remote.Command(`${name}-preflight`, {
      connection: args.connection,
      ...STEP,
      create: asCommand(preflightScript(node, options, { wireguard: k3s.flannelBackend === "wireguard-native" }), false),
      triggers: [digest],
    }, { parent: this });

    // Secrets reach the node only on stdin, as named records (`secretRecordsStdin`): the join
    // tokens, written to root-only files, and where they apply the etcd S3 credentials drop-in and
    // the cluster CA files.
    const configure = new command.remote.Command(`${name}-configure`, {
      connection: args.connection,
      ...STEP,
      create: asCommand(configureScript(configYaml, registries, options, {
        serverToken: node.role === "server",
        etcdS3Credentials: args.etcdS3CredentialsDigest !== undefined,
        caFiles: args.caFiles,
      }, serverFiles), true),
      stdin: pulumi.secret(args.secrets.apply(secretRecordsStdin)),
    }, { parent: this, dependsOn: [preflight, ...args.joinAfter] });

    // The install and ready steps must never be *replaced*: @pulumi/command replaces a command
    // whose `triggers` change, and replacing runs the old step's delete script (the uninstaller,
    // the drain). So they take no triggers; a configuration change reaches them as a change of
    // their own text (the digest marker below) and runs their `update` in place. Rotated etcd S3
    // credentials, kept out of the plain digest, reach the install step as a change of its
    // (secret) stdin, which the script does not read.
    const marked = (script: string) => `${script}\n# applies configuration ${digest.slice(0, 16)}\n`;
    const install = marked(installScript(node, k3s.version, { allowUpgrade: false, installerSha256 }, options));
    const installed = new command.remote.Command(`${name}-install`, {
      connection: args.connection,
      ...STEP,
      create: asCommand(install, true),
      update: asCommand(install, true),
      delete: asCommand(uninstallScript(node, options), true),
      ...(args.etcdS3CredentialsDigest ? { stdin: args.etcdS3CredentialsDigest } : {}),
    }, { parent: this, dependsOn: [configure] });

    // Deleting this step (the node left the inventory) drains and deletes the Node first; then the
    // install step above is deleted, which runs the uninstaller on the node (unless the machine was
    // renamed: see uninstallScript).
    const ready = marked(waitReadyScript(node, options));
    this.ready = new command.remote.Command(`${name}-ready`, {
      connection: args.apiConnection,
      ...STEP,
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
  /** What the provider knows the cluster by; it changes only with the cluster CA. */
  readonly clusterIdentifier: pulumi.Output<string>;
  readonly nodes: Record<string, K3sNode>;
  readonly apiServerUrl: string;
  /**
   * The full server token (secret): what an etcd snapshot restore needs on a fresh server
   * (docs/recovery.md). It lives as long as the cluster's credentials.
   */
  readonly serverToken: pulumi.Output<string>;

  constructor(name: string, args: K3sClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:k3s:K3sCluster", name, {}, opts);
    const { k3s } = args;
    const options = withDefaults(args.scriptOptions);
    const nodes = [...args.nodes];
    const first = firstServer(nodes);
    if ((args.sshPrivateKey === undefined) === (args.sshAgent === undefined)) {
      throw new Error(`${name}: give the nodes' SSH login as exactly one of sshPrivateKey (homelab:sshPrivateKey) or sshAgent (homelab:ssh.agent)`);
    }
    if (k3s.etcdSnapshots.s3 && args.etcdS3Credentials === undefined) {
      throw new Error(`${name}: k3s.etcdSnapshots.s3 is set but no etcdS3Credentials were given (homelab:etcdS3AccessKeyId and homelab:etcdS3SecretAccessKey)`);
    }
    if (k3s.etcdSnapshots.programBucket && args.etcdS3Bucket === undefined) {
      throw new Error(`${name}: k3s.etcdSnapshots.programBucket is set but no etcdS3Bucket was given (the program's snapshot bucket)`);
    }
    const programBucket = k3s.etcdSnapshots.programBucket ? args.etcdS3Bucket : undefined;
    this.apiServerUrl = apiServerUrl(k3s.apiEndpoint);

    // Made once, protected, and the only source of the tokens, the CA files and the kubeconfig.
    const credentials = new ClusterCredentials(`${name}-credentials`, { parent: this });
    const serverToken = pulumi.all([credentials.serverCaPem, credentials.serverTokenPassword]).apply(([ca, password]) => fullToken(ca, "server", password));
    const agentToken = pulumi.all([credentials.serverCaPem, credentials.agentTokenPassword]).apply(([ca, password]) => fullToken(ca, "node", password));
    const caFiles = credentials.caMaterial.apply(customCaFiles);
    const caFileNames = Object.keys(customCaFiles(PLACEHOLDER_CA_MATERIAL)).sort();

    // Only servers upload snapshots, and only when S3 is configured; credentials go nowhere else.
    const s3Credentials = k3s.etcdSnapshots.s3 && args.etcdS3Credentials !== undefined
      ? pulumi.secret(pulumi.output(args.etcdS3Credentials).apply((c) => etcdS3CredentialsYaml(c)))
      : programBucket
        ? pulumi.secret(pulumi.all([programBucket.credentials, programBucket.bucket]).apply(([c, bucket]) => etcdS3CredentialsYaml(c, bucket)))
        : undefined;
    const secretsFor = (node: NodeSpec): pulumi.Output<Record<string, string>> => {
      const parts: Record<string, pulumi.Input<string>> = { [RECORDS.agentToken]: agentToken };
      if (node.role === "server") parts[RECORDS.serverToken] = serverToken;
      if (node.role === "server" && s3Credentials) parts[RECORDS.etcdS3Credentials] = s3Credentials;
      const records = pulumi.all(parts);
      if (node.name !== first.name) return pulumi.secret(records);
      return pulumi.secret(pulumi.all([records, caFiles]).apply(([r, files]) => ({
        ...r,
        ...Object.fromEntries(Object.entries(files).map(([file, content]) => [caRecord(file), content])),
      })));
    };
    const s3Digest = s3Credentials ? pulumi.secret(s3Credentials.apply(etcdS3CredentialsDigest)) : undefined;

    const sshAuth: SshAuth = args.sshAgent ? { agent: args.sshAgent } : { privateKey: args.sshPrivateKey! };
    const connectionOf = (node: NodeSpec) => nodeConnection(node, k3s, sshAuth);
    const apiConnection = connectionOf(first);

    this.nodes = {};
    const make = (node: NodeSpec, joinAfter: pulumi.Resource[]) =>
      (this.nodes[node.name] = new K3sNode(`${name}-${node.name}`, {
        node, nodes, k3s, connection: connectionOf(node), apiConnection, joinAfter, scriptOptions: options,
        secrets: secretsFor(node),
        caFiles: node.name === first.name ? caFileNames : undefined,
        etcdS3CredentialsDigest: node.role === "server" ? s3Digest : undefined,
        programBucket: programBucket?.placement,
      }, {
        parent: this,
        // A renamed machine keeps its steps: the engine matches the old name's component (and its
        // children, named after it) instead of deleting one node and creating another.
        aliases: node.formerNames.map((former) => ({ name: `${name}-${former}` })),
      }));

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
    // whatever the number of agents. These steps may be replaced (their trigger is the version):
    // they have no delete script, so a replacement only runs them again.
    const byName = new Map(nodes.map((n) => [n.name, n]));
    let after: pulumi.Resource[] = allReady;
    for (const stage of upgradePlan(nodes, k3s.agentUpgradeWaves)) {
      after = stage.map((step) => {
        const node = byName.get(step.node)!;
        const parent = this.nodes[node.name];
        const base = `${name}-${node.name}-upgrade`;
        const run = (suffix: string, connection: Connection, script: string, dependsOn: pulumi.Resource[]) =>
          new command.remote.Command(`${base}${suffix}`, {
            connection,
            ...STEP,
            create: asCommand(script, true),
            update: asCommand(script, true),
            triggers: [k3s.version],
          }, { parent, dependsOn });
        const drain = run("-drain", apiConnection, upgradeDrainScript(node, k3s.version, options), after);
        const upgrade = run("", connectionOf(node), installScript(node, k3s.version, { allowUpgrade: true, installerSha256: k3s.installerSha256[k3s.version] }, options), [drain]);
        return run("-uncordon", apiConnection, upgradeUncordonScript(node, k3s.version, options), [upgrade]);
      });
    }

    // The program's admin identity gets cluster-admin from K3s's local admin on the first server.
    const adminAccess = new command.remote.Command(`${name}-admin-access`, {
      connection: apiConnection,
      ...STEP,
      create: asCommand(grantAdminScript(ADMIN_USER, ADMIN_BINDING, options), true),
    }, { parent: this, dependsOn: [firstNode.ready] });

    // The kubeconfig is a pure function of the credentials and the API endpoint: no command output
    // feeds it, so SSH, host-key and version changes leave it (and the provider) alone.
    this.kubeconfig = pulumi.secret(pulumi.all([credentials.serverCaPem, credentials.adminCertPem, credentials.adminKeyPem])
      .apply(([serverCaPem, clientCertPem, clientKeyPem]) => adminKubeconfig({
        clusterName: k3s.clusterName, server: this.apiServerUrl, serverCaPem, clientCertPem, clientKeyPem,
      })));
    this.clusterIdentifier = credentials.serverCaPem.apply(clusterIdentifier);
    this.serverToken = pulumi.secret(serverToken);

    // Workloads land only once every node has joined and the admin identity has its rights.
    this.provider = new k8s.Provider(`${name}-k8s`, {
      kubeconfig: this.kubeconfig,
      clusterIdentifier: this.clusterIdentifier,
    }, { parent: this, dependsOn: [...allReady, adminAccess] });

    this.registerOutputs({ kubeconfig: this.kubeconfig, apiServerUrl: this.apiServerUrl, clusterIdentifier: this.clusterIdentifier });
  }
}

/** Stands in for the real CA material where only the file names matter. */
const PLACEHOLDER_CA_MATERIAL = {
  cas: Object.fromEntries(CLUSTER_CAS.map((ca) => [ca, { certPem: "-", keyPem: "-" }])) as ClusterCaMaterial["cas"],
  serviceAccountKeyPem: "-",
};
