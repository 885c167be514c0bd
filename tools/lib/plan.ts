// Plans a stack: loads its config, runs the real program (index.ts) under the mock runtime and
// returns every resource it registers, with what the engine would decide for each against a prior
// state (none: a new stack). Nothing here knows about components; the program does not know it is
// being planned.
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as settings from "@pulumi/pulumi/runtime/settings";
import type { Decision } from "./engine/decisions";
import type { DeploymentState } from "./engine/state";
import { EngineError, EngineOptions, Recorder, RecordedResource, resolveOutput } from "./recorder";
import { StackConfig } from "./stack-config";

export interface PlannedResource {
  urn: string;
  type: string;
  name: string;
  parent: string | null;
  provider: string | null;
  dependencies: string[];
  inputs: Record<string, unknown>;
}

export interface Plan {
  stack: string;
  resources: PlannedResource[];
  outputs: Record<string, unknown>;
}

export interface PlanRun {
  plan: Plan;
  recorder: Recorder;
  /** The program's exports as it returned them (Outputs unresolved). */
  exports: Record<string, unknown>;
  /** What the engine decides for every resource, deletions included. */
  decisions: Decision[];
  /** What the engine would refuse or fail on (protected replacements, charts it cannot preview). */
  errors: EngineError[];
  /** The state this run leaves (an apply-mode run): the prior state of the next one. */
  state: DeploymentState;
}

export interface PlanOptions extends EngineOptions {
  /** The program's entry module (index.ts by default). */
  program?: string;
}

/** A user error raised by the program (bad config): the message is for the operator, no trace. */
export class ProgramError extends Error {}

/** The program's entry point. */
export const PROGRAM = path.resolve(__dirname, "../../index.ts");

/**
 * Stack outputs that tell the program its cluster already exists, for a plan of the whole lab: on
 * a real new stack the first `pulumi up` builds the cluster alone (components/previous-deployment.ts).
 */
export const CLUSTER_EXISTS = { clusterIdentifier: "plan:cluster-exists" };

export function toPlanned(r: RecordedResource): PlannedResource {
  return {
    urn: r.urn,
    type: r.type,
    name: r.name,
    parent: r.parent ?? null,
    provider: r.provider ?? null,
    dependencies: r.dependencies,
    inputs: r.inputs,
  };
}

/** Runs the program once for the stack. Runs may follow each other in one process (each re-installs the runtime). */
export async function runPlan(config: StackConfig, options: PlanOptions = {}): Promise<PlanRun> {
  const program = options.program ?? PROGRAM;
  const recorder = new Recorder();
  await recorder.install(config.project, config.stack, options);
  pulumi.runtime.setAllConfig(config.values, config.secretKeys);

  let exported: Record<string, unknown> = {};
  // An error the program throws is kept here and rethrown once the run is over: thrown inside the
  // stack's init it would also reject the Stack resource's own data, which nothing awaits, and
  // end the process as an unhandled rejection.
  let failure: unknown;
  try {
    await pulumi.runtime.runInPulumiStack(async () => {
      // A program is an async function returning its exports (index.ts), or a module whose top
      // level registers resources; such a module must run again, so it is not taken from the cache.
      const resolved = require.resolve(program);
      const cached = require.cache[resolved]?.exports as unknown;
      if (cached !== undefined && typeof cached !== "function") delete require.cache[resolved];
      const entry = require(resolved) as Record<string, unknown> | (() => Promise<Record<string, unknown>>);
      try {
        exported = { ...(typeof entry === "function" ? await entry() : entry) };
      } catch (err) {
        failure = err;
      }
      return exported;
    });
    await (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    if (failure !== undefined) throw failure;
  } catch (err) {
    if (pulumi.RunError.isInstance(err as Error)) throw new ProgramError((err as Error).message);
    throw err;
  }
  const outputs = (await resolveOutput(exported)) as Record<string, unknown>;
  const revealedOutputs = (await resolveOutput(exported, true)) as Record<string, unknown>;
  const resources = recorder.list().map(toPlanned);
  const decisions = [...recorder.list().map((r) => r.decision), ...recorder.deletions()];
  return {
    plan: { stack: config.stack, resources, outputs },
    recorder,
    exports: exported,
    decisions,
    errors: recorder.engineErrors(),
    state: recorder.state(revealedOutputs, outputs),
  };
}
