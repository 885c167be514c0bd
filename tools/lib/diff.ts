// The plan diff: what a change does to a deployed stack, as the engine decides it (create, update,
// replace with its reason, delete, unchanged), with the input paths that change, printed the way
// `pulumi preview` does. Pure: a preview run and the prior state in, a PlanDiff out;
// tools/plan-diff.ts does the git and process work. Secrets never show: a changed secret is
// reported as changed, with both sides "[secret]".
import type { Decision, Operation } from "./engine/decisions";
import type { DeploymentState } from "./engine/state";
import { dangers } from "./lifecycle";
import { childPath } from "./paths";
import { SECRET_PLACEHOLDER, UNKNOWN_PLACEHOLDER } from "./placeholders";
import type { PlanRun } from "./plan";

export type ChangeKind = "add" | "delete" | "update";

export interface ValueChange {
  path: string;
  kind: ChangeKind;
  /** Redacted values: a secret stays "[secret]", an unknown "[unknown]". Absent for "add" (old) and "delete" (new). */
  old?: unknown;
  new?: unknown;
  /** True when either side is a secret; the value is never shown. */
  secret?: boolean;
  /** The same change as the path named here (a command's `update` that repeats its `create`). */
  sameAs?: string;
}

export interface ResourceChange {
  op: Exclude<Operation, "same">;
  urn: string;
  type: string;
  name: string;
  /** For updates and replacements: the input paths that change. */
  changes: ValueChange[];
  /** Why it is replaced (or deleted while retained, or matched through an alias). */
  reasons: string[];
}

export interface PlanDiff {
  stack: string;
  /** Engine errors and provider replacements: what a reviewer must read first. */
  dangers: string[];
  resources: ResourceChange[];
  outputs: ValueChange[];
  summary: Record<Operation, number>;
  /** What happens to objects in the cluster (and to the provider that manages them): the data-loss question. */
  kubernetes: { replaced: number; deleted: number; provider: Operation | "none" };
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === "object" && !Array.isArray(v);

/** Whether `path` equals or lies under one of `secretPaths`. */
function isSecretPath(path: string, secretPaths: ReadonlySet<string>): boolean {
  for (const s of secretPaths) if (path === s || path.startsWith(`${s}.`) || path.startsWith(`${s}[`) || s === "") return true;
  return false;
}

/**
 * Paths that are not sensitive although a provider marks their parent secret: @pulumi/command keeps
 * a command's whole `connection` secret because it holds the private key, but where a step connects
 * (host, port, user, pinned host key) is what a reviewer needs to see change.
 */
export const PUBLIC_UNDER_SECRET: Record<string, string[]> = {
  "command:remote:Command": ["host", "port", "user", "hostKey"].flatMap((field) => [`connection.${field}`, `connection.proxy.${field}`]),
};

/**
 * Compares two revealed values by path; anything under a secret path is compared but never shown,
 * except the `publicPaths` inside it.
 */
export function diffValues(base: unknown, head: unknown, secretPaths: ReadonlySet<string>, path = "", out: ValueChange[] = [], publicPaths: ReadonlySet<string> = new Set()): ValueChange[] {
  const isPublic = publicPaths.has(path);
  const holdsPublic = [...publicPaths].some((p) => p.startsWith(`${path}.`));
  if (isSecretPath(path, secretPaths) && path !== "" && !isPublic && !(holdsPublic && isObject(base) && isObject(head))) {
    if (JSON.stringify(base) !== JSON.stringify(head)) {
      const kind: ChangeKind = base === undefined ? "add" : head === undefined ? "delete" : "update";
      const shown = (v: unknown) => (v === UNKNOWN_PLACEHOLDER ? UNKNOWN_PLACEHOLDER : SECRET_PLACEHOLDER);
      out.push({ path, kind, ...(kind !== "add" ? { old: SECRET_PLACEHOLDER } : {}), ...(kind !== "delete" ? { new: shown(head) } : {}), secret: true });
    }
    return out;
  }
  // Inside a public path nothing is secret; the secret parent's other fields stay redacted.
  const secrets = isPublic ? new Set<string>() : secretPaths;
  if (isObject(base) && isObject(head)) {
    for (const key of [...new Set([...Object.keys(base), ...Object.keys(head)])].sort()) {
      const p = childPath(path, key);
      const secretHere = isPublic ? secrets : publicPaths.has(p) ? new Set<string>() : secretPaths;
      if (!(key in head)) out.push(redacted({ path: p, kind: "delete", old: base[key] }, secretHere));
      else if (!(key in base)) out.push(redacted({ path: p, kind: "add", new: head[key] }, secretHere));
      else diffValues(base[key], head[key], secrets, p, out, isPublic ? new Set() : publicPaths);
    }
    return out;
  }
  if (Array.isArray(base) && Array.isArray(head)) {
    for (let i = 0; i < Math.max(base.length, head.length); i++) {
      const p = childPath(path, i);
      if (i >= head.length) out.push(redacted({ path: p, kind: "delete", old: base[i] }, secretPaths));
      else if (i >= base.length) out.push(redacted({ path: p, kind: "add", new: head[i] }, secretPaths));
      else diffValues(base[i], head[i], secretPaths, p, out);
    }
    return out;
  }
  if (JSON.stringify(base) !== JSON.stringify(head)) out.push({ path, kind: "update", old: base, new: head });
  return out;
}

/** Replaces whatever lies under a secret path inside an added or deleted subtree. */
function redacted(change: ValueChange, secretPaths: ReadonlySet<string>): ValueChange {
  const hide = (value: unknown, path: string): unknown => {
    if (isSecretPath(path, secretPaths)) return SECRET_PLACEHOLDER;
    if (Array.isArray(value)) return value.map((v, i) => hide(v, childPath(path, i)));
    if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, hide(v, childPath(path, k))]));
    return value;
  };
  const out: ValueChange = { ...change };
  if ("old" in change) out.old = hide(change.old, change.path);
  if ("new" in change) out.new = hide(change.new, change.path);
  if (JSON.stringify(out) !== JSON.stringify(change)) out.secret = true;
  return out;
}

