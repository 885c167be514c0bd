// The lab's alert rules through Prometheus's own tools: every PrometheusRule of both stacks passes
// `promtool check rules`, and every alert has unit tests (tests/observability/alert-tests/) that
// show it firing, with the labels and annotations receivers get, and staying silent on healthy input.
import { homelabRuleGroups, prometheusRuleManifest, RuleGroup, RuleOptions } from "../../components/observability/rules";
import { alertCases } from "./alert-tests";
import { selectorProblems } from "./exporters";
import { stackObservability } from "./helpers";
import { selectors } from "./promql";
import { AlertCase, PROMTOOL, requireTool, ruleFile, runAlertCase, runIn, Severity } from "./promtool";

const STACKS = ["dev", "staging"] as const;
const stackRules = (stack: (typeof STACKS)[number]) => homelabRuleGroups({ gpu: stackObservability(stack).gpu });

it("promtool is installed (CI installs it; .ci/run)", () => requireTool(PROMTOOL, "prometheus"));

describe.each(STACKS)("the %s stack's rules", (stack) => {
  const groups = stackRules(stack);

  it("pass `promtool check rules`, one file per PrometheusRule as the operator loads them", () => {
    const files = Object.fromEntries(groups.map((g) => {
      const manifest = prometheusRuleManifest("monitoring", g);
      return [`${manifest.metadata.name}.yaml`, ruleFile(manifest.spec.groups)];
    }));
    const result = runIn(files, PROMTOOL, ["check", "rules", "--lint=all", "--lint-fatal", ...Object.keys(files)]);
    expect(result).toMatchObject({ code: 0 });
    const rules = groups.flatMap((g) => g.rules).length;
    expect(result.output.match(/SUCCESS: (\d+) rules found/g)?.map((m) => Number(m.split(" ")[1])).reduce((a, b) => a + b)).toBe(rules);
  });

  it.each(alertCases({ gpu: stackObservability(stack).gpu }).map((c) => [`${c.alert}: ${c.title}`, c] as const))(
    "promtool test rules — %s", (_, c) => {
      const result = runAlertCase(groups, c);
      if (result.code !== 0) throw new Error(`promtool test rules failed:\n${result.output}`);
    });
});

/** The rule shapes the program can produce: GPU or not, default or custom voice services. */
const SHAPES: RuleOptions[] = [
  { gpu: true },
  { gpu: false },
  { gpu: true, voiceServices: [{ namespace: "ai", deployment: "ollama" }] },
];

function untested(groups: RuleGroup[], cases: AlertCase[]): string[] {
  const firing = new Set(cases.flatMap((c) => Object.values(c.expect).flat().map((a) => `${c.alert}/${a.severity}`)));
  const silent = new Set(cases.filter((c) => Object.values(c.expect).some((alerts) => alerts.length === 0)).map((c) => c.alert));
  const problems: string[] = [];
  for (const rule of groups.flatMap((g) => g.rules)) {
    if (!firing.has(`${rule.alert}/${rule.labels.severity}`)) problems.push(`${rule.alert} (${rule.labels.severity}) has no case where it fires`);
    if (!silent.has(rule.alert)) problems.push(`${rule.alert} has no case where it stays silent`);
  }
  return [...new Set(problems)];
}

describe("every alert is unit-tested", () => {
  it.each(SHAPES.map((s) => [JSON.stringify(s), s] as const))("%s: each alert and severity has a firing and a silent promtool case", (_, shape) => {
    const problems = untested(homelabRuleGroups(shape), alertCases(shape));
    if (problems.length > 0) throw new Error(`add cases in tests/observability/alert-tests/ for:\n  ${problems.join("\n  ")}`);
  });

  it("the coverage check names an alert that has no cases (so the check above means something)", () => {
    const groups: RuleGroup[] = [...homelabRuleGroups({ gpu: false }), {
      name: "extra",
      rules: [{ alert: "BackupMissing", expr: "vector(1)", for: "1m", labels: { severity: "critical" }, annotations: { summary: "s", description: "d" } }],
    }];
    expect(untested(groups, alertCases({ gpu: false }))).toEqual([
      "BackupMissing (critical) has no case where it fires",
      "BackupMissing has no case where it stays silent",
    ]);
  });

  it("cases only test alerts that exist, with severities the rules have", () => {
    const groups = homelabRuleGroups({ gpu: true });
    const rules = new Set(groups.flatMap((g) => g.rules).map((r) => `${r.alert}/${r.labels.severity}`));
    const expected = alertCases({ gpu: true }).flatMap((c) => Object.values(c.expect).flat().map((a) => `${c.alert}/${a.severity}`));
    expect(expected.filter((e) => !rules.has(e))).toEqual([]);
  });

  it("input series use only metrics and labels the pinned exporters serve", () => {
    const problems = alertCases({ gpu: true }).flatMap((c) => Object.keys(c.series).flatMap((s) => selectors(s).flatMap(selectorProblems)
      .map((p) => `${c.alert} (${c.title}): ${p}`)));
    expect(problems).toEqual([]);
  });
});

describe("a broken rule makes promtool fail (the harness can fail)", () => {
  const groups = homelabRuleGroups({ gpu: false });
  const typo = (from: string, to: string): RuleGroup[] => groups.map((g) => ({
    ...g,
    rules: g.rules.map((r) => (r.alert === "NodeNotReady" ? { ...r, expr: r.expr.replace(from, to) } : r)),
  }));
  const notReadyCase = alertCases({ gpu: false }).find((c) => c.alert === "NodeNotReady")!;
  const firing = (severity: Severity) => Object.values(notReadyCase.expect).flat().some((a) => a.severity === severity);

  it("the unbroken rule passes", () => {
    expect(firing("critical")).toBe(true);
    expect(runAlertCase(groups, notReadyCase).code).toBe(0);
  });

  it("a misspelt label matcher (conditon=) is valid PromQL, never fires, and fails its unit test", () => {
    const broken = typo('condition="Ready"', 'conditon="Ready"');
    expect(broken.flatMap((g) => g.rules).find((r) => r.alert === "NodeNotReady")!.expr).toContain("conditon=");
    expect(runIn({ "rules.yaml": ruleFile(broken) }, PROMTOOL, ["check", "rules", "rules.yaml"]).code).toBe(0);
    const result = runAlertCase(broken, notReadyCase);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/alertname: NodeNotReady, time: 7m/);
  });

  it("the metric catalogue rejects the same typo without running anything", () => {
    const expr = typo('condition="Ready"', 'conditon="Ready"').flatMap((g) => g.rules).find((r) => r.alert === "NodeNotReady")!.expr;
    expect(selectors(expr).flatMap(selectorProblems)).toEqual(['kube_node_status_condition: kube-state-metrics v2.20.0 has no label "conditon"']);
  });

  it("an expression that does not parse fails `promtool check rules`", () => {
    const result = runIn({ "rules.yaml": ruleFile(typo("== 0", "== = 0")) }, PROMTOOL, ["check", "rules", "rules.yaml"]);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/NodeNotReady|parse error/);
  });
});
