// Secret digests let the plan diff say "this secret changed" without either side printing it.
//
// Both plans print every secret as "[secret]", so equal placeholders say nothing. For each secret
// value the plan can also emit HMAC-SHA256(key, path NUL canonical-JSON(value)), where `key` is 32
// random bytes the diff tool draws once per run and hands to both plan processes in the environment
// (never on a command line, never written to disk). Why this shape:
// - deterministic for one diff run: the base and head plans hash the same input to the same digest;
// - a plain SHA-256, or an HMAC under a key kept in the repository, would let anyone holding the
//   digest test guesses offline, which breaks a low-entropy secret (a PIN, a short password, a LAN
//   address) in moments; with a key that lives only for one run and is then dropped, a leaked digest
//   is worthless;
// - the path is inside the MAC so the same value under two keys does not reveal they are equal.
// Digests appear only when the key variable is set, so `npm run plan -- --json` (the public contract)
// is unchanged, and the diff tool never prints them.
import { createHmac, randomBytes } from "node:crypto";
import { SECRET_PLACEHOLDER, resolveOutput } from "./recorder";
import { childPath } from "./paths";
import type { Plan, PlanRun, PlannedResource } from "./plan";

export const DIGEST_KEY_ENV = "HOMELAB_PLAN_DIGEST_KEY";

export interface DigestedResource extends PlannedResource {
  /** Path of every secret input → HMAC of its value (see above). */
  secretDigests?: Record<string, string>;
  /** replaceOnChanges paths the program set, so the diff can flag likely replacements. */
  replaceOnChanges?: string[];
}

/** A plan with the internal fields the diff tool reads; a plain Plan is accepted too. */
export interface DigestedPlan extends Plan {
  resources: DigestedResource[];
  outputSecretDigests?: Record<string, string>;
}

export function newDigestKey(): string {
  return randomBytes(32).toString("hex");
}

/** JSON with object keys sorted, so equal values serialize equally. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
    .join(",")}}`;
}

export function digest(key: string, path: string, value: unknown): string {
  return createHmac("sha256", Buffer.from(key, "hex")).update(path).update("\0").update(canonicalJson(value)).digest("hex");
}

/** Walks the redacted and revealed values side by side; digests every "[secret]" position. */
export function digestSecrets(redacted: unknown, revealed: unknown, key: string, path = "", out: Record<string, string> = {}): Record<string, string> {
  if (redacted === SECRET_PLACEHOLDER) {
    out[path] = digest(key, path, revealed);
    return out;
  }
  if (Array.isArray(redacted)) {
    redacted.forEach((item, i) => digestSecrets(item, Array.isArray(revealed) ? revealed[i] : undefined, key, childPath(path, i), out));
  } else if (redacted !== null && typeof redacted === "object") {
    const rev = (revealed ?? {}) as Record<string, unknown>;
    for (const k of Object.keys(redacted)) digestSecrets((redacted as Record<string, unknown>)[k], rev[k], key, childPath(path, k), out);
  }
  return out;
}

/** The plan plus secret digests and replaceOnChanges, for the diff tool. */
export async function digestedPlan(run: PlanRun, key: string): Promise<DigestedPlan> {
  const byUrn = run.recorder.resources;
  const resources = run.plan.resources.map((r): DigestedResource => {
    const recorded = byUrn.get(r.urn);
    if (!recorded) return r;
    const secretDigests = digestSecrets(r.inputs, recorded.revealedInputs, key);
    return { ...r, secretDigests, replaceOnChanges: recorded.replaceOnChanges };
  });
  const revealedOutputs = await resolveOutput(run.exports, true);
  return { ...run.plan, resources, outputSecretDigests: digestSecrets(run.plan.outputs, revealedOutputs, key) };
}
