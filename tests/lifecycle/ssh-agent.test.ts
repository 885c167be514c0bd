// Lifecycle: a deployed staging lab switches its SSH login from the key in stack config to the
// operator's agent (`pulumi config set --path homelab:ssh.agent true`, `pulumi config rm
// homelab:sshPrivateKey`). Every step's connection changes, which @pulumi/command applies as an
// in-place update (it runs each step's idempotent update or create script again); nothing is
// replaced, nothing in the cluster changes.
import type { DeploymentState } from "../../tools/lib/engine/state";
import { preview } from "../../tools/lib/lifecycle";
import { changed, deployed, stackConfig, withSetting } from "../helpers/lifecycle";

const config = stackConfig("staging");
let state: DeploymentState;

beforeAll(async () => {
  state = await deployed(config);
});

it("switching to the SSH agent updates every step in place and touches nothing else", async () => {
  const agent = withSetting<Record<string, unknown>>(config, "ssh", (ssh) => ({ ...ssh, agent: true }));
  delete agent.values["homelab:sshPrivateKey"]; // pulumi config rm
  const run = await preview(agent, { prior: state });
  expect(run.errors).toEqual([]);
  const ops = changed(run.decisions);
  const steps = state.resources.filter((r) => r.type === "command:remote:Command");
  expect(ops.map((d) => d.name).sort()).toEqual(steps.map((r) => r.name).sort());
  expect(ops.every((d) => d.op === "update" && d.changed.every((p) => p.startsWith("connection")))).toBe(true);
  // The key is gone from every step's inputs.
  for (const r of run.recorder.ofType("command:remote:Command")) expect(JSON.stringify(r.revealedInputs.connection)).not.toMatch(/privateKey/);
});
