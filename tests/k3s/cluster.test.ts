// K3sCluster under the mock runtime: what is registered, in which order, and what stays secret.
import * as pulumi from "@pulumi/pulumi";
import { isSecret, mockRuntime, settle, valueOf, Recorder } from "../helpers/runtime";
import type { RecordedResource } from "../../tools/lib/recorder";
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
/** Names of the commands a resource depends on directly. */
const depsOf = (r: RecordedResource) => r.dependencies.map((urn) => urn.split("::").pop()!).sort();

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
    for (const server of ["s1", "s2", "s3"]) expect(String(step(server, "configure").inputs.create)).toMatch(/\ndisable:\n  - traefik\n  - runtimes\n/);
    expect(String(step("a1", "configure").inputs.create)).not.toContain("disable:");
  });

  it("joins servers one at a time: each waits for the previous server to be Ready", () => {
    // The token flows in through stdin, so it is a dependency too.
    expect(depsOf(step("s1", "configure"))).toEqual(["homelab-s1-preflight", "homelab-token"]);
    expect(depsOf(step("s2", "configure"))).toEqual(["homelab-s1-ready", "homelab-s2-preflight", "homelab-token"]);
    expect(depsOf(step("s3", "configure"))).toEqual(["homelab-s2-ready", "homelab-s3-preflight", "homelab-token"]);
    expect(depsOf(step("s2", "install"))).toEqual(["homelab-s2-configure"]);
  });

  it("joins agents once the first server is Ready, never waiting on each other or later servers", () => {
    for (const agent of ["gpu1", "pi1", "a1"]) {
      expect(depsOf(step(agent, "configure"))).toEqual([`homelab-${agent}-preflight`, "homelab-s1-ready", "homelab-token"]);
      expect(depsOf(step(agent, "install"))).toEqual([`homelab-${agent}-configure`]);
      expect(depsOf(step(agent, "ready"))).toEqual([`homelab-${agent}-install`]);
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
    expect(nodeConnection(nodes[0], settings(), "k").proxy).toBeUndefined();
  });

  it("sends the generated token only on stdin of the configure steps, as a secret", () => {
    const token = recorder.ofType("random:index/randomPassword:RandomPassword");
    expect(token).toHaveLength(1);
    expect(token[0].inputs).toMatchObject({ length: 48, special: false });
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

  it("reads the kubeconfig from the first server with logging off and stdout secret", () => {
    const fetch = recorder.byName(CMD, "homelab-kubeconfig");
    expect((fetch.revealedInputs.connection as any).host).toBe("s1.home.arpa");
    expect(fetch.inputs.logging).toBe("none");
    expect(fetch.additionalSecretOutputs).toContain("stdout");
    // Read again after a version bump (K3s renews the admin client certificate on restart near its
    // expiry), once the first server runs the new release; it has no delete script to replace.
    expect(depsOf(fetch).sort()).toEqual(["homelab-s1-ready", "homelab-s1-upgrade-uncordon"]);
    expect(fetch.inputs.triggers).toEqual([k3s.version]);
    expect(fetch.inputs.delete).toBeUndefined();
  });

  it("builds exactly one Kubernetes provider, from the secret kubeconfig, after every node joined", async () => {
    const providers = recorder.ofType("pulumi:providers:kubernetes");
    expect(providers).toHaveLength(1);
    expect(providers[0].name).toBe("homelab-k8s");
    expect(providers[0].secretPaths).toContain("kubeconfig");
    expect(depsOf(providers[0])).toEqual(expect.arrayContaining(nodes.map((n) => `homelab-${n.name}-ready`)));
    expect(await isSecret(cluster.kubeconfig)).toBe(true);
  });

  it("puts no secret value in any recorded input", () => {
    const dump = JSON.stringify(recorder.list().map((r) => r.inputs));
    expect(dump).not.toContain("this-is-the-test-private-key");
    expect(dump).not.toContain("PRIVATE KEY");
    // The private key is in the revealed inputs, so the check above is not vacuous.
    expect(JSON.stringify(recorder.list().map((r) => r.revealedInputs))).toContain("this-is-the-test-private-key");
  });
});
