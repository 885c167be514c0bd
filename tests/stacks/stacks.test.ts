// Whole stacks, planned as users plan them: invariants every resource of both stacks must keep.
import { SECRET_KEYS, OPTIONAL_SECRET_KEYS } from "../../components/config";
import type { Plan } from "../../tools/lib/plan";
import { planJson } from "../helpers/plan";

// Distinctive values for every secret key, so a leak anywhere in the plan is found by search.
const secretValues = Object.fromEntries(
  [...Object.keys(SECRET_KEYS), ...Object.keys(OPTIONAL_SECRET_KEYS)].map((key) => [key, `leak-canary-${key}-7f3a9c`]),
);
const secretArgs = Object.entries(secretValues).flatMap(([key, value]) => ["--set-secret", `${key}=${value}`]);

describe.each(["dev", "staging"])("the %s stack", (stack) => {
  let plan: Plan;
  let text: string;
  beforeAll(() => {
    plan = planJson(stack, secretArgs);
    text = JSON.stringify(plan);
  });

  it("shows no secret value anywhere in its plan", () => {
    for (const value of Object.values(secretValues)) expect(text).not.toContain(value);
  });

  it("names an explicit provider for every custom resource, never a default one", () => {
    for (const r of plan.resources) expect(r.provider ?? "").not.toMatch(/::default(_[0-9_]+)?::/);
    for (const r of plan.resources.filter((r) => /^(kubernetes|aws|command|random):/.test(r.type))) {
      expect({ urn: r.urn, provider: r.provider }).toEqual({ urn: r.urn, provider: expect.stringMatching(/^urn:pulumi:/) });
    }
  });

  it("parents every resource under the stack or a component", () => {
    const urns = new Set(plan.resources.map((r) => r.urn));
    for (const r of plan.resources) {
      if (r.type === "pulumi:pulumi:Stack") continue;
      expect(urns.has(r.parent ?? "")).toBe(true);
    }
  });

  it("only depends on resources it also plans", () => {
    const urns = new Set(plan.resources.map((r) => r.urn));
    for (const r of plan.resources) for (const dep of r.dependencies) expect(urns.has(dep)).toBe(true);
  });
});
