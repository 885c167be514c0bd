// Runs Prometheus's own tools on what the program generates: `promtool check rules` on the rule
// groups and `promtool test rules` on unit tests written as TypeScript (AlertCase), so cases can
// loop over the voice services and use the thresholds the rules use.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import type { AlertRule, RuleGroup } from "../../components/observability/rules";

export const PROMTOOL = "/usr/bin/promtool";
export const AMTOOL = "/usr/bin/amtool";

export function requireTool(tool: string, pkg: string): void {
  if (!fs.existsSync(tool)) throw new Error(`${tool} is missing: apt-get install --no-install-recommends ${pkg} (the .ci/run script does)`);
}

export interface ToolResult {
  code: number;
  stdout: string;
  /** stdout and stderr together. */
  output: string;
}

/** Runs a tool in a fresh directory holding `files`; returns its exit code and combined output. */
export function runIn(files: Record<string, string>, tool: string, args: string[]): ToolResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-promtool-"));
  try {
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    const run = spawnSync(tool, args, { cwd: dir, encoding: "utf8", timeout: 60_000 });
    if (run.error) throw run.error;
    return { code: run.status ?? -1, stdout: run.stdout, output: `${run.stdout}${run.stderr}` };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A Prometheus rule file (what the operator writes from a PrometheusRule's spec); recording rules too. */
export function ruleFile(groups: Array<{ name: string; rules: object[] }>): string {
  return YAML.stringify({ groups });
}

export type Severity = AlertRule["labels"]["severity"];

/** An alert expected to be firing: its labels besides alertname and severity. */
export interface FiringAlert {
  severity: Severity;
  labels: Record<string, string>;
  /** How `{{ $value ... }}` renders in the annotations, when they use it (e.g. "10%", "6m 40s"). */
  value?: string;
}

export interface AlertCase {
  alert: string;
  /** What the case shows. */
  title: string;
  /** Input series, selector -> promtool's expanding notation ("1 0x10"), one sample per interval. */
  series: Record<string, string>;
  /** Sample spacing; 1m unless said. */
  interval?: string;
  /** Rule evaluation spacing; 1m unless said (a multi-day case evaluates every rule at each step). */
  evaluationInterval?: string;
  /** Evaluation time -> the alerts firing then ([] = silent). */
  expect: Record<string, FiringAlert[]>;
}

/**
 * The annotations promtool must produce: the rule's templates with the expected labels and value
 * put in. A template naming a label the alert does not carry throws here, so a case cannot pass on
 * an annotation that would render empty in a receiver.
 */
export function renderAnnotations(rule: AlertRule, alert: FiringAlert): Record<string, string> {
  const labels: Record<string, string> = { ...alert.labels, alertname: rule.alert, severity: alert.severity };
  const render = (template: string) => template.replace(/\{\{\s*([^}]*?)\s*\}\}/g, (whole, inner: string) => {
    const label = /^\$labels\.(\w+)$/.exec(inner);
    if (label) {
      if (!(label[1] in labels)) throw new Error(`${rule.alert}: annotation uses $labels.${label[1]}, which the alert does not carry`);
      return labels[label[1]];
    }
    if (/^\$value\b/.test(inner)) {
      if (alert.value === undefined) throw new Error(`${rule.alert}: annotation renders ${whole}; give the case's expected \`value\``);
      return alert.value;
    }
    throw new Error(`${rule.alert}: template ${whole} is not one the tests know how to expect`);
  });
  return { summary: render(rule.annotations.summary), description: render(rule.annotations.description) };
}

/** The rule an expected alert stands for (same name and severity). */
export function ruleFor(groups: RuleGroup[], alert: string, severity: Severity): AlertRule {
  const rule = groups.flatMap((g) => g.rules).find((r) => r.alert === alert && r.labels.severity === severity);
  if (!rule) throw new Error(`no rule ${alert} with severity ${severity}`);
  return rule;
}

/** promtool's unit-test file for one case, against `rules.yaml`. */
export function promtoolTestFile(groups: RuleGroup[], c: AlertCase): string {
  return YAML.stringify({
    rule_files: ["rules.yaml"],
    evaluation_interval: c.evaluationInterval ?? "1m",
    tests: [{
      name: `${c.alert}: ${c.title}`,
      interval: c.interval ?? "1m",
      input_series: Object.entries(c.series).map(([series, values]) => ({ series, values })),
      alert_rule_test: Object.entries(c.expect).map(([evalTime, alerts]) => ({
        eval_time: evalTime,
        alertname: c.alert,
        exp_alerts: alerts.map((a) => ({
          exp_labels: { ...a.labels, severity: a.severity },
          exp_annotations: renderAnnotations(ruleFor(groups, c.alert, a.severity), a),
        })),
      })),
    }],
  });
}

/** Runs one case with promtool against the given rule groups. */
export function runAlertCase(groups: RuleGroup[], c: AlertCase): ToolResult {
  return runIn({ "rules.yaml": ruleFile(groups), "test.yaml": promtoolTestFile(groups, c) }, PROMTOOL, ["test", "rules", "test.yaml"]);
}

/** `{a="1",b="2"}` from a label map, in promtool's series notation. */
export function series(metric: string, labels: Record<string, string>): string {
  return `${metric}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(",")}}`;
}
