// Plans a stack: loads its config, runs the real program (index.ts) under the mock runtime and
// returns every resource it registers. Nothing here knows about components; the program does not
// know it is being planned.
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { Recorder, RecordedResource, resolveOutput } from "./recorder";
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
}

/** A user error raised by the program (bad config): the message is for the operator, no trace. */
export class ProgramError extends Error {}

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

/** Runs `program` (a module path) for the stack; call once per process (the runtime is global). */
export async function runPlan(config: StackConfig, program = path.resolve(__dirname, "../../index.ts")): Promise<PlanRun> {
  const recorder = new Recorder();
  await recorder.install(config.project, config.stack, true);
  pulumi.runtime.setAllConfig(config.values, config.secretKeys);

  let exported: Record<string, unknown> = {};
  try {
    await pulumi.runtime.runInPulumiStack(async () => {
      exported = { ...(require(program) as Record<string, unknown>) };
      return exported;
    });
    await (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
  } catch (err) {
    if (pulumi.RunError.isInstance(err as Error)) throw new ProgramError((err as Error).message);
    throw err;
  }
  const outputs = (await resolveOutput(exported)) as Record<string, unknown>;
  const resources = recorder.list().map(toPlanned);
  return { plan: { stack: config.stack, resources, outputs }, recorder, exports: exported };
}
