// Stack configurations for the lifecycle tests: the real stack files, changed one key at a time the
// way an operator would with `pulumi config set`.
import * as path from "node:path";
import type { Decision } from "../../tools/lib/engine/decisions";
import type { DeploymentState } from "../../tools/lib/engine/state";
import { apply } from "../../tools/lib/lifecycle";
import { CLUSTER_EXISTS, runPlan } from "../../tools/lib/plan";
import { loadStackConfig, StackConfig } from "../../tools/lib/stack-config";

export const ROOT = path.resolve(__dirname, "../..");

export function stackConfig(stack: "dev" | "staging"): StackConfig {
  return loadStackConfig(ROOT, stack);
}

/** A copy of the config with one structured key rewritten (its parsed value is passed to `change`). */
export function withSetting<T>(config: StackConfig, key: string, change: (value: T) => T): StackConfig {
  const name = `homelab:${key}`;
  const value = change(JSON.parse(config.values[name]) as T);
  return { ...config, values: { ...config.values, [name]: JSON.stringify(value) } };
}

/** A copy of the config with a secret key set to a new value (as `pulumi config set --secret`). */
export function withSecret(config: StackConfig, key: string, value: string): StackConfig {
  const name = `homelab:${key}`;
  return { ...config, values: { ...config.values, [name]: value }, secretKeys: [...new Set([...config.secretKeys, name])] };
}

/** The steady state of a deployed stack: one `pulumi up` of the whole lab (the cluster exists). */
export async function deployed(config: StackConfig): Promise<DeploymentState> {
  return (await runPlan(config, { stackOutputs: CLUSTER_EXISTS })).state;
}

/** Applies a configuration on top of a state (a `pulumi up`). */
export async function applied(config: StackConfig, prior: DeploymentState): Promise<DeploymentState> {
  return (await apply(config, { prior })).state;
}

export const isKubernetes = (d: Pick<Decision, "type">) => d.type.startsWith("kubernetes:") || d.type === "pulumi:providers:kubernetes";
export const changed = (decisions: Decision[]) => decisions.filter((d) => d.op !== "same");
/** `op type name` for each change, sorted: easy to read in a failing assertion. */
export const summary = (decisions: Decision[]) => changed(decisions).map((d) => `${d.op} ${d.type} ${d.name}`).sort();
