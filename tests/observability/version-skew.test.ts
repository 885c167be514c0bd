// promtool (Debian bookworm) is Prometheus 2.42; kube-prometheus-stack 88.5.3 runs Prometheus
// v3.14.0. Rules and dashboards must mean the same to both, so they avoid what 2.42 cannot parse
// and what 3.x dropped. Versions below are from Prometheus's CHANGELOG.md at v3.14.0.
import { homelabDashboards } from "../../components/observability/dashboards";
import { homelabRuleGroups } from "../../components/observability/rules";

/** Functions newer than 2.42 (most still experimental, behind a flag, in 3.14) or gone in 3.x. */
const FUNCTIONS: Record<string, string> = {
  histogram_stddev: "2.47", histogram_stdvar: "2.47",
  sort_by_label: "2.49 (experimental)", sort_by_label_desc: "2.49 (experimental)", mad_over_time: "2.49 (experimental)",
  histogram_avg: "2.51",
  limitk: "2.54 (experimental)", limit_ratio: "2.54 (experimental)",
  info: "2.55 (experimental)",
  holt_winters: "removed in 3.0 (double_exponential_smoothing, experimental)", double_exponential_smoothing: "3.0 (experimental)",
  ts_of_min_over_time: "3.5 (experimental)", ts_of_max_over_time: "3.5 (experimental)", ts_of_last_over_time: "3.5 (experimental)",
  first_over_time: "3.7", ts_of_first_over_time: "3.7 (experimental)",
  histogram_quantiles: "3.11 (experimental)", start_timestamp: "3.14 (experimental)",
  step: "3.6 (duration expressions)", range: "3.12 (duration expressions)", start: "3.12 (experimental)", end: "3.12 (experimental)",
  min_of: "3.13 (experimental)", max_of: "3.13 (experimental)",
};

/** Syntax newer than 2.42. */
const SYNTAX: Array<[RegExp, string]> = [
  [/\b(anchored|smoothed)\b/, "anchored/smoothed range modifiers: 3.7 (experimental)"],
  [/\bfill(_left|_right)?\s*\(/, "fill() binary-operator modifiers: 3.10"],
  [/\[[^\]:]*[-+*/()][^\]]*\]/, "arithmetic in a range or subquery duration: 3.4 (experimental), on by default in 3.14"],
  [/\d_\d/, "underscores in number literals: 2.54"],
  [/[<>=]=?\s*\d+(ms|s|m|h|d|w|y)\b/, "a duration used as a number: 2.54 (experimental)"],
  [/\{\s*"/, "quoted (UTF-8) metric or label names: 3.0"],
];

/** Template functions newer than 2.42. */
const TEMPLATE_FUNCTIONS: Record<string, string> = { toDuration: "3.6", now: "3.6", urlQueryEscape: "3.8" };

function skew(expr: string): string[] {
  const problems: string[] = [];
  for (const m of expr.matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*\(/g)) {
    if (m[1] in FUNCTIONS) problems.push(`${m[1]}(): ${FUNCTIONS[m[1]]}`);
  }
  for (const [pattern, what] of SYNTAX) if (pattern.test(expr)) problems.push(what);
  return problems;
}

function templateSkew(text: string): string[] {
  return [...text.matchAll(/\{\{([^}]*)\}\}/g)].flatMap((m) => m[1].split(/[\s|()]+/))
    .filter((word) => word in TEMPLATE_FUNCTIONS).map((word) => `${word}: ${TEMPLATE_FUNCTIONS[word]}`);
}

describe("PromQL that promtool 2.42 and Prometheus 3.14 read alike", () => {
  it("rules use no function, syntax or template function newer than 2.42, nor one 3.x dropped", () => {
    const rules = [true, false].flatMap((gpu) => homelabRuleGroups({ gpu }).flatMap((g) => g.rules));
    const problems = rules.flatMap((r) => [
      ...skew(r.expr),
      ...templateSkew(r.annotations.summary),
      ...templateSkew(r.annotations.description),
    ].map((p) => `${r.alert}: ${p}`));
    expect(problems).toEqual([]);
  });

  it("dashboard queries too", () => {
    const problems = homelabDashboards({ gpu: true }).flatMap((b) => b.panels.filter((p) => p.type !== "logs")
      .flatMap((p) => p.targets.flatMap((t) => skew(t.expr).map((problem) => `${b.uid} / ${p.title}: ${problem}`))));
    expect(problems).toEqual([]);
  });

  it("the scan finds each kind of newer feature (so the checks above mean something)", () => {
    expect(skew("limitk(2, up)")).toEqual(["limitk(): 2.54 (experimental)"]);
    expect(skew("holt_winters(x[1h], 0.5, 0.5)")).toEqual(["holt_winters(): removed in 3.0 (double_exponential_smoothing, experimental)"]);
    expect(skew("rate(x[5m] anchored)")).toEqual(["anchored/smoothed range modifiers: 3.7 (experimental)"]);
    expect(skew("a + fill(0) b")).toEqual(["fill() binary-operator modifiers: 3.10"]);
    expect(skew("rate(x[5m+1m])")).toEqual(["arithmetic in a range or subquery duration: 3.4 (experimental), on by default in 3.14"]);
    expect(skew("time() - t > 10m")).toEqual(["a duration used as a number: 2.54 (experimental)"]);
    expect(skew('{"my.metric"}')).toEqual(["quoted (UTF-8) metric or label names: 3.0"]);
    expect(skew("x > 1_000")).toEqual(["underscores in number literals: 2.54"]);
    // Still fine: subqueries, ranges, plain arithmetic, regexes with parentheses in strings.
    expect(skew('max_over_time(rate(x[5m])[1h:1m]) > 26 * 3600 and y{a=~"(b|c)"}')).toEqual([]);
    expect(templateSkew("{{ $value | toDuration }}")).toEqual(["toDuration: 3.6"]);
    expect(templateSkew("{{ $value | humanizeDuration }}")).toEqual([]);
  });
});
