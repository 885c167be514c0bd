// Runs the policy pack's logic on what a plan recorded, with the stack's pack config
// (policies/config/<stack>.json). tools/lib/plan.ts stays policy-free; tools/plan.ts calls this.
import * as fs from "node:fs";
import * as path from "node:path";
import { evaluate, formatViolation, hasMandatory, loadPackConfig, PackConfig } from "../../policies/lib/engine";
import { PlainResource, Violation } from "../../policies/lib/types";
import { ALL_POLICIES } from "../../policies/registry";
import { RecordedResource } from "./recorder";

export interface PolicyReport {
  /** The pack config used, or undefined when the stack has none (pack defaults apply). */
  configFile?: string;
  violations: Violation[];
  mandatory: boolean;
}

export function packConfigPath(root: string, stack: string): string {
  return path.join(root, "policies", "config", `${stack}.json`);
}

/**
 * A recorded registration as the pack sees it: inputs with secrets revealed (the engine hands the
 * pack plain values too) plus the secret paths, which only the offline plan knows.
 */
export function toPlainResource(r: RecordedResource): PlainResource {
  return {
    type: r.type,
    name: r.name,
    urn: r.urn,
    props: r.revealedInputs,
    custom: r.custom,
    provider: r.provider,
    parent: r.parent,
    dependencies: r.dependencies,
    secretPaths: r.secretPaths,
  };
}

/** Evaluates the whole pack on a planned stack. */
export function checkPlan(root: string, stack: string, resources: RecordedResource[]): PolicyReport {
  const file = packConfigPath(root, stack);
  const exists = fs.existsSync(file);
  const config: PackConfig = exists ? loadPackConfig(file, ALL_POLICIES) : {};
  const violations = evaluate(ALL_POLICIES, resources.map(toPlainResource), config, { source: "stack" });
  return { configFile: exists ? file : undefined, violations, mandatory: hasMandatory(violations) };
}

/**
 * The last line of the human plan, and the advisory violations under it: a clean run says so.
 * Mandatory violations are errors, printed on stderr (renderPolicyReport); here they are counted.
 */
export function renderPolicySummary(report: PolicyReport): string {
  const advisory = report.violations.filter((v) => v.enforcementLevel === "advisory");
  const mandatory = report.violations.filter((v) => v.enforcementLevel === "mandatory").length;
  const lines = [`Policies: ${mandatory} mandatory, ${advisory.length} advisory ${advisory.length === 1 ? "violation" : "violations"}`];
  for (const v of advisory) lines.push(`  ${formatViolation(v)}`);
  return lines.join("\n") + "\n";
}

/** The report for stderr: one line per violation, then a summary. Empty when nothing was found. */
export function renderPolicyReport(report: PolicyReport, stack: string): string {
  if (!report.violations.length) return "";
  const mandatory = report.violations.filter((v) => v.enforcementLevel === "mandatory").length;
  const lines = report.violations.map(formatViolation);
  const source = report.configFile ? path.relative(process.cwd(), report.configFile) : "pack defaults";
  lines.push(`Policy pack (${source}): ${report.violations.length} violation(s) in stack "${stack}", ${mandatory} mandatory`);
  return lines.join("\n") + "\n";
}
