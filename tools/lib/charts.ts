// Chart values checking: which values a plan sets on each Helm chart, how to fetch a chart version
// (a Helm repository's index.yaml or an OCI registry), and whether every key path the program sets
// exists in the chart (values.yaml, its subcharts, or values.schema.json). A renamed key is silently
// ignored by Helm; this catches it before the lab does.
import { createHash } from "node:crypto";
import * as YAML from "yaml";
import { childPath } from "./paths";
import { readTgz, TarEntry } from "./tar";
import type { Plan } from "./plan";

export const HELM_CHART_TYPE = "kubernetes:helm.sh/v4:Chart";

export interface ChartRef {
  /** https Helm repository, or oci://registry/path (the chart name is appended). */
  repo: string;
  chart: string;
  version: string;
  /** The archive's own URL, when the chart is installed from one (a pin's artifact). */
  url?: string;
  /** The sha256 the archive must have (the pin's artifact); checked after download. */
  sha256?: string;
}

export interface ChartUse extends ChartRef {
  /** Every values object set on this chart version, with where it came from ("dev: monitoring-kps"). */
  values: { source: string; values: unknown }[];
}

export function chartKey(ref: ChartRef): string {
  return ref.url ? `${ref.url}@${ref.version}` : `${ref.repo}|${ref.chart}@${ref.version}`;
}

/** A chart archive's URL as name and version: .../csi-driver-nfs-4.13.4.tgz. */
function archiveName(url: string, version: string): string | undefined {
  const file = url.slice(url.lastIndexOf("/") + 1);
  const suffix = `-${version.replace(/^v/, "")}.tgz`;
  return file.endsWith(suffix) ? file.slice(0, -suffix.length) : undefined;
}

/** Normalizes the ways a v4 Chart names its chart (repositoryOpts.repo + name, or an oci:// chart). */
export function chartRefOf(inputs: Record<string, unknown>): ChartRef | undefined {
  const chart = typeof inputs.chart === "string" ? inputs.chart : undefined;
  const version = typeof inputs.version === "string" ? inputs.version : undefined;
  const repo = (inputs.repositoryOpts as { repo?: unknown } | undefined)?.repo;
  if (!chart || !version) return undefined;
  // An archive's own URL (http only ever in tests on loopback; the pack refuses it in a stack).
  if (/^https?:\/\//.test(chart)) {
    const name = archiveName(chart, version);
    return name ? { repo: chart.slice(0, chart.lastIndexOf("/")), chart: name, version, url: chart } : undefined;
  }
  if (chart.startsWith("oci://")) {
    const cut = chart.lastIndexOf("/");
    return { repo: chart.slice(0, cut), chart: chart.slice(cut + 1), version };
  }
  if (typeof repo !== "string") return undefined;
  return { repo: repo.replace(/\/+$/, ""), chart, version };
}

/** Every Helm chart in the plans, with the values each use sets. Generic: no knowledge of layers. */
export function chartUsesFromPlans(plans: Plan[]): { uses: ChartUse[]; unreadable: string[] } {
  const uses = new Map<string, ChartUse>();
  const unreadable: string[] = [];
  for (const plan of plans) {
    for (const r of plan.resources) {
      if (r.type !== HELM_CHART_TYPE) continue;
      const ref = chartRefOf(r.inputs);
      if (!ref) {
        unreadable.push(`${plan.stack}: ${r.name} (chart/version/repositoryOpts.repo not plain strings)`);
        continue;
      }
      const use = uses.get(chartKey(ref)) ?? { ...ref, values: [] };
      use.values.push({ source: `${plan.stack}: ${r.name}`, values: r.inputs.values ?? {} });
      uses.set(chartKey(ref), use);
    }
  }
  return { uses: [...uses.values()], unreadable };
}

// ---- fetching ----

export type Fetch = (url: string, init?: { headers?: Record<string, string> }) => Promise<{ ok: boolean; status: number; headers: { get(name: string): string | null }; arrayBuffer(): Promise<ArrayBuffer>; text(): Promise<string> }>;

