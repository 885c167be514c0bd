// The plan diff: what changes between two offline plans of one stack, matched by URN, printed the
// way `pulumi preview` does (+ create, ~ update, - delete, with the input paths that change).
// Pure: plans in, a PlanDiff out; tools/plan-diff.ts does the git and process work.
import { SECRET_PLACEHOLDER } from "./recorder";
import { childPath } from "./paths";
import type { DigestedPlan, DigestedResource } from "./secret-digests";

export type ChangeKind = "add" | "delete" | "update";

export interface ValueChange {
  path: string;
  kind: ChangeKind;
  /** Redacted values: a secret stays "[secret]". Absent for "add" (old) and "delete" (new). */
  old?: unknown;
  new?: unknown;
  /** True when either side is a secret; the value is never shown. */
  secret?: boolean;
}

export interface ResourceChange {
  op: "create" | "update" | "delete";
  urn: string;
  type: string;
  name: string;
  /** For updates: the input paths that change. */
  changes: ValueChange[];
  /** Why this update may be a replacement (replaceOnChanges, or a field the provider replaces on). */
  replaceReasons: string[];
}

export interface PlanDiff {
  stack: string;
  resources: ResourceChange[];
  outputs: ValueChange[];
  summary: { create: number; update: number; delete: number; same: number };
  /** Caveats about the comparison itself (e.g. a side without secret digests). */
  notes: string[];
}

interface DigestPair {
  base?: Record<string, string>;
  head?: Record<string, string>;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function equalJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equalJson(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && equalJson(a[k], b[k]));
  }
  return false;
}

function containsSecret(v: unknown): boolean {
  if (v === SECRET_PLACEHOLDER) return true;
  if (Array.isArray(v)) return v.some(containsSecret);
  if (isObject(v)) return Object.values(v).some(containsSecret);
  return false;
}

/** Compares two values by path; secrets compare by digest, and unknown digests are reported in `blind`. */
export function diffValues(base: unknown, head: unknown, digests: DigestPair, path = "", out: ValueChange[] = [], blind: string[] = []): ValueChange[] {
  if (base === SECRET_PLACEHOLDER && head === SECRET_PLACEHOLDER) {
    const a = digests.base?.[path];
    const b = digests.head?.[path];
    if (a === undefined || b === undefined) blind.push(path);
    else if (a !== b) out.push({ path, kind: "update", old: SECRET_PLACEHOLDER, new: SECRET_PLACEHOLDER, secret: true });
    return out;
  }
  if (isObject(base) && isObject(head)) {
    const keys = [...new Set([...Object.keys(base), ...Object.keys(head)])].sort();
    for (const key of keys) {
      const p = childPath(path, key);
      if (!(key in head)) out.push(withSecret({ path: p, kind: "delete", old: base[key] }));
      else if (!(key in base)) out.push(withSecret({ path: p, kind: "add", new: head[key] }));
      else diffValues(base[key], head[key], digests, p, out, blind);
    }
    return out;
  }
  if (Array.isArray(base) && Array.isArray(head)) {
    const n = Math.max(base.length, head.length);
    for (let i = 0; i < n; i++) {
      const p = childPath(path, i);
      if (i >= head.length) out.push(withSecret({ path: p, kind: "delete", old: base[i] }));
      else if (i >= base.length) out.push(withSecret({ path: p, kind: "add", new: head[i] }));
      else diffValues(base[i], head[i], digests, p, out, blind);
    }
    return out;
  }
  if (!equalJson(base, head)) out.push(withSecret({ path, kind: "update", old: base, new: head }));
  return out;
}

function withSecret(change: ValueChange): ValueChange {
  return containsSecret(change.old) || containsSecret(change.new) ? { ...change, secret: true } : change;
}

/** Fields a provider replaces the resource on, beyond what the program declares in replaceOnChanges. */
function providerReplaceReasons(type: string, path: string): string | undefined {
  if (type.startsWith("kubernetes:") && !type.startsWith("kubernetes:helm.sh") && /^metadata\.(name|namespace)$/.test(path)) {
    return `${path} changes: Kubernetes replaces the object`;
  }
  if (type.startsWith("command:") && path.startsWith("triggers")) return `${path} changes: the command is replaced (re-run)`;
  return undefined;
}

