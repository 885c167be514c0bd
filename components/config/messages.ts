// How the config speaks to the operator: each problem says what was found and what was expected,
// with a hint when the mistake is a common one. Values are echoed only briefly, so a secret pasted
// into the wrong key does not end up in a CI log.

/** A value as a problem message shows it: `the string "yes"`, `the number 3`, `a list`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "an empty value";
  if (typeof value === "string") {
    if (/PRIVATE KEY/.test(value)) return "a private key (it belongs in the secret homelab:sshPrivateKey, never in a setting)";
    if (value.length > 60) return `a ${value.length}-character string starting ${JSON.stringify(value.slice(0, 24))}`;
    return `the string ${JSON.stringify(value)}`;
  }
  if (typeof value === "number") return `the number ${value}`;
  if (typeof value === "boolean") return String(value);
  if (Array.isArray(value)) return value.length === 0 ? "an empty list" : "a list";
  return "a mapping";
}

const YAML_11_BOOLEANS = ["yes", "no", "on", "off", "y", "n"];

/** A hint for a scalar of the wrong type that is one YAML spelling away from the right one. */
export function scalarHint(value: unknown, expected: "number" | "boolean" | "string"): string {
  if (typeof value === "string") {
    const text = value.trim();
    if (expected === "number" && /^[-+]?\d+(\.\d+)?$/.test(text)) return "; remove the quotes (a quoted number is a string)";
    if (expected === "boolean" && /^(true|false)$/i.test(text)) return "; remove the quotes (a quoted true or false is a string)";
    if (expected === "boolean" && YAML_11_BOOLEANS.includes(text.toLowerCase())) {
      return `; write true or false (YAML 1.2 reads ${text} as a string)`;
    }
  }
  if (expected === "string" && (typeof value === "number" || typeof value === "boolean")) {
    return `; quote it ("${String(value)}") if you meant the text`;
  }
  return "";
}

/** Problem text for a value of the wrong type, or a missing one. */
export function typeProblem(value: unknown, expected: string, kind: "number" | "boolean" | "string" | "other" = "other"): string {
  if (value === undefined) return `is required; expected ${expected}`;
  return `expected ${expected}, got ${describeValue(value)}${kind === "other" ? "" : scalarHint(value, kind)}`;
}

/** Edit distance with adjacent transpositions (optimal string alignment), case-insensitive. */
export function editDistance(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  const d: number[][] = Array.from({ length: x.length + 1 }, (_, i) => Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[x.length][y.length];
}

/**
 * The candidate the input most likely misspells: the nearest one within two edits (one for short
 * words), if a single candidate is nearest.
 */
export function closest(input: string, candidates: readonly string[]): string | undefined {
  const limit = input.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = Infinity;
  let tie = false;
  for (const candidate of candidates) {
    if (candidate === input) continue;
    const distance = editDistance(input, candidate);
    if (distance < bestDistance) [best, bestDistance, tie] = [candidate, distance, false];
    else if (distance === bestDistance) tie = true;
  }
  return best !== undefined && bestDistance <= limit && !tie ? best : undefined;
}

/** `"a", "b" or "c"` */
export function listOf(values: readonly unknown[], conjunction = "or"): string {
  const quoted = values.map((v) => (typeof v === "string" ? `"${v}"` : String(v)));
  return quoted.length <= 1 ? quoted.join("") : `${quoted.slice(0, -1).join(", ")} ${conjunction} ${quoted[quoted.length - 1]}`;
}
