// The GitHub workflows: valid YAML, the jobs the review process relies on, every action pinned to a
// full commit SHA with its release named in a comment, and the rules that keep secrets away from
// code nobody has reviewed (docs/security.md, "CI").
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";

const DIR = path.resolve(__dirname, "../../.github/workflows");
const files = fs.readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));

interface Step { name?: string; run?: string; uses?: string; with?: Record<string, unknown>; env?: Record<string, string>; if?: string }
interface Job {
  uses?: string;
  steps?: Step[];
  environment?: string | { name: string };
  if?: string;
  "runs-on"?: unknown;
  permissions?: Record<string, string> | string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
  secrets?: unknown;
  needs?: string | string[];
}
interface Workflow { on: Record<string, unknown>; jobs: Record<string, Job>; permissions?: Record<string, string> | string; env?: Record<string, string> }

const load = (f: string) => YAML.parse(fs.readFileSync(path.join(DIR, f), "utf8"), { strict: true, uniqueKeys: true }) as Workflow;
const workflows = files.map((file) => ({ file, wf: load(file) }));
const jobsOf = (wf: Workflow) => Object.entries(wf.jobs);
const mentionsSecret = (value: unknown) => /\$\{\{[^}]*\bsecrets\./.test(JSON.stringify(value ?? ""));

function usesOf(wf: Workflow): string[] {
  return Object.values(wf.jobs).flatMap((job) => [...(job.uses ? [job.uses] : []), ...(job.steps ?? []).flatMap((s) => (s.uses ? [s.uses] : []))]);
}

/** Workflows whose jobs run a pull request's code: triggered by pull_request. */
const prTriggered = workflows.filter(({ wf }) => "pull_request" in wf.on);

describe("workflows", () => {
  it("exist for ci, plan diff, preview and deploy", () => {
    expect(files).toEqual(expect.arrayContaining(["ci.yml", "plan-diff.yml", "preview.yml", "deploy.yml", "deploy-stack.yml"]));
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

  it("plan-diff posts both stacks' diffs as a sticky comment, from a job that runs none of the pull request's code", () => {
    const text = fs.readFileSync(path.join(DIR, "plan-diff.yml"), "utf8");
    expect(text).toMatch(/for stack in dev staging/);
    expect(text).toContain("plan:diff");
    const wf = load("plan-diff.yml");
    const diffSteps = wf.jobs["plan-diff"].steps!;
    // A replaced provider or protected resource (exit 3) fails the check; refs never enter the script text.
    const diffStep = diffSteps.find((s) => s.name === "Plan diff (dev, staging)")!;
    expect(diffStep.run).toContain('"$code" -eq 3');
    expect(diffStep.run).toContain("! grep -q '^plan diff: DANGER");
    expect(diffStep.run).not.toMatch(/\$\{\{/);
    expect(wf.jobs["plan-diff"].permissions).toEqual({ contents: "read" });
    // The comment job holds the write token and checks nothing out: it only posts the file.
    const comment = wf.jobs.comment;
    expect(comment.needs).toBe("plan-diff");
    expect(comment.permissions).toEqual({ "pull-requests": "write" });
    expect(comment.steps!.some((s) => s.uses?.startsWith("actions/checkout@") || s.run)).toBe(false);
    expect(comment.steps!.find((s) => s.uses?.startsWith("marocchino/sticky-pull-request-comment@"))?.with).toMatchObject({ header: "plan-diff", path: "plan-diff.md" });
    expect(diffSteps.find((s) => s.uses?.startsWith("actions/upload-artifact@"))).toMatchObject({ if: "always()", with: { name: "plan-diff", path: "plan-diff.md" } });
  });

  it("preview runs pulumi/actions with the policy pack per stack, only for labelled branches of this repository, inside a preview environment", () => {
    const wf = load("preview.yml");
    const job = wf.jobs.preview;
    expect(job.if).toContain("github.event.pull_request.head.repo.full_name == github.repository");
    expect(job.if).toContain("contains(github.event.pull_request.labels.*.name, 'preview')");
    expect(job.environment).toBe("preview-${{ matrix.stack }}");
    expect((wf.on.pull_request as { types: string[] }).types).toEqual(expect.arrayContaining(["labeled", "synchronize"]));
    const step = job.steps!.find((s) => s.uses?.startsWith("pulumi/actions@"))!;
    expect(step.with).toMatchObject({ command: "preview", "comment-on-pr": true, policyPacks: "policies", policyPackConfigs: "policies/config/${{ matrix.stack }}.json" });
    expect(job.steps!.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))?.with).toMatchObject({ "role-to-assume": "${{ vars.AWS_PREVIEW_ROLE_ARN }}" });
  });

  it("deploy applies each stack only from main, inside its protected environment, with the stack's deploy role", () => {
    const wf = load("deploy.yml");
    expect(Object.keys(wf.on)).toEqual(expect.arrayContaining(["push", "workflow_dispatch"]));
    expect((wf.on.push as { branches: string[] }).branches).toEqual(["main"]);
    const called = load("deploy-stack.yml");
    expect(called.jobs.up.environment).toBe("${{ inputs.stack }}");
    expect(called.jobs.up.if).toBe("github.ref == 'refs/heads/main'");
    expect(called.jobs.up.steps!.find((s) => s.uses?.startsWith("pulumi/actions@"))?.with).toMatchObject({ command: "up" });
    expect(called.jobs.up.steps!.find((s) => s.uses?.startsWith("aws-actions/configure-aws-credentials@"))?.with).toMatchObject({ "role-to-assume": "${{ vars.AWS_DEPLOY_ROLE_ARN }}" });
    expect(wf.jobs.staging).toMatchObject({ needs: "dev" });
    // The caller passes no secret down: the environment's own secrets are the only ones.
    for (const job of Object.values(wf.jobs)) expect(job.secrets).toBeUndefined();
  });
});

describe("workflow security rules", () => {
  it("no workflow runs on pull_request_target or workflow_run (which hand secrets to runs that can check out a pull request)", () => {
    for (const { file, wf } of workflows) {
      expect([file, Object.keys(wf.on).filter((t) => t === "pull_request_target" || t === "workflow_run")]).toEqual([file, []]);
    }
  });

  it("secrets appear only in a step's env, and only in jobs that run inside a GitHub environment", () => {
    for (const { file, wf } of workflows) {
      expect([file, "workflow env", mentionsSecret(wf.env)]).toEqual([file, "workflow env", false]);
      for (const [name, job] of jobsOf(wf)) {
        const where = `${file}: ${name}`;
        expect([where, "job env", mentionsSecret(job.env)]).toEqual([where, "job env", false]);
        expect([where, "job with", mentionsSecret(job.with)]).toEqual([where, "job with", false]);
        expect([where, "if", mentionsSecret(job.if)]).toEqual([where, "if", false]);
        for (const step of job.steps ?? []) {
          expect([where, step.name ?? step.uses ?? step.run, "run/with/if", mentionsSecret({ run: step.run, with: step.with, if: step.if })])
            .toEqual([where, step.name ?? step.uses ?? step.run, "run/with/if", false]);
          if (mentionsSecret(step.env)) expect([where, "environment", job.environment !== undefined]).toEqual([where, "environment", true]);
        }
      }
    }
  });

  it("the steps that get secrets are the Pulumi steps alone", () => {
    for (const { file, wf } of workflows) {
      for (const [name, job] of jobsOf(wf)) {
        for (const step of job.steps ?? []) {
          if (mentionsSecret(step.env)) expect([`${file}: ${name}`, step.uses?.split("@")[0]]).toEqual([`${file}: ${name}`, "pulumi/actions"]);
        }
      }
    }
  });

  it("no pull-request-triggered job runs on a self-hosted or configurable runner (the lab's network)", () => {
    expect(prTriggered.map((w) => w.file).sort()).toEqual(["ci.yml", "plan-diff.yml", "preview.yml"]);
    for (const { file, wf } of prTriggered) {
      for (const [name, job] of jobsOf(wf)) {
        const runsOn = job["runs-on"];
        expect([`${file}: ${name}`, typeof runsOn === "string" && /^ubuntu-[\w.]+$/.test(runsOn)]).toEqual([`${file}: ${name}`, true]);
      }
    }
  });

  it("every npm install runs without the lockfile's install scripts", () => {
    let installs = 0;
    for (const { file, wf } of workflows) {
      for (const job of Object.values(wf.jobs)) {
        for (const step of job.steps ?? []) {
          for (const line of (step.run ?? "").split("\n")) {
            expect(line).not.toMatch(/\bnpm (install|i|add)\b/);
            if (/\bnpm ci\b/.test(line)) {
              installs++;
              expect([file, line.trim(), /--ignore-scripts\b/.test(line)]).toEqual([file, line.trim(), true]);
            }
          }
        }
      }
    }
    expect(installs).toBeGreaterThanOrEqual(5);
  });

  it("grant nothing by default; each job asks for what it uses, and only jobs inside an environment may mint an OIDC token", () => {
    for (const { file, wf } of workflows) {
      expect([file, wf.permissions]).toEqual([file, {}]);
      for (const [name, job] of jobsOf(wf)) {
        const where = `${file}: ${name}`;
        const perms = job.permissions;
        expect([where, typeof perms === "object" && perms !== null]).toEqual([where, true]);
        const granted = perms as Record<string, string>;
        for (const [scope, level] of Object.entries(granted)) {
          expect([where, scope, ["contents", "pull-requests", "id-token"].includes(scope)]).toEqual([where, scope, true]);
          if (scope === "contents") expect([where, scope, level]).toEqual([where, scope, "read"]);
        }
        // A reusable workflow's job (job.uses) is bounded by these; its own job declares the environment.
        if (granted["id-token"] === "write" && !job.uses) expect([where, job.environment !== undefined]).toEqual([where, true]);
      }
    }
  });

  it("jobs that run a pull request's code without a reviewer hold no write token", () => {
    for (const { file, wf } of prTriggered) {
      for (const [name, job] of jobsOf(wf)) {
        const checksOut = (job.steps ?? []).some((s) => s.uses?.startsWith("actions/checkout@"));
        if (!checksOut || job.environment !== undefined) continue;
        const writes = Object.entries((job.permissions ?? {}) as Record<string, string>).filter(([, level]) => level === "write");
        expect([`${file}: ${name}`, writes]).toEqual([`${file}: ${name}`, []]);
      }
    }
  });

  it("checkouts leave no token in the clone's git config", () => {
    for (const { file, wf } of workflows) {
      for (const job of Object.values(wf.jobs)) {
        for (const step of job.steps ?? []) {
          if (step.uses?.startsWith("actions/checkout@")) expect([file, step.with?.["persist-credentials"]]).toEqual([file, false]);
        }
      }
    }
  });

  it("no stored AWS key is used anywhere: AWS comes from OIDC roles", () => {
    for (const file of files) {
      expect([file, fs.readFileSync(path.join(DIR, file), "utf8").match(/AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|aws-access-key-id/g)]).toEqual([file, null]);
    }
  });
});
