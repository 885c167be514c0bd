// The GitHub workflows: valid YAML, the jobs the review process relies on, and every action pinned
// to a full commit SHA with its release named in a comment.
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";

const DIR = path.resolve(__dirname, "../../.github/workflows");
const files = fs.readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));
type Workflow = { on: Record<string, unknown>; jobs: Record<string, { uses?: string; steps?: { name?: string; run?: string; uses?: string; with?: Record<string, unknown> }[]; environment?: string; if?: string }> };
const load = (f: string) => YAML.parse(fs.readFileSync(path.join(DIR, f), "utf8"), { strict: true, uniqueKeys: true }) as Workflow;

function usesOf(wf: Workflow): string[] {
  return Object.values(wf.jobs).flatMap((job) => [...(job.uses ? [job.uses] : []), ...(job.steps ?? []).flatMap((s) => (s.uses ? [s.uses] : []))]);
}

describe("workflows", () => {
  it("exist for ci, plan diff, preview and deploy", () => {
    expect(files).toEqual(expect.arrayContaining(["ci.yml", "plan-diff.yml", "preview.yml", "deploy.yml"]));
  });

  it.each(files)("%s parses and pins every action to a 40-hex commit SHA with a version comment", (file) => {
    const text = fs.readFileSync(path.join(DIR, file), "utf8");
    const wf = load(file);
    expect(wf.jobs).toBeDefined();
    const uses = usesOf(wf);
    for (const u of uses) {
      if (u.startsWith("./")) continue; // a workflow or action in this repository
      expect(u).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
    }
    // The raw lines: each remote `uses:` carries "# vX.Y.Z" for people and Renovate.
    for (const line of text.split("\n").filter((l) => /^\s*(-\s+)?uses:\s*[^.\s]/.test(l))) {
      expect(line).toMatch(/@[0-9a-f]{40} # v\d+\.\d+\.\d+\s*$/);
    }
  });

  it("pins each action to the same SHA everywhere", () => {
    const seen = new Map<string, Set<string>>();
    for (const f of files) for (const u of usesOf(load(f))) {
      const [name, ref] = u.split("@");
      if (!name.startsWith("./")) seen.set(name, (seen.get(name) ?? new Set()).add(ref));
    }
    for (const [name, refs] of seen) expect([name, refs.size]).toEqual([name, 1]);
  });

  it("ci runs the type-check and the tests on Node 22 for pull requests and main", () => {
    const wf = load("ci.yml");
    expect(Object.keys(wf.on)).toEqual(expect.arrayContaining(["pull_request", "push"]));
    const runs = JSON.stringify(wf.jobs);
    expect(runs).toContain("npm ci");
    expect(runs).toContain("npm run typecheck");
    expect(runs).toMatch(/jest/);
    expect(runs).toContain('"node-version":22');
  });

  it("plan-diff posts both stacks' diffs as a sticky comment", () => {
    const text = fs.readFileSync(path.join(DIR, "plan-diff.yml"), "utf8");
    expect(text).toMatch(/for stack in dev staging/);
    expect(text).toContain("plan:diff");
    const steps = load("plan-diff.yml").jobs["plan-diff"].steps!;
    expect(steps.find((s) => s.uses?.startsWith("marocchino/sticky-pull-request-comment@"))?.with).toMatchObject({ header: "plan-diff", path: "plan-diff.md" });
    // A replaced provider or protected resource (exit 3) fails the check; refs never enter the script text.
    const diffStep = steps.find((s) => s.name === "Plan diff (dev, staging)")!;
    expect(diffStep.run).toContain('"$code" -eq 3');
    expect(diffStep.run).toContain("! grep -q '^plan diff: DANGER");
    expect(diffStep.run).not.toMatch(/\$\{\{/);
  });

  it("preview runs pulumi/actions with the policy pack per stack, only with credentials", () => {
    const wf = load("preview.yml");
    expect(wf.jobs.preview.if).toContain("needs.credentials.outputs.present == 'true'");
    const step = wf.jobs.preview.steps!.find((s) => s.uses?.startsWith("pulumi/actions@"))!;
    expect(step.with).toMatchObject({ command: "preview", "comment-on-pr": true, policyPacks: "policies", policyPackConfigs: "policies/config/${{ matrix.stack }}.json" });
  });

  it("deploy applies each stack only inside its protected environment", () => {
    const wf = load("deploy.yml");
    expect(Object.keys(wf.on)).toEqual(expect.arrayContaining(["push", "workflow_dispatch"]));
    const called = load("deploy-stack.yml");
    expect(called.jobs.up.environment).toBe("${{ inputs.stack }}");
    expect(called.jobs.up.steps!.find((s) => s.uses?.startsWith("pulumi/actions@"))?.with).toMatchObject({ command: "up" });
    expect(wf.jobs.staging).toMatchObject({ needs: "dev" });
  });
});
