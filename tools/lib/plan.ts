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

/** Whether the program meant an error for the operator (RunError, or a ResourceError without stack). */
function isUserError(err: unknown): err is Error {
  if (!(err instanceof Error)) return false;
  return pulumi.RunError.isInstance(err) || (pulumi.ResourceError.isInstance(err) && (err as pulumi.ResourceError).hideStack === true);
}

/**
 * Turns the errors of a run into one: a user error's message (ProgramError), or a bug with its
 * stack. Errors inside an apply reach the runtime as rejected promises, often once per Output that
 * depends on the failed one; each message is kept once.
 */
function failure(errors: unknown[]): Error {
  const messages = [...new Set(errors.map((err) => (err instanceof Error ? err.message : String(err))))];
  if (errors.every(isUserError)) return new ProgramError(messages.join("\n"));
  const bug = errors.find((err) => !isUserError(err));
  const error = new Error(`the program failed while the plan resolved its values (an error inside an apply, which \`pulumi up\` would report too):\n${messages.join("\n")}`);
  if (bug instanceof Error && bug.stack) error.stack = `${error.message}\n${bug.stack.split("\n").slice(1).join("\n")}`;
  return error;
}

/** Resolves after the event loop has turned, so rejections still pending are reported. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

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

  // An error inside an apply does not reject the run: the runtime leaves it to Node as an unhandled
  // rejection (the Pulumi CLI's host logs it and fails the update), and the resource that waited
  // for the value is never registered. Without this the plan would succeed without that resource.
  const applyErrors: unknown[] = [];
  const collect = (reason: unknown) => applyErrors.push(reason);
  process.on("unhandledRejection", collect);
  let exported: Record<string, unknown> = {};
  let outputs: Record<string, unknown> = {};
  let revealedOutputs: Record<string, unknown> = {};
  // An error the program throws is kept here and rethrown once the run is over: thrown inside the
  // stack's init it would also reject the Stack resource's own data, which nothing awaits, and
  // end the process as an unhandled rejection.
  let programError: unknown;
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
        programError = err;
      }
      return exported;
    });
    await (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
    if (programError !== undefined) throw programError;
    outputs = (await resolveOutput(exported)) as Record<string, unknown>;
    revealedOutputs = (await resolveOutput(exported, true)) as Record<string, unknown>;
    await nextTurn();
  } catch (err) {
    // The program's own throw is reported as it is (the operator's error, or a bug with its stack);
    // rejections that came with it are its echoes.
    if (err === programError) throw isUserError(err) ? new ProgramError(err.message) : err;
    throw failure([err, ...applyErrors]);
  } finally {
    process.off("unhandledRejection", collect);
  }
  if (applyErrors.length > 0) throw failure(applyErrors);
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