const defaultFetch: Fetch = (url, init) => fetch(url, { ...init, signal: AbortSignal.timeout(120_000) });

async function get(fetchImpl: Fetch, url: string, headers?: Record<string, string>): Promise<Buffer> {
  const res = await fetchImpl(url, { headers });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}

function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * Downloads a chart version's .tgz: from its own URL (checked against the pin's sha256), a Helm
 * repository (index.yaml, checked against the index digest) or an OCI registry.
 */
export async function downloadChart(ref: ChartRef, fetchImpl: Fetch = defaultFetch, indexCache = new Map<string, Promise<unknown>>()): Promise<Buffer> {
  if (ref.url) {
    const tgz = await get(fetchImpl, ref.url);
    if (!ref.sha256) throw new Error(`${ref.chart} ${ref.version}: ${ref.url} has no pinned sha256 to check the download against`);
    if (sha256(tgz) !== ref.sha256) throw new Error(`${ref.chart} ${ref.version}: ${ref.url} does not match the pinned sha256 ${ref.sha256}`);
    return tgz;
  }
  if (ref.repo.startsWith("oci://")) return downloadOciChart(ref, fetchImpl);
  const base = ref.repo.replace(/\/+$/, "");
  let index = indexCache.get(base);
  if (!index) {
    index = get(fetchImpl, `${base}/index.yaml`).then((b) => YAML.parse(b.toString("utf8"), { uniqueKeys: false }) as unknown);
    indexCache.set(base, index);
  }
  const doc = (await index) as { entries?: Record<string, { version: string; urls?: string[]; digest?: string }[]> };
  const versions = doc?.entries?.[ref.chart];
  if (!versions) throw new Error(`${base}/index.yaml has no chart "${ref.chart}"`);
  const entry = versions.find((v) => v.version === ref.version || v.version === `v${ref.version}`);
  if (!entry) throw new Error(`${ref.chart} has no version ${ref.version} in ${base}/index.yaml (newest: ${versions[0]?.version ?? "none"})`);
  const url = entry.urls?.[0];
  if (!url) throw new Error(`${ref.chart} ${ref.version}: index.yaml lists no download URL`);
  const tgz = await get(fetchImpl, new URL(url, `${base}/`).toString());
  if (entry.digest && sha256(tgz) !== entry.digest) throw new Error(`${ref.chart} ${ref.version}: download does not match the index digest ${entry.digest}`);
  return tgz;
}

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const HELM_LAYER = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";

/** Registries on loopback are spoken to over plain http (tests); everything else over https. */
function ociBase(host: string): string {
  return /^(127\.0\.0\.1|localhost)(:\d+)?$/.test(host) ? `http://${host}` : `https://${host}`;
}

