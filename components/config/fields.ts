// The building blocks of the config schema. Each carries its own messages, so a refused value is
// reported with what was found and what was expected: the real bounds, the allowed values, and a
// hint when the mistake is a common spelling.
import { z } from "zod";
import { closest, describeValue, listOf, typeProblem } from "./messages";

/** A string, called `what` ("an SSH user") in messages. */
export const text = (what: string) => z.string({ error: (issue) => typeProblem(issue.input, what, "string") });

/**
 * A string that `accepts` must approve. `explain` says what is wrong with a refused value; without
 * it the message is "expected <what>, got <value>".
 */
export function checked(what: string, accepts: (value: string) => boolean, explain?: (value: string) => string | undefined) {
  return text(what).refine(accepts, {
    error: (issue) => explain?.(issue.input as string) ?? `expected ${what}, got ${describeValue(issue.input)}`,
  });
}

/** A whole number within [min, max]; `note` explains the bounds where they are not obvious. */
export function wholeNumber(min: number, max: number, note = "") {
  const outside = (issue: { input?: unknown }) => `must be between ${min} and ${max} (got ${String(issue.input)})${note}`;
  return z.int({ error: (issue) => typeProblem(issue.input, `a whole number from ${min} to ${max}`, "number") })
    .min(min, { error: outside })
    .max(max, { error: outside });
}

export const boolean = () => z.boolean({ error: (issue) => typeProblem(issue.input, "true or false", "boolean") });

/**
 * One of a fixed set of strings. `hints` maps common wrong spellings to an explanation; otherwise a
 * near miss gets "did you mean".
 */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T, hints: Record<string, string> = {}) {
  return z.enum(values, {
    error: (issue) => {
      if (issue.input === undefined) return `is required; expected ${listOf(values)}`;
      const input = issue.input;
      const known = typeof input === "string" ? hints[input.toLowerCase()] ?? hints[input] : undefined;
      const guess = typeof input === "string" ? closest(input, values) : undefined;
      const hint = known ? `; ${known}` : guess ? `; did you mean "${guess}"?` : "";
      return `expected ${listOf(values)}, got ${describeValue(input)}${hint}`;
    },
  });
}

/** A list of `what`. */
export function list<T extends z.ZodType>(element: T, what: string) {
  return z.array(element, { error: (issue) => typeProblem(issue.input, `a list of ${what}`) });
}

/** A mapping from keys to values, called `what` in messages. */
export function mapping<K extends z.core.$ZodRecordKey, V extends z.ZodType>(key: K, value: V, what: string) {
  return z.record(key, value, { error: (issue) => (issue.code === "invalid_type" ? typeProblem(issue.input, what) : undefined) });
}

/**
 * A block of settings. Unknown keys are refused (a misspelt key would otherwise be ignored); the
 * config's parser turns each into a problem of its own, with a "did you mean" hint.
 */
export function settingsBlock<S extends z.core.$ZodLooseShape>(shape: S) {
  return z.strictObject(shape, {
    error: (issue) => (issue.code === "invalid_type" ? typeProblem(issue.input, "a block of settings (key: value)") : undefined),
  });
}
