// K3sCluster logging in through the operator's SSH agent: no private key in any step's connection
// (nor its bastion hop), the agent's socket only when the stack names one.
import * as pulumi from "@pulumi/pulumi";
import { K3sCluster, nodeConnection } from "../../components/k3s";
import { mockRuntime, Recorder, settle, valueOf } from "../helpers/runtime";
import { haInventory, settings } from "./fixtures";

const CMD = "command:remote:Command";
const SOCKET = "/home/op/.1password/agent.sock";
let recorder: Recorder;
const nodes = haInventory();
const k3s = settings({ bastion: { host: "bastion.home.arpa", user: "jump", hostKey: nodes[0].hostKey } });

beforeAll(async () => {
  recorder = await mockRuntime();
  const cluster = new K3sCluster("agent", { nodes, k3s, sshAgent: { socketPath: SOCKET } });
  await valueOf(cluster.kubeconfig);
  await settle();
});

describe("K3sCluster with an SSH agent", () => {
  it("gives no step a private key, and every step (and its bastion hop) the agent's socket", () => {
    const steps = recorder.ofType(CMD);
    expect(steps.length).toBeGreaterThan(nodes.length * 4);
    for (const r of steps) {
      const c = r.revealedInputs.connection as Record<string, Record<string, unknown>>;
      expect(JSON.stringify(c)).not.toMatch(/privateKey|PRIVATE KEY/);
      expect(c.agentSocketPath).toBe(SOCKET);
      expect(c.proxy).toMatchObject({ host: "bastion.home.arpa", agentSocketPath: SOCKET });
      expect(c.hostKey).toBeDefined();
    }
  });

  it("leaves the socket to the provider ($SSH_AUTH_SOCK, never stored) when the stack names none", () => {
    const c = nodeConnection(nodes[0], settings(), { agent: {} });
    expect(c).not.toHaveProperty("privateKey");
    expect(c).not.toHaveProperty("agentSocketPath");
    expect(nodeConnection(nodes[0], settings(), { privateKey: "k" })).not.toHaveProperty("agentSocketPath");
  });

  it("needs exactly one way to log in", () => {
    expect(() => new K3sCluster("none", { nodes, k3s })).toThrow(/exactly one of sshPrivateKey .* or sshAgent/);
    expect(() => new K3sCluster("both", { nodes, k3s, sshPrivateKey: pulumi.secret("k"), sshAgent: {} })).toThrow(/exactly one/);
  });
});