async function downloadOciChart(ref: ChartRef, fetchImpl: Fetch): Promise<Buffer> {
  const [host, ...rest] = ref.repo.slice("oci://".length).split("/");
  const name = [...rest, ref.chart].filter(Boolean).join("/");
  const base = ociBase(host);
  const headers: Record<string, string> = { Accept: OCI_MANIFEST };
  const manifestUrl = `${base}/v2/${name}/manifests/${ref.version}`;
  let res = await fetchImpl(manifestUrl, { headers });
  if (res.status === 401) {
    // Anonymous pull: follow the registry's Bearer challenge for a token.
    const challenge = res.headers.get("www-authenticate") ?? "";
    const params = Object.fromEntries([...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (!/^Bearer/i.test(challenge) || !params.realm) throw new Error(`${manifestUrl}: HTTP 401 without a Bearer challenge`);
    const tokenUrl = new URL(params.realm);
    if (params.service) tokenUrl.searchParams.set("service", params.service);
    tokenUrl.searchParams.set("scope", params.scope ?? `repository:${name}:pull`);
    const token = JSON.parse((await get(fetchImpl, tokenUrl.toString())).toString("utf8")) as { token?: string; access_token?: string };
    headers.Authorization = `Bearer ${token.token ?? token.access_token}`;
    res = await fetchImpl(manifestUrl, { headers });
  }
  if (!res.ok) throw new Error(`GET ${manifestUrl}: HTTP ${res.status}`);
  const manifest = JSON.parse(await res.text()) as { layers?: { mediaType: string; digest: string }[] };
  const layer = manifest.layers?.find((l) => l.mediaType === HELM_LAYER);
  if (!layer) throw new Error(`${ref.repo}/${ref.chart}:${ref.version} is not a Helm chart (no ${HELM_LAYER} layer)`);
  const { Accept: _accept, ...auth } = headers;
  const tgz = await get(fetchImpl, `${base}/v2/${name}/blobs/${layer.digest}`, auth);
  if (layer.digest.startsWith("sha256:") && sha256(tgz) !== layer.digest.slice(7)) throw new Error(`${ref.chart} ${ref.version}: blob does not match ${layer.digest}`);
  return tgz;
}

// ---- reading a chart ----

export interface ChartFiles {
  name: string;
  values: unknown;
  schema?: unknown;
  /** Keys that appear in commented-out lines of values.yaml (documented but unset by default). */
  commentedKeys: Set<string>;
  /** Subcharts by the key their values live under in the parent (alias or name). */
  subcharts: Map<string, ChartFiles>;
}

function parseYaml(text: string, where: string): unknown {
  try {
    return YAML.parse(text, { uniqueKeys: false, strict: false }) ?? {};
  } catch (e) {
    throw new Error(`${where}: ${(e as Error).message}`);
  }
}

function commentedKeys(text: string): Set<string> {
  const keys = new Set<string>();
  for (const m of text.matchAll(/^[ \t]*#+[ \t]*-?[ \t]*["']?([A-Za-z0-9_.\/-]+)["']?:(?:[ \t]|$)/gm)) keys.add(m[1]);
  return keys;
}

/** Reads values.yaml, values.schema.json and subcharts (directories or nested .tgz) from chart entries. */
export function chartFilesFrom(entries: TarEntry[], root?: string): ChartFiles {
  const top = root ?? entries.find((e) => e.name.includes("/"))?.name.split("/")[0];
  if (!top) throw new Error("chart archive is empty");
  const prefix = `${top}/`;
  const file = (rel: string) => entries.find((e) => e.kind === "file" && e.name.replace(/^\.\//, "") === prefix + rel);
  const chartYaml = file("Chart.yaml");
  const meta = (chartYaml ? parseYaml(chartYaml.data.toString("utf8"), `${top}/Chart.yaml`) : {}) as { name?: string; dependencies?: { name: string; alias?: string }[] };
  const valuesFile = file("values.yaml");
  const valuesText = valuesFile?.data.toString("utf8") ?? "";
  const schemaFile = file("values.schema.json");
  const subcharts = new Map<string, ChartFiles>();
  const found: ChartFiles[] = [];
  const seenDirs = new Set<string>();
  for (const e of entries) {
    const rel = e.name.replace(/^\.\//, "").slice(prefix.length);
    if (!e.name.replace(/^\.\//, "").startsWith(prefix) || !rel.startsWith("charts/")) continue;
    const parts = rel.split("/");
    if (parts.length === 2 && e.kind === "file" && parts[1].endsWith(".tgz")) found.push(chartFilesFrom(readTgz(e.data)));
    else if (parts.length === 3 && parts[2] === "Chart.yaml" && !seenDirs.has(parts[1])) {
      seenDirs.add(parts[1]);
      found.push(chartFilesFrom(entries, `${prefix}charts/${parts[1]}`));
    }
  }
  for (const sub of found) {
    const deps = (meta.dependencies ?? []).filter((d) => d.name === sub.name);
    const keys = deps.length ? deps.map((d) => d.alias ?? d.name) : [sub.name];
    for (const key of keys) subcharts.set(key, sub);
  }
  return {
    name: meta.name ?? top.split("/").pop()!,
    values: parseYaml(valuesText, `${top}/values.yaml`),
    schema: schemaFile ? (JSON.parse(schemaFile.data.toString("utf8")) as unknown) : undefined,
    commentedKeys: commentedKeys(valuesText),
    subcharts,
  };
}

export function chartFiles(tgz: Buffer): ChartFiles {
  return chartFilesFrom(readTgz(tgz));
}

// ---- checking key paths ----

export interface KeyFinding {
  path: string;
  status: "missing" | "commented";
  /** What the chart does know there, to help fix a typo. */
  hint?: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

/** Where we are in the chart: its defaults subtree, the matching schema nodes, or "anything goes". */
interface Cursor {
  free: boolean;
  defaults: unknown;
  defaultsKnown: boolean;
  schemas: Obj[];
  chart?: ChartFiles; // set at a chart's root (for subcharts and `global`)
  commented: Set<string>;
}

const FREE: Cursor = { free: true, defaults: undefined, defaultsKnown: false, schemas: [], commented: new Set() };

function deref(root: Obj, node: unknown, seen = 0): Obj[] {
  if (!isObj(node) || seen > 20) return [];
  const base: Obj = node;
  if (typeof node.$ref === "string" && node.$ref.startsWith("#/")) {
    let target: unknown = root;
    for (const seg of node.$ref.slice(2).split("/")) target = isObj(target) ? target[seg.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined;
    return [...deref(root, target, seen + 1), ...deref(root, { ...node, $ref: undefined }, seen + 1)];
  }
  const out = [base];
  for (const k of ["allOf", "anyOf", "oneOf"]) {
    const list = base[k];
    if (Array.isArray(list)) for (const s of list) out.push(...deref(root, s, seen + 1));
  }
  if (isObj(base.then)) out.push(...deref(root, base.then, seen + 1));
  if (isObj(base.else)) out.push(...deref(root, base.else, seen + 1));
  return out;
}

/** The schema nodes for `key` under `nodes`; "free" when the schema leaves the map open. */
function schemaChild(root: Obj, nodes: Obj[], key: string): Obj[] | "free" | undefined {
  const out: Obj[] = [];
  let free = false;
  for (const s of nodes) {
    const props = isObj(s.properties) ? s.properties : undefined;
    const patterns = isObj(s.patternProperties) ? s.patternProperties : undefined;
    if (props && key in props) out.push(...deref(root, props[key]));
    else if (patterns && Object.keys(patterns).some((p) => new RegExp(p).test(key))) {
      for (const [p, sub] of Object.entries(patterns)) if (new RegExp(p).test(key)) out.push(...deref(root, sub));
    } else if (isObj(s.additionalProperties)) out.push(...deref(root, s.additionalProperties));
    else if (s.additionalProperties === true) free = true;
    else if (!props && !patterns && s.additionalProperties === undefined && (s.type === undefined || s.type === "object") && !("allOf" in s || "anyOf" in s || "oneOf" in s)) free = true;
  }
  if (out.length > 0) return out;
  return free ? "free" : undefined;
}

function rootCursor(chart: ChartFiles): Cursor {
  const schemas = isObj(chart.schema) ? deref(chart.schema, chart.schema) : [];
  return { free: false, defaults: chart.values, defaultsKnown: true, schemas, chart, commented: chart.commentedKeys };
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}

function hintFor(key: string, known: string[]): string | undefined {
  const close = known.filter((k) => k.toLowerCase() === key.toLowerCase() || editDistance(k, key) <= 2);
  if (close.length) return `did you mean ${close.slice(0, 3).join(", ")}?`;
  return known.length ? `keys here: ${known.slice(0, 12).join(", ")}${known.length > 12 ? ", …" : ""}` : undefined;
}

function step(cur: Cursor, key: string, userValue: unknown, rootSchema: Obj | undefined): Cursor | KeyFinding["status"] | "type" {
  if (cur.free) return FREE;
  // Helm merges `global` into every chart and subchart; charts read what they like from it.
  if (cur.chart && key === "global") return FREE;
  const sub = cur.chart?.subcharts.get(key);
  if (sub) {
    const subRoot = rootCursor(sub);
    const parentDefaults = isObj(cur.defaults) ? cur.defaults[key] : undefined;
    const merged = isObj(parentDefaults) && isObj(subRoot.defaults) ? deepMerge(subRoot.defaults, parentDefaults) : subRoot.defaults;
    const parentSchema = rootSchema ? schemaChild(rootSchema, cur.schemas, key) : undefined;
    return { ...subRoot, defaults: merged, schemas: [...subRoot.schemas, ...(Array.isArray(parentSchema) ? parentSchema : [])], commented: new Set([...sub.commentedKeys, ...cur.commented]) };
  }

  let defaultsKnown = false;
  let defaults: unknown;
  let free = false;
  if (isObj(cur.defaults) && key in cur.defaults) {
    defaultsKnown = true;
    defaults = cur.defaults[key];
    // Open-ended in values.yaml: null, an empty map or a list (podAnnotations: {}, extraEnv: []).
    if (defaults === null || Array.isArray(defaults) || (isObj(defaults) && Object.keys(defaults).length === 0)) free = true;
  }
  const schema = rootSchema ? schemaChild(rootSchema, cur.schemas, key) : undefined;
  if (schema === "free" && !defaultsKnown) free = true;
  if (!defaultsKnown && schema === undefined) return cur.commented.has(key) ? "commented" : "missing";
  if (free) return FREE;
  const schemas = Array.isArray(schema) ? schema : [];
  if (isObj(userValue) && defaultsKnown && !isObj(defaults) && schemas.length === 0) return "type";
  // Known to the schema only, or to values.yaml only: follow whichever knows more.
  if (!defaultsKnown && schemas.length > 0 && schemas.every((s) => !isObj(s.properties) && !isObj(s.patternProperties) && !isObj(s.additionalProperties))) return FREE;
  return { free: false, defaults, defaultsKnown, schemas, commented: cur.commented };
}

function deepMerge(a: Obj, b: Obj): Obj {
  const out: Obj = { ...a };
  for (const [k, v] of Object.entries(b)) out[k] = isObj(v) && isObj(out[k]) ? deepMerge(out[k] as Obj, v) : v;
  return out;
}

function knownKeys(cur: Cursor): string[] {
  const keys = new Set<string>();
  if (isObj(cur.defaults)) Object.keys(cur.defaults).forEach((k) => keys.add(k));
  for (const s of cur.schemas) if (isObj(s.properties)) Object.keys(s.properties).forEach((k) => keys.add(k));
  cur.chart?.subcharts.forEach((_, k) => keys.add(k));
  return [...keys].sort();
}

/**
 * Every key path in `values` that the chart does not know. Rules: a path exists if values.yaml has
 * it (subchart values count under their alias or name; `global` is open), or values.schema.json
 * declares it (properties, patternProperties, additionalProperties). Below a default that is null,
 * `{}` or a list, or an open schema object, anything goes. Lists the program sets are not entered.
 */
export function checkValues(values: unknown, chart: ChartFiles): KeyFinding[] {
  const findings: KeyFinding[] = [];
  const rootSchema = isObj(chart.schema) ? chart.schema : undefined;
  const walk = (user: unknown, cur: Cursor, path: string, schemaRoot: Obj | undefined) => {
    if (!isObj(user) || cur.free) return;
    for (const [key, value] of Object.entries(user)) {
      const p = childPath(path, key);
      const next = step(cur, key, value, schemaRoot);
      if (next === "missing" || next === "commented") {
        findings.push({ path: p, status: next, hint: next === "missing" ? hintFor(key, knownKeys(cur)) : "only in a commented-out line of values.yaml" });
      } else if (next === "type") {
        findings.push({ path: p, status: "missing", hint: `the chart's default here is ${JSON.stringify(cur.defaults && (cur.defaults as Obj)[key])}, not a map: keys below it are ignored` });
      } else {
        const sub = cur.chart?.subcharts.get(key);
        walk(value, next, p, sub ? (isObj(sub.schema) ? sub.schema : schemaRoot) : schemaRoot);
      }
    }
  };
  walk(values, rootCursor(chart), "", rootSchema);
  return findings;
}
