// K3sCluster under the mock runtime: what is registered, in which order, and what stays secret.
import * as pulumi from "@pulumi/pulumi";
import { isSecret, mockRuntime, settle, valueOf, Recorder } from "../helpers/runtime";
import type { RecordedResource } from "../../tools/lib/recorder";
import * as YAML from "yaml";
import { displayText } from "../../tools/lib/diff";
import { K3sCluster, nodeConnection } from "../../components/k3s";
import { haInventory, settings } from "./fixtures";

const PRIVATE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nthis-is-the-test-private-key\n-----END OPENSSH PRIVATE KEY-----";
const CMD = "command:remote:Command";

let recorder: Recorder;
let cluster: K3sCluster;
const nodes = haInventory();
const k3s = settings({ bastion: { host: "bastion.home.arpa", user: "jump", hostKey: nodes[0].hostKey } });

beforeAll(async () => {
  recorder = await mockRuntime();
  cluster = new K3sCluster("homelab", { nodes, k3s, sshPrivateKey: pulumi.secret(PRIVATE_KEY) });
  await valueOf(cluster.kubeconfig);
  await settle();
});

const step = (nodeName: string, suffix: string): RecordedResource => recorder.byName(CMD, `homelab-${nodeName}-${suffix}`);
/** Names of the resources a resource depends on directly. */
const depsOf = (r: RecordedResource) => r.dependencies.map((urn) => urn.split("::").pop()!).sort();
/** The same, without the cluster's credentials (tokens, CAs) that flow into a step's stdin. */
const stepDeps = (r: RecordedResource) => depsOf(r).filter((name) => !name.startsWith("homelab-credentials-"));
/** The secret records a configure step sends on stdin, decoded (tests only: never printed). */
const recordsOf = (r: RecordedResource) => Object.fromEntries(String(r.revealedInputs.stdin).trim().split("\n")
  .map((line) => line.split(" ")).map(([name, value]) => [name, Buffer.from(value, "base64").toString("utf8")]));

