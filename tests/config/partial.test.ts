import { parseParts } from "../../components/config/partial";
import { HomelabSchema, NodeSchema } from "../../components/config/schema";
import { validRaw } from "./fixtures";

describe("parseParts", () => {
  it("returns the full parse, defaults applied, when everything is valid", () => {
    expect(parseParts(HomelabSchema, validRaw())).toEqual(HomelabSchema.parse(validRaw()));
  });

  it("keeps the valid fields of a broken block, with their defaults, and drops the broken ones", () => {
    const raw = validRaw();
    raw.nodes[0].arch = "x86";
    raw.nodes[0].lables = {};
    expect(parseParts(NodeSchema, raw.nodes[0])).toEqual({
      name: "server1", host: "server1.home.arpa", port: 22, user: "homelab", hostKey: raw.nodes[0].hostKey, role: "server", labels: {}, taints: [], formerNames: [],
    });
  });

  it("keeps list positions, so problems still name the right item", () => {
    const raw = validRaw();
    raw.nodes[1] = "not a node";
    const parts = parseParts(HomelabSchema, raw) as { nodes: unknown[]; k3s: { agentUpgradeWaves: number } };
    expect(parts.nodes).toHaveLength(3);
    expect(parts.nodes[1]).toBeUndefined();
    expect(parts.nodes[2]).toMatchObject({ name: "pi1", arch: "arm64" });
    expect(parts.k3s.agentUpgradeWaves).toBe(4);
  });

  it("parses a missing block from its defaults and keeps the valid entries of a mapping", () => {
    const raw = validRaw();
    raw.nodes[2].labels = { "homelab.dev/class": "sbc", "Bad Key!": "x" };
    const parts = parseParts(HomelabSchema, raw) as any;
    expect(parts.nodes[2].labels).toEqual({ "homelab.dev/class": "sbc" });
    expect(parts.storage).toEqual({ defaultClass: "local-path", nfsVersion: "4.1" });
  });
});