/** The diff of a preview run (tools/lib/lifecycle.ts `preview`) against the state it was decided on. */
export function describeRun(run: Pick<PlanRun, "decisions" | "errors" | "recorder" | "plan" | "state">, prior: DeploymentState): PlanDiff {
  const priorByUrn = new Map(prior.resources.map((r) => [r.urn, r]));
  const resources: ResourceChange[] = [];
  const summary: Record<Operation, number> = { create: 0, same: 0, update: 0, replace: 0, delete: 0 };
  for (const d of run.decisions) {
    summary[d.op]++;
    if (d.op === "same") continue;
    const before = priorByUrn.get(d.aliasOf ?? d.urn);
    const after = run.recorder.resources.get(d.urn);
    const secretPaths = new Set([...(before?.secretPaths ?? []), ...(after?.secretPaths ?? [])]);
    const publicPaths = new Set(PUBLIC_UNDER_SECRET[d.type] ?? []);
    const changes = d.op === "update" || d.op === "replace" ? withoutRepeatedScripts(diffValues(before?.inputs ?? {}, after?.revealedInputs ?? {}, secretPaths, "", [], publicPaths)) : [];
    resources.push({ op: d.op, urn: d.urn, type: d.type, name: d.name, changes, reasons: reasonsOf(d) });
  }
  const order: Record<ResourceChange["op"], number> = { replace: 0, delete: 1, create: 2, update: 3 };
  resources.sort((a, b) => order[a.op] - order[b.op] || a.urn.localeCompare(b.urn));
  const outputSecrets = new Set([...prior.outputSecretPaths, ...run.state.outputSecretPaths]);
  const inCluster = run.decisions.filter((d) => d.type.startsWith("kubernetes:"));
  const provider = run.decisions.find((d) => d.type === "pulumi:providers:kubernetes");
  return {
    stack: prior.stack,
    dangers: dangers(run),
    resources,
    outputs: diffValues(prior.outputs, run.state.outputs, outputSecrets),
    summary,
    kubernetes: {
      replaced: inCluster.filter((d) => d.op === "replace").length,
      deleted: inCluster.filter((d) => d.op === "delete").length,
      provider: provider?.op ?? "none",
    },
  };
}

