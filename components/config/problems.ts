// Problems in the stack's config, as the operator reads them: `homelab:<key path>: <what is wrong>;
// <what is expected>`, all of them in one error.
import * as pulumi from "@pulumi/pulumi";
import type { z } from "zod";
import { unknownKeyHint } from "./keys";
import { describeValue, listOf, typeProblem } from "./messages";

/** The project's config namespace (`<namespace>:<key>` in stack files). */
export const CONFIG_NAMESPACE = "homelab";

/** One problem in the stack's config: where it is and what was expected. */
export interface ConfigProblem {
  path: string;
  message: string;
}

/**
 * A user error in the stack's config. It extends RunError, which the Pulumi CLI prints without a
 * stack trace, and lists every problem so the operator fixes them in one pass.
 */
export class ConfigError extends pulumi.RunError {
  constructor(public readonly problems: ConfigProblem[]) {
    super(
      `Invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
        problems.map((p) => `  - ${p.path}: ${p.message}`).join("\n"),
    );
    this.name = "ConfigError";
  }
}

/** Renders a key path as the operator writes it: homelab:nodes[2].arch */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = CONFIG_NAMESPACE;
  path.forEach((part, i) => {
    if (typeof part === "number") out += `[${part}]`;
    else out += i === 0 ? `:${String(part)}` : `.${String(part)}`;
  });
  return out;
}

const EXPECTED_TYPE: Record<string, [string, "number" | "boolean" | "string" | "other"]> = {
  string: ["a string", "string"],
  number: ["a number", "number"],
  int: ["a whole number", "number"],
  boolean: ["true or false", "boolean"],
  array: ["a list", "other"],
  object: ["a block of settings (key: value)", "other"],
  record: ["a mapping (key: value)", "other"],
};

/**
 * Messages for the issues no field of the schema words itself (fields.ts words most); passed to
 * every parse, so no message says "Invalid input".
 */
export const fallbackMessage: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case "invalid_type": {
      const [expected, kind] = EXPECTED_TYPE[issue.expected] ?? [issue.expected, "other"];
      return typeProblem(issue.input, expected, kind);
    }
    case "invalid_value":
      return issue.input === undefined ? `is required; expected ${listOf(issue.values)}` : `expected ${listOf(issue.values)}, got ${describeValue(issue.input)}`;
    case "too_small":
      return issue.origin === "array" ? `expected at least ${issue.minimum} item${issue.minimum === 1 ? "" : "s"}` : `must be at least ${issue.minimum} (got ${String(issue.input)})`;
    case "too_big":
      return issue.origin === "array" ? `expected at most ${issue.maximum} item${issue.maximum === 1 ? "" : "s"}` : `must be at most ${issue.maximum} (got ${String(issue.input)})`;
    default:
      return undefined;
  }
};

/** A schema issue at the path of the value it is about: each unknown key is an issue of its own. */
export interface PathIssue {
  path: PropertyKey[];
  message: string;
}

/**
 * Schema issues as problems: each unknown key at its own path with a hint where it belongs
 * (`topLevelKeys` are accepted top-level keys the schema does not list, the secrets), and a map
 * key's own problem instead of its mapping's.
 */
export function issuesAtTheirPaths(issues: readonly z.core.$ZodIssue[], root: z.core.$ZodType, topLevelKeys: readonly string[] = []): PathIssue[] {
  return issues.flatMap((issue): PathIssue[] => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({
        path: [...issue.path, key],
        message: `unknown key (it would be ignored); ${unknownKeyHint(root, issue.path, key, issue.path.length === 0 ? topLevelKeys : [])}`,
      }));
    }
    if (issue.code === "invalid_key") return [{ path: [...issue.path], message: issue.issues[0]?.message ?? issue.message }];
    return [{ path: [...issue.path], message: issue.message }];
  });
}
