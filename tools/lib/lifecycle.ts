// Sequences of `pulumi up`, offline: each run of the program is answered by the engine model
// (tools/lib/engine) against the state the previous run left. `preview` is what `pulumi preview`
// (and the first half of `pulumi up`) shows; `apply` is the state the update leaves. The plan diff
// and the lifecycle tests are built on these two.
import type { Decision, Operation } from "./engine/decisions";
import type { DeploymentState } from "./engine/state";
import { PlanRun, runPlan } from "./plan";
import type { EngineError } from "./recorder";
import type { StackConfig } from "./stack-config";

export interface RunOptions {
  /** The state the last `pulumi up` left; none for a new stack. */
  prior?: DeploymentState;
  /** The program's entry module (index.ts by default). */
  program?: string;
}

/** `pulumi preview` against the prior state: decisions, unknowns and what the engine would refuse. */
export function preview(config: StackConfig, options: RunOptions = {}): Promise<PlanRun> {
  return runPlan(config, { preview: true, prior: options.prior, program: options.program });
}

/** `pulumi up` against the prior state: the state it leaves (stand-in outputs for what providers compute). */
export function apply(config: StackConfig, options: RunOptions = {}): Promise<PlanRun> {
  return runPlan(config, { preview: false, prior: options.prior, program: options.program });
}

/**
 * A new stack brought to its steady state the way an operator does it: `pulumi up` until a run
 * changes nothing (at most `maxRuns`), each preview checked for engine errors first. Returns every
 * run's preview and the final state.
 */
export async function deployFromEmpty(config: StackConfig, program?: string, maxRuns = 3): Promise<{ previews: PlanRun[]; state: DeploymentState }> {
  const previews: PlanRun[] = [];
  let state: DeploymentState | undefined;
  for (let i = 0; i < maxRuns; i++) {
    const run = await preview(config, { prior: state, program });
    previews.push(run);
    if (run.errors.length > 0) throw new LifecycleError(`pulumi up #${i + 1} of a new stack fails its preview:\n${formatErrors(run.errors)}`);
    if (state && run.decisions.every((d) => d.op === "same")) return { previews, state };
    state = (await apply(config, { prior: state, program })).state;
  }
  throw new LifecycleError(`a new stack does not settle within ${maxRuns} runs of pulumi up`);
}

export class LifecycleError extends Error {}

export function formatErrors(errors: EngineError[]): string {
  return errors.map((e) => `  - ${e.message}`).join("\n");
}

/** Decisions by operation, without the unchanged ones. */
export function changes(run: Pick<PlanRun, "decisions">): Decision[] {
  return run.decisions.filter((d) => d.op !== "same");
}

export function count(decisions: Decision[]): Record<Operation, number> {
  const out: Record<Operation, number> = { create: 0, same: 0, update: 0, replace: 0, delete: 0 };
  for (const d of decisions) out[d.op]++;
  return out;
}

/**
 * What a reviewer must see before anything else: engine errors (a protected resource replaced or
 * deleted, a chart that cannot be previewed) and any provider replacement, which replaces every
 * resource the provider manages.
 */
export function dangers(run: Pick<PlanRun, "decisions" | "errors">): string[] {
  const replacedProviders = run.decisions
    .filter((d) => d.type.startsWith("pulumi:providers:") && (d.op === "replace" || d.op === "delete"))
    .map((d) => `provider ${d.name} (${d.type}) is ${d.op === "replace" ? "replaced" : "deleted"}: every resource it manages is ${d.op === "replace" ? "replaced" : "deleted"} with it${d.reasons.length ? ` (${d.reasons.join("; ")})` : ""}`);
  return [...run.errors.map((e) => e.message), ...replacedProviders];
}