/** A command's `update` usually repeats its `create`: one listing of the same change is enough. */
function withoutRepeatedScripts(changes: ValueChange[]): ValueChange[] {
  const create = changes.find((c) => c.path === "create");
  return changes.map((c) => (c.path === "update" && create && !c.secret && c.old === create.old && c.new === create.new ? { path: "update", kind: "update" as const, sameAs: "create" } : c));
}

function reasonsOf(d: Decision): string[] {
  return d.aliasOf ? [`was ${d.aliasOf.split("::").pop()} (alias)`, ...d.reasons] : d.reasons;
}

export function hasChanges(diff: PlanDiff): boolean {
  return diff.resources.length > 0 || diff.outputs.length > 0 || diff.dangers.length > 0;
}

// ---- rendering ----

const MAX_INLINE = 100;

function show(value: unknown): string {
  if (value === SECRET_PLACEHOLDER || value === UNKNOWN_PLACEHOLDER) return value;
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

/** A command line `[sudo -n ]bash -c '<script>'` shown as its script, which is what a reviewer reads. */
export function displayText(text: string): string {
  const m = /^(?:sudo -n )?bash -c '([\s\S]*)'$/.exec(text);
  return m ? m[1].replace(/'\\''/g, "'") : text;
}

function renderChange(c: ValueChange, indent: string): string[] {
  if (c.sameAs) return [`${indent}~ ${c.path}: (the same change as ${c.sameAs})`];
  if (c.kind === "add") return [`${indent}+ ${c.path}: ${show(c.new)}`];
  if (c.kind === "delete") return [`${indent}- ${c.path}: ${show(c.old)}`];
  if (c.new === UNKNOWN_PLACEHOLDER) return [`${indent}~ ${c.path}: ${c.secret ? SECRET_PLACEHOLDER : show(c.old)} => [unknown] (known after the update)`];
  if (c.secret) return [`${indent}~ ${c.path}: [secret] => [secret] (value changed, not shown)`];
  if (typeof c.old === "string" && typeof c.new === "string" && (c.old.includes("\n") || c.new.includes("\n"))) {
    return [`${indent}~ ${c.path}: (text, changed lines)`, ...lineDiff(displayText(c.old), displayText(c.new)).map((l) => `${indent}    ${l}`)];
  }
  return [`${indent}~ ${c.path}: ${show(c.old)} => ${show(c.new)}`];
}

const SYMBOL: Record<ResourceChange["op"], string> = { create: "+", update: "~", replace: "+-", delete: "-" };

export function renderDiff(diff: PlanDiff, title: string): string {
  const lines = [title, ""];
  for (const danger of diff.dangers) lines.push(`!! ${danger}`);
  if (diff.dangers.length > 0) lines.push("");
  if (!hasChanges(diff)) {
    lines.push(`no changes (${diff.summary.same} resources unchanged)`);
    return lines.join("\n") + "\n";
  }
  for (const r of diff.resources) {
    lines.push(`${SYMBOL[r.op].padEnd(2)} ${r.type}  ${r.name}  (${r.op})`);
    for (const reason of r.reasons) lines.push(`      ! ${reason}`);
    for (const c of r.changes) lines.push(...renderChange(c, "      "));
  }
  if (diff.outputs.length > 0) {
    lines.push("", "Outputs:");
    for (const c of diff.outputs) lines.push(...renderChange(c, "  "));
  }
  const s = diff.summary;
  const k = diff.kubernetes;
  lines.push("", `Resources: ${s.create} to create, ${s.update} to update, ${s.replace} to replace, ${s.delete} to delete, ${s.same} unchanged`);
  lines.push(`Kubernetes objects: ${k.replaced} replaced, ${k.deleted} deleted; the Kubernetes provider: ${k.provider === "same" ? "unchanged" : k.provider}`);
  return lines.join("\n") + "\n";
}
