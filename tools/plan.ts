// `npm run plan -- <stack> [--json] [--config-file PATH] [--set K=V]... [--set-secret K=V]...`
// Prints what `pulumi up` would create for a stack, offline: no cloud, no cluster, no passphrase.
import * as path from "node:path";
import { runPlan, Plan, PlannedResource, ProgramError } from "./lib/plan";
import { loadStackConfig, Override, parseOverride, StackConfigError } from "./lib/stack-config";
import { checkPlan, renderPolicyReport } from "./lib/policy";
import { PackConfigError } from "../policies/lib/engine";
import { DIGEST_KEY_ENV, digestedPlan } from "./lib/secret-digests";
import { runCli } from "./lib/cli";

const ROOT = path.resolve(__dirname, "..");
const USAGE = "usage: npm run plan -- <stack> [--json] [--config-file PATH] [--set KEY=VALUE]... [--set-secret KEY=VALUE]...";

export interface PlanArgs {
  stack: string;
  json: boolean;
  configFile?: string;
  overrides: Override[];
}

export function parseArgs(argv: string[]): PlanArgs {
  const overrides: Override[] = [];
  let stack: string | undefined;
  let json = false;
  let configFile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = () => {
      const value = argv[++i];
      if (value === undefined) throw new StackConfigError(`${arg} needs a value\n${USAGE}`);
      return value;
    };
    if (arg === "--json") json = true;
    else if (arg === "--config-file") configFile = path.resolve(next());
    else if (arg === "--set") overrides.push(parseOverride(next(), false));
    else if (arg === "--set-secret") overrides.push(parseOverride(next(), true));
    else if (arg.startsWith("-")) throw new StackConfigError(`unknown option ${arg}\n${USAGE}`);
    else if (stack === undefined) stack = arg;
    else throw new StackConfigError(`one stack at a time (got "${stack}" and "${arg}")\n${USAGE}`);
  }
  if (!stack) throw new StackConfigError(USAGE);
  return { stack, json, configFile, overrides };
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
  const run = await runPlan(config);
  // Internal: the plan diff sets a per-run key to get secret digests (tools/lib/secret-digests.ts).
  const digestKey = process.env[DIGEST_KEY_ENV];
  if (args.json && digestKey) {
    process.stdout.write(JSON.stringify(await digestedPlan(run, digestKey), null, 2) + "\n");
    return 0;
  }
  process.stdout.write(args.json ? JSON.stringify(run.plan, null, 2) + "\n" : renderTree(run.plan));
  // The policy pack's logic on the planned resources (policies/config/<stack>.json); fails on mandatory.
  const report = checkPlan(ROOT, args.stack, run.recorder.list());
  process.stderr.write(renderPolicyReport(report, args.stack));
  return report.mandatory ? 1 : 0;
}

if (require.main === module) runCli(main, [ProgramError, StackConfigError, PackConfigError]);