function pathUnder(path: string, prefix: string): boolean {
  if (prefix === "*") return true;
  const normalized = prefix.replace(/\[\*\]/g, "");
  return path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`) || (normalized !== prefix && path.startsWith(normalized));
}

function updateOf(base: DigestedResource, head: DigestedResource, blind: string[]): ResourceChange | undefined {
  const changes = diffValues(base.inputs, head.inputs, { base: base.secretDigests, head: head.secretDigests }, "", [], blind);
  if (base.provider !== head.provider) changes.unshift({ path: "(provider)", kind: "update", old: base.provider, new: head.provider });
  if (changes.length === 0) return undefined;
  const reasons = new Set<string>();
  for (const c of changes) {
    const declared = (head.replaceOnChanges ?? []).find((p) => pathUnder(c.path, p));
    if (declared) reasons.add(`${c.path} changes and the program declares replaceOnChanges "${declared}"`);
    const fromProvider = providerReplaceReasons(head.type, c.path);
    if (fromProvider) reasons.add(fromProvider);
  }
  return { op: "update", urn: head.urn, type: head.type, name: head.name, changes, replaceReasons: [...reasons] };
}

export function diffPlans(base: DigestedPlan, head: DigestedPlan): PlanDiff {
  const baseByUrn = new Map(base.resources.map((r) => [r.urn, r]));
  const headByUrn = new Map(head.resources.map((r) => [r.urn, r]));
  const resources: ResourceChange[] = [];
  const blind: string[] = [];
  let same = 0;
  for (const r of head.resources) {
    const old = baseByUrn.get(r.urn);
    if (!old) resources.push({ op: "create", urn: r.urn, type: r.type, name: r.name, changes: [], replaceReasons: [] });
    else {
      const update = updateOf(old, r, blind);
      if (update) resources.push(update);
      else same++;
    }
  }
  for (const r of base.resources) {
    if (!headByUrn.has(r.urn)) resources.push({ op: "delete", urn: r.urn, type: r.type, name: r.name, changes: [], replaceReasons: [] });
  }
  const order = { create: 0, update: 1, delete: 2 };
  resources.sort((a, b) => order[a.op] - order[b.op] || a.urn.localeCompare(b.urn));
  const outputs = diffValues(base.outputs, head.outputs, { base: base.outputSecretDigests, head: head.outputSecretDigests }, "", [], blind);
  const notes: string[] = [];
  if (blind.length > 0) {
    notes.push(`${blind.length} secret value(s) could not be compared (a plan without secret digests, e.g. a base older than the plan diff); a change to them would not show`);
  }
  const count = (op: ResourceChange["op"]) => resources.filter((r) => r.op === op).length;
  return { stack: head.stack, resources, outputs, summary: { create: count("create"), update: count("update"), delete: count("delete"), same }, notes };
}

export function hasChanges(diff: PlanDiff): boolean {
  return diff.resources.length > 0 || diff.outputs.length > 0;
}

// ---- rendering ----

const MAX_INLINE = 100;

function show(value: unknown): string {
  if (value === SECRET_PLACEHOLDER) return SECRET_PLACEHOLDER;
  const text = JSON.stringify(value) ?? "undefined";
  return text.length > MAX_INLINE ? `${text.slice(0, MAX_INLINE - 1)}…` : text;
}

/** Changed lines of two multi-line strings (longest common subsequence), for scripts and configs. */
export function lineDiff(a: string, b: string): string[] {
  const x = a.split("\n");
  const y = b.split("\n");
  const n = x.length;
  const m = y.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = x[i] === y[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) {
      i++;
      j++;
    } else if (i < n && (j >= m || lcs[i + 1][j] >= lcs[i][j + 1])) out.push(`- ${x[i++]}`);
    else out.push(`+ ${y[j++]}`);
  }
  return out;
}

function renderChange(c: ValueChange, indent: string): string[] {
  const symbol = c.kind === "add" ? "+" : c.kind === "delete" ? "-" : "~";
  if (c.kind === "add") return [`${indent}${symbol} ${c.path}: ${show(c.new)}`];
  if (c.kind === "delete") return [`${indent}${symbol} ${c.path}: ${show(c.old)}`];
  if (c.secret && c.old === SECRET_PLACEHOLDER && c.new === SECRET_PLACEHOLDER) return [`${indent}~ ${c.path}: [secret] => [secret] (value changed, not shown)`];
  if (typeof c.old === "string" && typeof c.new === "string" && (c.old.includes("\n") || c.new.includes("\n"))) {
    return [`${indent}~ ${c.path}: (text, changed lines)`, ...lineDiff(c.old, c.new).map((l) => `${indent}    ${l}`)];
  }
  return [`${indent}~ ${c.path}: ${show(c.old)} => ${show(c.new)}`];
}

export function renderDiff(diff: PlanDiff, title: string): string {
  const lines = [title, ""];
  if (!hasChanges(diff)) {
    lines.push(`no changes (${diff.summary.same} resources unchanged)`);
    for (const note of diff.notes) lines.push(`note: ${note}`);
    return lines.join("\n") + "\n";
  }
  for (const r of diff.resources) {
    const symbol = r.op === "create" ? "+" : r.op === "delete" ? "-" : r.replaceReasons.length > 0 ? "+-" : "~";
    const label = r.op === "update" && r.replaceReasons.length > 0 ? "  (update, may replace)" : "";
    lines.push(`${symbol.padEnd(2)} ${r.type}  ${r.name}${label}`);
    for (const reason of r.replaceReasons) lines.push(`      ! ${reason}`);
    for (const c of r.changes) lines.push(...renderChange(c, "      "));
  }
  if (diff.outputs.length > 0) {
    lines.push("", "Outputs:");
    for (const c of diff.outputs) lines.push(...renderChange(c, "  "));
  }
  const s = diff.summary;
  lines.push("", `Resources: ${s.create} to create, ${s.update} to update, ${s.delete} to delete, ${s.same} unchanged`);
  for (const note of diff.notes) lines.push(`note: ${note}`);
  return lines.join("\n") + "\n";
}
