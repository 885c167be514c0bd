// Every AI pod template against the Pod Security Standards checks the policy pack enforces, at its
// namespace's level: restricted everywhere but open-webui (baseline).
import { aiManifests, aiNamespaces, AI_NAMESPACES } from "../../components/ai";
import { checkApplies, LATEST_MINOR, PSS_CHECKS, runPssCheck } from "../../policies/lib/pss";
import { allPods, inputs, stackConfig } from "./fixtures";

describe.each(["dev", "staging"] as const)("Pod Security in %s", (stack) => {
  const config = stackConfig(stack);
  const levels = Object.fromEntries(aiNamespaces(config).map((ns) => [ns.name, ns.podSecurity]));

  it("admits every pod the pipeline runs at its namespace's enforced level", () => {
    for (const m of aiManifests(inputs(config))) {
      const level = levels[AI_NAMESPACES[m.service]];
      for (const spec of allPods(m)) {
        const pod = { metadata: {}, spec: spec as unknown as Record<string, unknown> };
        const failures = PSS_CHECKS.filter((c) => checkApplies(c, level, LATEST_MINOR))
          .flatMap((c) => runPssCheck(c.id, pod).map((reason) => `${m.service}: ${c.id}: ${reason}`));
        expect(failures).toEqual([]);
      }
    }
  });

  it("would not admit Open WebUI under restricted (why its namespace is baseline)", () => {
    const openWebui = aiManifests(inputs(config)).find((m) => m.service === "openWebui")!;
    const pod = { metadata: {}, spec: allPods(openWebui)[0] as unknown as Record<string, unknown> };
    const failing = PSS_CHECKS.filter((c) => checkApplies(c, "restricted", LATEST_MINOR)).filter((c) => runPssCheck(c.id, pod).length > 0).map((c) => c.id);
    expect(failing).toEqual(["runAsNonRoot"]);
  });
});
