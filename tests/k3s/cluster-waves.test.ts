// K3sCluster upgrade waves under the mock runtime: agents upgrade in a fixed number of waves, so
// the critical path of a fresh `pulumi up` does not grow with the number of agents.
import * as pulumi from "@pulumi/pulumi";
import { mockRuntime, settle, Recorder } from "../helpers/runtime";
import type { RecordedResource } from "../../tools/lib/recorder";
import { criticalPath } from "../../tools/lib/graph";
import { K3sCluster } from "../../components/k3s";
import { node, settings } from "./fixtures";

const CMD = "command:remote:Command";
let recorder: Recorder;

/** Three servers and `agents` agents, CPU only. */
const fleet = (prefix: string, agents: number) => [
  ...[1, 2, 3].map((i) => node(`${prefix}s${i}`, "server")),
  ...Array.from({ length: agents }, (_, i) => node(`${prefix}a${i}`, "agent")),
];
const small = fleet("w", 10);
const large = fleet("x", 40);

beforeAll(async () => {
  recorder = await mockRuntime();
  const k3s = settings({ agentUpgradeWaves: 3 });
  new K3sCluster("waves", { nodes: small, k3s, sshPrivateKey: pulumi.secret("k") });
  new K3sCluster("large", { nodes: large, k3s, sshPrivateKey: pulumi.secret("k") });
  await settle();
});

const step = (clusterName: string, nodeName: string, suffix: string): RecordedResource => recorder.byName(CMD, `${clusterName}-${nodeName}-${suffix}`);
const depsOf = (r: RecordedResource) => r.dependencies.map((urn) => urn.split("::").pop()!).sort();

describe("K3sCluster upgrade waves", () => {
  it("upgrades servers one at a time, then each wave after every uncordon of the previous one, never within a wave", () => {
    // 10 agents in 3 round-robin waves: wa0,wa3,wa6,wa9 | wa1,wa4,wa7 | wa2,wa5,wa8.
    const waves = [[0, 3, 6, 9], [1, 4, 7], [2, 5, 8]].map((w) => w.map((i) => `wa${i}`));
    const uncordons = (names: string[]) => names.map((n) => `waves-${n}-upgrade-uncordon`).sort();
    expect(depsOf(step("waves", "ws1", "upgrade-drain"))).toEqual(small.map((n) => `waves-${n.name}-ready`).sort());
    expect(depsOf(step("waves", "ws2", "upgrade-drain"))).toEqual(uncordons(["ws1"]));
    expect(depsOf(step("waves", "ws3", "upgrade-drain"))).toEqual(uncordons(["ws2"]));
    for (const a of waves[0]) expect(depsOf(step("waves", a, "upgrade-drain"))).toEqual(uncordons(["ws3"]));
    for (const a of waves[1]) expect(depsOf(step("waves", a, "upgrade-drain"))).toEqual(uncordons(waves[0]));
    for (const a of waves[2]) expect(depsOf(step("waves", a, "upgrade-drain"))).toEqual(uncordons(waves[1]));
    for (const a of waves.flat()) {
      expect(depsOf(step("waves", a, "upgrade"))).toEqual([`waves-${a}-upgrade-drain`]);
      expect(depsOf(step("waves", a, "upgrade-uncordon"))).toEqual([`waves-${a}-upgrade`]);
      expect((step("waves", a, "upgrade").revealedInputs.connection as { host: string }).host).toBe(`${a}.home.arpa`);
    }
  });

  it("keeps the critical path the same for 10 and 40 agents: servers + waves stages, not one per agent", () => {
    const ids = new Map(recorder.list().map((r) => [r.urn, r.name]));
    const pathOf = (clusterName: string) => criticalPath(recorder.ofType(CMD)
      .filter((r) => r.name.startsWith(`${clusterName}-`))
      .map((r) => ({ id: r.name, weight: 1, deps: r.dependencies.map((u) => ids.get(u) ?? u) })));
    const ten = pathOf("waves");
    const forty = pathOf("large");
    // Joins: one pre-flight, then 3 servers x (configure, install, ready); then (3 servers + 3
    // waves) x (drain, upgrade, uncordon). One agent at a time would add 3 steps per agent instead.
    expect(ten.length).toBe(1 + 3 * 3 + (3 + 3) * 3);
    expect(forty.length).toBe(ten.length);
    expect(recorder.ofType(CMD).filter((r) => r.name.startsWith("large-") && r.name.endsWith("-upgrade")).length).toBe(43);
  });

  it("does not disable K3s's packaged runtimes without GPU nodes", () => {
    expect(String(step("waves", "ws1", "configure").inputs.create)).not.toContain("runtimes");
  });
});
