// A small PromQL reader for the tests: which series an expression selects (metric name and label
// matchers). promtool 2.42 parses expressions (`check rules`) but prints no syntax tree, so the
// selectors are extracted here and checked against the exporters' documented metrics.

export interface Matcher {
  label: string;
  op: "=" | "!=" | "=~" | "!~";
  value: string;
}

export interface Selector {
  /** The metric name, or undefined for a bare `{...}` selector. */
  metric?: string;
  matchers: Matcher[];
}

type Token = { kind: "ident" | "string" | "number" | "punct"; text: string };

const KEYWORDS = new Set(["and", "or", "unless", "bool", "offset", "inf", "nan", "atan2"]);
/** Aggregations, which may take their `by (...)` clause before the parenthesised argument. */
const AGGREGATIONS = new Set(["sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio"]);
/** Keywords followed by a parenthesised list of label names, not expressions. */
const LABEL_LIST_KEYWORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right"]);

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < expr.length) {
    const c = expr[i];
    if (/\s/.test(c)) { i++; continue; }
    if (c === "#") { while (i < expr.length && expr[i] !== "\n") i++; continue; }
    if (c === '"' || c === "'" || c === "`") {
      let j = i + 1;
      let value = "";
      while (j < expr.length && expr[j] !== c) {
        if (expr[j] === "\\" && c !== "`") { value += expr[j + 1]; j += 2; continue; }
        value += expr[j++];
      }
      if (j >= expr.length) throw new Error(`unterminated string in: ${expr}`);
      tokens.push({ kind: "string", text: value });
      i = j + 1;
      continue;
    }
    const ident = /^[A-Za-z_:][A-Za-z0-9_:]*/.exec(expr.slice(i));
    if (ident) { tokens.push({ kind: "ident", text: ident[0] }); i += ident[0].length; continue; }
    // Numbers and durations (5m, 1h30m, 1e3, 0x1f) are one token.
    const number = /^(0x[0-9a-fA-F]+|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[a-zA-Z0-9]*)/.exec(expr.slice(i));
    if (number) { tokens.push({ kind: "number", text: number[0] }); i += number[0].length; continue; }
    const punct = /^(=~|!~|!=|==|>=|<=|[-+*/%^(){}[\],=<>@:])/.exec(expr.slice(i));
    if (!punct) throw new Error(`unexpected "${c}" in: ${expr}`);
    tokens.push({ kind: "punct", text: punct[0] });
    i += punct[0].length;
  }
  return tokens;
}

function readMatchers(tokens: Token[], open: number): { matchers: Matcher[]; end: number } {
  const matchers: Matcher[] = [];
  let i = open + 1;
  while (tokens[i] && tokens[i].text !== "}") {
    const [label, op, value] = [tokens[i], tokens[i + 1], tokens[i + 2]];
    if (label?.kind !== "ident" || !["=", "!=", "=~", "!~"].includes(op?.text) || value?.kind !== "string") {
      throw new Error(`cannot read label matcher at "${tokens.slice(i, i + 3).map((t) => t.text).join(" ")}"`);
    }
    matchers.push({ label: label.text, op: op.text as Matcher["op"], value: value.text });
    i += 3;
    if (tokens[i]?.text === ",") i++;
  }
  if (!tokens[i]) throw new Error("unterminated label matchers");
  return { matchers, end: i };
}

/** Every vector selector in an expression, in order. */
export function selectors(expr: string): Selector[] {
  const tokens = tokenize(expr);
  const found: Selector[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind === "punct" && t.text === "[") {
      while (tokens[i] && tokens[i].text !== "]") i++; // ranges, subqueries: durations only
      continue;
    }
    if (t.kind === "punct" && t.text === "{") {
      const { matchers, end } = readMatchers(tokens, i);
      found.push({ matchers });
      i = end;
      continue;
    }
    if (t.kind !== "ident") continue;
    const next = tokens[i + 1];
    if (LABEL_LIST_KEYWORDS.has(t.text.toLowerCase()) && next?.text === "(") {
      while (tokens[i] && tokens[i].text !== ")") i++;
      continue;
    }
    if (KEYWORDS.has(t.text.toLowerCase())) continue;
    if (next?.text === "(") continue; // a function or an aggregation
    if (AGGREGATIONS.has(t.text) && next && LABEL_LIST_KEYWORDS.has(next.text)) continue;
    if (next?.text === "{") {
      const { matchers, end } = readMatchers(tokens, i + 1);
      found.push({ metric: t.text, matchers });
      i = end;
    } else {
      found.push({ metric: t.text, matchers: [] });
    }
  }
  return found;
}

/** Metric names an expression selects (by name or by a `__name__` equality matcher). */
export function metricNames(expr: string): string[] {
  const names = selectors(expr).map((s) => s.metric ?? s.matchers.find((m) => m.label === "__name__" && m.op === "=")?.value);
  return [...new Set(names.filter((n): n is string => n !== undefined))];
}

/**
 * Grafana's variables replaced by values a real dashboard would send, so the query can be parsed
 * as PromQL. An unknown variable is an error: add its realistic value here.
 */
export const GRAFANA_VARIABLE_VALUES: Record<string, string> = {
  __rate_interval: "2m",
  __interval: "1m",
  __range: "6h",
  namespace: "database",
  node: "pgmac01",
};

export function substituteGrafanaVariables(expr: string): string {
  return expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (_, braced: string, bare: string) => {
    const name = braced ?? bare;
    const value = GRAFANA_VARIABLE_VALUES[name];
    if (value === undefined) throw new Error(`no realistic value for Grafana variable $${name} in: ${expr}`);
    return value;
  });
}
