// `npm run plan -- <stack> [--json] [--first-deployment] [--config-file PATH] [--set K=V]... [--set-secret K=V]...`
// Prints what `pulumi up` would create for a stack, offline: no cloud, no cluster, no passphrase.
// By default the whole lab, as it stands once its cluster exists; with --first-deployment, what the
// first `pulumi up` of a new stack previews (the cluster alone; components/previous-deployment.ts).
import * as path from "node:path";
import * as fs from "node:fs";
import { CLUSTER_EXISTS, runPlan, Plan, PlannedResource, ProgramError } from "./lib/plan";
import { loadStackConfig, Override, parseOverride, StackConfigError } from "./lib/stack-config";
import { checkPlan, PolicyReport, renderPolicyReport, renderPolicySummary } from "./lib/policy";
import { PackConfigError } from "../policies/lib/engine";
import { runCli } from "./lib/cli";

const ROOT = path.resolve(__dirname, "..");
/** Internal: where the plan writes the state it leaves (tools/plan-diff.ts reads it; a private temp file). */
export const STATE_FILE_ENV = "HOMELAB_PLAN_STATE_FILE";
const USAGE = "usage: npm run plan -- <stack> [--json] [--first-deployment] [--config-file PATH] [--set KEY=VALUE]... [--set-secret KEY=VALUE]...";

export interface PlanArgs {
  stack: string;
  json: boolean;
  /** Plan the first `pulumi up` of a new stack (a preview from nothing) instead of the whole lab. */
  firstDeployment: boolean;
  configFile?: string;
  overrides: Override[];
}

export function parseArgs(argv: string[]): PlanArgs {
  const overrides: Override[] = [];
  let stack: string | undefined;
  let json = false;
  let firstDeployment = false;
  let configFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = () => {
      const value = argv[++i];
      if (value === undefined) throw new StackConfigError(`${arg} needs a value\n${USAGE}`);
      return value;
    };
    if (arg === "--json") json = true;
    else if (arg === "--first-deployment") firstDeployment = true;
    else if (arg === "--config-file") configFile = path.resolve(next());
    else if (arg === "--set") overrides.push(parseOverride(next(), false));
    else if (arg === "--set-secret") overrides.push(parseOverride(next(), true));
    else if (arg.startsWith("-")) throw new StackConfigError(`unknown option ${arg}\n${USAGE}`);
    else if (stack === undefined) stack = arg;
    else throw new StackConfigError(`one stack at a time (got "${stack}" and "${arg}")\n${USAGE}`);
  }
  if (!stack) throw new StackConfigError(USAGE);
  return { stack, json, firstDeployment, configFile, overrides };
}

/** The human view: resources as a tree under their parents, then a count by type. */
export function renderTree(plan: Plan): string {
  const children = new Map<string | null, PlannedResource[]>();
  for (const r of plan.resources) {
    const siblings = children.get(r.parent) ?? [];
    siblings.push(r);
    children.set(r.parent, siblings);
  }
  const known = new Set(plan.resources.map((r) => r.urn));
  const roots = plan.resources.filter((r) => r.parent === null || !known.has(r.parent));
  const lines = [`Plan for stack "${plan.stack}": what \`pulumi up\` would create`, ""];
  const walk = (r: PlannedResource, prefix: string, last: boolean, depth: number) => {
    const branch = depth === 0 ? "+ " : `${prefix}${last ? "└─ " : "├─ "}`;
    lines.push(`${branch}${r.type}  ${r.name}`);
    const kids = children.get(r.urn) ?? [];
    const childPrefix = depth === 0 ? "  " : `${prefix}${last ? "   " : "│  "}`;
    kids.forEach((kid, i) => walk(kid, childPrefix, i === kids.length - 1, depth + 1));
  };
  roots.forEach((r) => walk(r, "", true, 0));

  const counts = new Map<string, number>();
  for (const r of plan.resources) counts.set(r.type, (counts.get(r.type) ?? 0) + 1);
  lines.push("", `Resources: ${plan.resources.length} to create`);
  const width = Math.max(...[...counts.keys()].map((t) => t.length));
  for (const [type, n] of [...counts.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    lines.push(`  ${type.padEnd(width)}  ${n}`);
  }
  const outputs = Object.keys(plan.outputs);
  if (outputs.length > 0) {
    lines.push("", "Outputs:");
    for (const key of outputs) lines.push(`  ${key}: ${JSON.stringify(plan.outputs[key])}`);
  }
  return lines.join("\n") + "\n";
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const config = loadStackConfig(ROOT, args.stack, args.configFile, args.overrides);
  // The lab as it stands once the cluster exists (a new stack's first `pulumi up` builds only the
  // cluster; see components/previous-deployment.ts and the lifecycle tests), or that first run's preview.
  const run = await runPlan(config, args.firstDeployment ? { preview: true } : { stackOutputs: CLUSTER_EXISTS });
  for (const error of run.errors) process.stderr.write(`error: ${error.message}\n`);
  // Internal: the plan diff asks for the state this plan leaves, as the prior state of its preview.
  const stateFile = process.env[STATE_FILE_ENV];
  if (stateFile) fs.writeFileSync(stateFile, JSON.stringify(run.state), { mode: 0o600 });
  // The policy pack's logic on the planned resources (policies/config/<stack>.json); fails on mandatory.
  const check = () => checkPlan(ROOT, args.stack, run.recorder.list());
  let report: PolicyReport;
  if (args.json) {
    process.stdout.write(JSON.stringify(run.plan, null, 2) + "\n");
    report = check();
    process.stderr.write(renderPolicyReport(report, args.stack));
  } else {
    // The tree ends with what the pack found, so a clean run says so; mandatory violations are
    // errors, listed on stderr.
    report = check();
    process.stdout.write(`${renderTree(run.plan)}\n${renderPolicySummary(report)}`);
    const mandatory = report.violations.filter((v) => v.enforcementLevel === "mandatory");
    process.stderr.write(renderPolicyReport({ ...report, violations: mandatory }, args.stack));
  }
  return report.mandatory || run.errors.length > 0 ? 1 : 0;
}

if (require.main === module) runCli(main, [ProgramError, StackConfigError, PackConfigError]);
