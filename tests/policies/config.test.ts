// The per-stack pack config files: they validate against every policy's configSchema, every
// exemption says why, and the engine resolves levels the way the CLI does.
import * as fs from "node:fs";
import * as path from "node:path";
import { loadPackConfig, resolvePolicyConfig, validatePackConfig } from "../../policies/lib/engine";
import { ALL_POLICIES } from "../../policies/registry";
import { imagePinnedPolicy, resourcesPolicy } from "../../policies/hygiene";

const CONFIG_DIR = path.resolve(__dirname, "../../policies/config");
const STACKS = ["dev", "staging"];

describe.each(STACKS)("policies/config/%s.json", (stack) => {
  const file = path.join(CONFIG_DIR, `${stack}.json`);
  const config = JSON.parse(fs.readFileSync(file, "utf8"));

  it("validates against the pack's schemas", () => {
    expect(validatePackConfig(ALL_POLICIES, config)).toEqual([]);
    expect(() => loadPackConfig(file, ALL_POLICIES)).not.toThrow();
  });

  it("gives every exemption a reason", () => {
    const lists: unknown[][] = [];
    for (const entry of Object.values(config)) {
      if (entry && typeof entry === "object") for (const v of Object.values(entry)) if (Array.isArray(v) && v.every((i) => typeof i === "object")) lists.push(v);
    }
    expect(lists.length).toBeGreaterThan(0);
    for (const item of lists.flat() as Record<string, unknown>[]) expect(String(item.reason ?? "").length).toBeGreaterThanOrEqual(10);
  });

  it("scopes Secrets Manager names to this stack", () => {
    expect(config["aws-secret-naming"].prefix).toBe(`homelab/${stack}/`);
  });
});

describe("config validation", () => {
  it("rejects unknown policies, bad levels, unknown settings and exemptions without a reason", () => {
    const errors = validatePackConfig(ALL_POLICIES, {
      "no-such-policy": "mandatory",
      "pss-privileged": { enforcementLevel: "strict", exemptions: [{ namespace: "x" }] },
      "workload-resources": { requireCpuLimit: "yes", extra: 1 },
      all: "loud",
    });
    expect(errors).toEqual(expect.arrayContaining([
      "no-such-policy: no such policy in the pack",
      expect.stringContaining("pss-privileged.enforcementLevel"),
      'pss-privileged.exemptions[0]: missing required "reason"',
      "workload-resources.requireCpuLimit: expected boolean, got string",
      'workload-resources: unknown property "extra"',
      expect.stringContaining("all: expected an enforcement level"),
    ]));
  });

  it("resolves levels: policy entry over all over the policy default; remediate means mandatory", () => {
    expect(resolvePolicyConfig(resourcesPolicy, {}).level).toBe("advisory");
    expect(resolvePolicyConfig(resourcesPolicy, { all: "mandatory" }).level).toBe("mandatory");
    expect(resolvePolicyConfig(resourcesPolicy, { all: "mandatory", "workload-resources": "disabled" }).level).toBe("disabled");
    expect(resolvePolicyConfig(imagePinnedPolicy, { "workload-image-pinned": { enforcementLevel: "remediate" } }).level).toBe("mandatory");
    expect(resolvePolicyConfig(resourcesPolicy, { "workload-resources": { requireCpuLimit: false } }).config).toEqual({ exemptions: [], requireCpuLimit: false });
  });
});
