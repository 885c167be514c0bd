// The one mock setup every component test uses: Pulumi's mock runtime with a Recorder watching
// each registration (inputs, parent, dependencies, secrets) and answering it as `pulumi up` would
// (every output known). One runtime per test file.
import * as pulumi from "@pulumi/pulumi";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { Recorder } from "../../tools/lib/recorder";

export { Recorder };

/** Installs mocks for a test file; returns the recorder. Call at module top level or in beforeAll. */
export async function mockRuntime(stack = "test", config: Record<string, string> = {}, secretKeys: string[] = []): Promise<Recorder> {
  const recorder = new Recorder();
  await recorder.install("homelab", stack);
  pulumi.runtime.setAllConfig(config, secretKeys);
  return recorder;
}

/** Waits until every registration so far has reached the (mock) engine. */
export async function settle(): Promise<void> {
  await (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
}

/** Resolves an Output's value (tests only). */
export function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return (output as unknown as { promise(): Promise<T> }).promise();
}

export function isSecret<T>(output: pulumi.Output<T>): Promise<boolean> {
  return (output as unknown as { isSecret: Promise<boolean> }).isSecret;
}
