// Long-lived IAM access keys that can be rotated without a gap. Each identity holds the key
// generations its stack config lists (homelab:aws.accessKeyGenerations; [1] by default); the newest
// is the one its consumer gets. AWS allows two keys per user, so a rotation is two `pulumi up`s:
// add the next generation (both keys valid; the consumer's Secret switches to the new one), let the
// consumer pick it up, then drop the old generation (its key is deleted).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { accessKeyGenerationsProblem } from "./config/validators";

/** The generation consumers use: the newest. */
export function currentGeneration(generations: readonly number[]): number {
  return Math.max(...generations);
}

/**
 * The Pulumi name of one generation's key. Generation 1 keeps the name keys had before rotation
 * existed, so an existing lab's keys are not replaced.
 */
export function accessKeyResourceName(base: string, generation: number): string {
  return generation === 1 ? base : `${base}-key${generation}`;
}

/** One aws.iam.AccessKey per generation; returns the newest, whose id and secret consumers get. */
export function rotatingAccessKeys(
  base: string,
  user: pulumi.Input<string>,
  generations: readonly number[],
  opts: pulumi.CustomResourceOptions,
): aws.iam.AccessKey {
  const problem = accessKeyGenerationsProblem(generations);
  if (problem) throw new Error(`${base}: ${problem}`);
  const keys = new Map(generations.map((g) => [g, new aws.iam.AccessKey(accessKeyResourceName(base, g), { user }, {
    ...opts,
    additionalSecretOutputs: ["secret", "sesSmtpPasswordV4"],
  })]));
  return keys.get(currentGeneration(generations))!;
}