describe("K3sCluster", () => {
  it("registers one K3sNode per inventory node with every step, parented to it", () => {
    const nodeComponents = recorder.ofType("homelab:k3s:K3sNode");
    expect(nodeComponents.map((n) => n.name).sort()).toEqual(nodes.map((n) => `homelab-${n.name}`).sort());
    for (const n of nodes) {
      for (const s of ["preflight", "configure", "install", "ready", "upgrade-drain", "upgrade", "upgrade-uncordon"]) {
        expect(step(n.name, s).parent).toBe(recorder.byName("homelab:k3s:K3sNode", `homelab-${n.name}`).urn);
      }
    }
    expect(recorder.byName("homelab:k3s:K3sNode", "homelab-s1").parent).toBe(recorder.byName("homelab:k3s:K3sCluster", "homelab").urn);
  });

  it("disables K3s's packaged RuntimeClasses (runtimes) on the servers of an inventory with GPU nodes", () => {
    for (const server of ["s1", "s2", "s3"]) expect(String(step(server, "configure").inputs.create)).toMatch(/\ndisable:\n  - "traefik"\n  - "runtimes"\n/);
    expect(String(step("a1", "configure").inputs.create)).not.toContain("disable:");
  });

  it("joins servers one at a time: each waits for the previous server to be Ready", () => {
    // The tokens (and, for the first server, the CA files) flow in through stdin, so the cluster's
    // credentials are dependencies too.
    expect(stepDeps(step("s1", "configure"))).toEqual(["homelab-s1-preflight"]);
    expect(stepDeps(step("s2", "configure"))).toEqual(["homelab-s1-ready", "homelab-s2-preflight"]);
    expect(stepDeps(step("s3", "configure"))).toEqual(["homelab-s2-ready", "homelab-s3-preflight"]);
    expect(depsOf(step("s2", "install"))).toEqual(["homelab-s2-configure"]);
    for (const server of ["s1", "s2", "s3"]) expect(depsOf(step(server, "configure"))).toEqual(expect.arrayContaining(["homelab-credentials-token", "homelab-credentials-agent-token"]));
  });

  it("joins agents once the first server is Ready, never waiting on each other or later servers", () => {
    for (const agent of ["gpu1", "pi1", "a1"]) {
      expect(stepDeps(step(agent, "configure"))).toEqual([`homelab-${agent}-preflight`, "homelab-s1-ready"]);
      expect(depsOf(step(agent, "install"))).toEqual([`homelab-${agent}-configure`]);
      expect(depsOf(step(agent, "ready"))).toEqual([`homelab-${agent}-install`]);
      // Agents get the agent token only: the server token would let them read the bootstrap data.
      expect(depsOf(step(agent, "configure"))).toContain("homelab-credentials-agent-token");
      expect(depsOf(step(agent, "configure"))).not.toContain("homelab-credentials-token");
    }
  });

  it("runs every pre-flight at once, before anything on its node", () => {
    for (const n of nodes) expect(depsOf(step(n.name, "preflight"))).toEqual([]);
  });

  it("chains upgrades after all joins: servers in order, then agents (fewer than the 4 default waves: one wave each)", () => {
    const all = nodes.map((n) => `homelab-${n.name}-ready`).sort();
    expect(depsOf(step("s1", "upgrade-drain"))).toEqual(all);
    expect(depsOf(step("s1", "upgrade"))).toEqual(["homelab-s1-upgrade-drain"]);
    expect(depsOf(step("s1", "upgrade-uncordon"))).toEqual(["homelab-s1-upgrade"]);
    expect(depsOf(step("s2", "upgrade-drain"))).toEqual(["homelab-s1-upgrade-uncordon"]);
    expect(depsOf(step("s3", "upgrade-drain"))).toEqual(["homelab-s2-upgrade-uncordon"]);
    expect(depsOf(step("gpu1", "upgrade-drain"))).toEqual(["homelab-s3-upgrade-uncordon"]);
    expect(depsOf(step("a1", "upgrade-drain"))).toEqual(["homelab-pi1-upgrade-uncordon"]);
    expect(step("a1", "upgrade").inputs.triggers).toEqual([k3s.version]);
  });

  it("runs kubectl steps on the first server and node steps on the node, host keys pinned, through the bastion", () => {
    const conn = (r: RecordedResource) => r.revealedInputs.connection as Record<string, any>;
    expect(conn(step("a1", "install")).host).toBe("a1.home.arpa");
    expect(conn(step("a1", "ready")).host).toBe("s1.home.arpa");
    expect(conn(step("a1", "upgrade-drain")).host).toBe("s1.home.arpa");
    expect(conn(step("a1", "upgrade")).host).toBe("a1.home.arpa");
    for (const r of recorder.ofType(CMD)) {
      const c = conn(r);
      expect(c.hostKey).toBe(nodes[0].hostKey);
      expect(c.proxy).toMatchObject({ host: "bastion.home.arpa", user: "jump", hostKey: nodes[0].hostKey });
      // @pulumi/command keeps the whole connection secret; the key inside is secret on its own too.
      expect(r.secretPaths).toContain("connection");
      expect(r.inputs.connection).toBe("[secret]");
    }
  });

  it("omits the proxy without a bastion", () => {
    expect(nodeConnection(nodes[0], settings(), { privateKey: "k" }).proxy).toBeUndefined();
  });

  it("sends the join tokens and credentials only on stdin of the configure steps, as a secret", () => {
    const passwords = recorder.ofType("random:index/randomPassword:RandomPassword");
    expect(passwords.map((p) => p.name).sort()).toEqual(["homelab-credentials-agent-token", "homelab-credentials-token"]);
    for (const p of passwords) expect(p.inputs).toMatchObject({ length: 48, special: false });
    for (const r of recorder.ofType(CMD)) {
      if (r.name.endsWith("-configure")) {
        expect(r.secretPaths).toContain("stdin");
        expect(r.inputs.stdin).toBe("[secret]");
      } else {
        expect(r.inputs.stdin).toBeUndefined();
      }
      expect(r.inputs.environment).toBeUndefined();
    }
  });

  it("gives servers the server and agent tokens, agents the agent token, the first server the cluster CA", () => {
    const s1 = recordsOf(step("s1", "configure"));
    expect(Object.keys(s1).filter((k) => !k.startsWith("ca/")).sort()).toEqual(["agent-token", "token"]);
    expect(Object.keys(s1).filter((k) => k.startsWith("ca/"))).toHaveLength(11);
    expect(s1.token).toMatch(/^K10[0-9a-f]{64}::server:[A-Za-z0-9]{48}$/);
    expect(s1["agent-token"]).toMatch(/^K10[0-9a-f]{64}::node:[A-Za-z0-9]{48}$/);
    // Both pin the same cluster CA: the hash of the server-ca.crt the first server places.
    expect(s1.token.slice(0, 67)).toBe(s1["agent-token"].slice(0, 67));
    expect(Object.keys(recordsOf(step("s2", "configure"))).sort()).toEqual(["agent-token", "token"]);
    expect(Object.keys(recordsOf(step("a1", "configure")))).toEqual(["agent-token"]);
    expect(recordsOf(step("a1", "configure"))["agent-token"]).toBe(s1["agent-token"]);
    expect(displayText(String(step("s1", "configure").inputs.create))).toContain("ca_files='client-ca.crt client-ca.key etcd/peer-ca.crt");
    expect(displayText(String(step("s2", "configure").inputs.create))).toContain("ca_files=''");
  });

  it("protects every credential that lives as long as the cluster", () => {
    const credentials = recorder.list().filter((r) => r.type.startsWith("random:") || r.type.startsWith("tls:"));
    // Two tokens; five CAs (key and certificate each); the service-account key; the admin key, request and certificate.
    expect(credentials).toHaveLength(2 + 5 * 2 + 1 + 3);
    for (const c of credentials) expect({ name: c.name, protect: c.protect }).toEqual({ name: c.name, protect: true });
    expect(recorder.byName("tls:index/privateKey:PrivateKey", "homelab-credentials-server-ca-key").inputs).toMatchObject({ algorithm: "ECDSA", ecdsaCurve: "P256" });
    expect(recorder.byName("tls:index/privateKey:PrivateKey", "homelab-credentials-service-account-key").inputs).toMatchObject({ algorithm: "RSA", rsaBits: 2048 });
  });

  it("re-applies a node on configuration change in place: update repeats create, so the uninstaller never runs", () => {
    for (const n of nodes) {
      const install = step(n.name, "install");
      expect(install.inputs.update).toBe(install.inputs.create);
      expect(String(install.inputs.delete)).toContain(n.role === "server" ? "k3s-uninstall.sh" : "k3s-agent-uninstall.sh");
      expect(String(step(n.name, "ready").inputs.delete)).toContain("kubectl delete node");
      // The node's configuration digest is part of the script text, so a change is an update.
      expect(String(install.inputs.create)).toMatch(/# applies configuration [0-9a-f]{16}\n/);
    }
    // Different nodes have different configuration digests, so one node's change touches only it.
    expect(step("a1", "install").inputs.create).not.toEqual(step("pi1", "install").inputs.create);
  });

  it("never gives a step with a delete script triggers: changed triggers replace a command, and replacing runs its delete", () => {
    // @pulumi/command declares replaceOnChanges on triggers for every command.
    const commands = recorder.ofType(CMD);
    expect(commands.every((c) => c.replaceOnChanges.includes("triggers[*]"))).toBe(true);
    const destructive = commands.filter((c) => c.inputs.delete !== undefined);
    expect(destructive.length).toBeGreaterThanOrEqual(nodes.length * 2);
    for (const c of destructive) expect({ name: c.name, triggers: c.inputs.triggers }).toEqual({ name: c.name, triggers: undefined });
  });

  it("builds the provider from the credentials alone, with the cluster CA as its identity", async () => {
    expect(recorder.ofType(CMD).filter((c) => c.name.includes("kubeconfig"))).toEqual([]);
    const providers = recorder.ofType("pulumi:providers:kubernetes");
    expect(providers).toHaveLength(1);
    expect(providers[0].name).toBe("homelab-k8s");
    expect(providers[0].secretPaths).toContain("kubeconfig");
    // No command output feeds it: its inputs depend on the protected credentials only.
    const feeding = Object.values(providers[0].dependencies).map((urn) => urn.split("::").pop()!);
    expect(feeding.filter((n) => !n.startsWith("homelab-credentials-") && !n.endsWith("-ready") && n !== "homelab-admin-access")).toEqual([]);
    expect(depsOf(providers[0])).toEqual(expect.arrayContaining([...nodes.map((n) => `homelab-${n.name}-ready`), "homelab-admin-access"]));
    expect(providers[0].inputs.clusterIdentifier).toMatch(/^k3s-[0-9a-f]{16}$/);
    const kubeconfig = YAML.parse(String(providers[0].revealedInputs.kubeconfig));
    expect(kubeconfig.clusters[0].cluster.server).toBe("https://k3s.home.arpa:6443");
    expect(await isSecret(cluster.kubeconfig)).toBe(true);
  });

  it("grants the program's admin identity cluster-admin from the first server, once it is Ready", () => {
    const grant = recorder.byName(CMD, "homelab-admin-access");
    expect((grant.revealedInputs.connection as any).host).toBe("s1.home.arpa");
    expect(depsOf(grant)).toEqual(["homelab-s1-ready"]);
    expect(String(grant.inputs.create)).toContain("name: homelab-admin");
    expect(grant.inputs.delete).toBeUndefined();
  });

  it("puts no secret value in any recorded input", () => {
    const dump = JSON.stringify(recorder.list().map((r) => r.inputs));
    expect(dump).not.toContain("this-is-the-test-private-key");
    expect(dump).not.toContain("PRIVATE KEY");
    // The private key is in the revealed inputs, so the check above is not vacuous.
    expect(JSON.stringify(recorder.list().map((r) => r.revealedInputs))).toContain("this-is-the-test-private-key");
  });
});

describe("every step", () => {
  it("sends no previous output back to the node in its environment", () => {
    for (const c of recorder.ofType(CMD)) expect({ name: c.name, addPreviousOutputInEnv: c.inputs.addPreviousOutputInEnv }).toEqual({ name: c.name, addPreviousOutputInEnv: false });
  });
});
