// `npm run check:charts [-- --stack S]... [--plan-file PLAN.json]... [--skip-unplanned] [--json]`
// For every chart the stacks install (and every chart pinned in components/versions.ts): download
// that version and check that every values key path the program sets exists in the chart. The
// values come from the offline plans (every kubernetes:helm.sh/v4:Chart resource), so this knows
// nothing about the layers. Needs network (operators and CI have it). Exit 1 when a key is missing,
// 2 when a chart cannot be fetched or a plan fails.
import { spawn } from "node:child_process";
import * as path from "node:path";
import { charts as pinnedCharts, ChartPin } from "../components/versions";
import { ChartUse, chartFiles, chartKey, chartUsesFromPlans, checkValues, downloadChart, KeyFinding } from "./lib/charts";
import type { Plan } from "./lib/plan";
import * as fs from "node:fs";
import { runCli } from "./lib/cli";

const ROOT = path.resolve(__dirname, "..");

export interface CheckArgs {
  stacks: string[];
  planFiles: string[];
  skipUnplanned: boolean;
  json: boolean;
}

export function parseArgs(argv: string[]): CheckArgs {
  const args: CheckArgs = { stacks: [], planFiles: [], skipUnplanned: false, json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--stack") args.stacks.push(next());
    else if (a === "--plan-file") args.planFiles.push(path.resolve(next()));
    else if (a === "--skip-unplanned") args.skipUnplanned = true;
    else if (a === "--json") args.json = true;
    else throw new Error(`unknown argument ${a}\nusage: npm run check:charts -- [--stack S]... [--plan-file PLAN.json]... [--skip-unplanned] [--json]`);
  }
  if (args.stacks.length === 0 && args.planFiles.length === 0) args.stacks = ["dev", "staging"];
  return args;
}

function planStack(stack: string): Promise<Plan> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-r", "./tools/register.js", "tools/plan.ts", stack, "--json"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(JSON.parse(Buffer.concat(out).toString("utf8")) as Plan) : reject(new Error(`plan ${stack} failed:\n${Buffer.concat(err).toString("utf8")}`))));
  });
}

export interface ChartReport {
  chart: string;
  version: string;
  repo: string;
  usedBy: string[];
  keyPaths: number;
  findings: (KeyFinding & { sources: string[] })[];
  error?: string;
  notes: string[];
}

function countPaths(v: unknown): number {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return 0;
  return Object.values(v).reduce<number>((n, x) => n + 1 + countPaths(x), 0);
}

/** Checks each chart use (and unplanned pins, download only). */
export async function checkCharts(uses: ChartUse[], pins: ChartPin[], skipUnplanned: boolean): Promise<ChartReport[]> {
  const reports: ChartReport[] = [];
  const planned = new Set(uses.map(chartKey));
  const all: ChartUse[] = [...uses];
  for (const pin of pins) {
    const ref = { repo: pin.repo.replace(/\/+$/, ""), chart: pin.chart, version: pin.version, ...(pin.artifact ? { url: pin.artifact.url } : {}) };
    if (!planned.has(chartKey(ref)) && !skipUnplanned) all.push({ ...ref, values: [] });
  }
  const indexCache = new Map<string, Promise<unknown>>();
  for (const use of all) {
    const notes: string[] = [];
    const pin = use.url
      ? pins.find((p) => p.artifact?.url === use.url)
      : pins.find((p) => p.chart === use.chart && p.repo.replace(/\/+$/, "") === use.repo);
    if (!pin) notes.push("not pinned in components/versions.ts");
    else if (pin.version !== use.version) notes.push(`components/versions.ts pins ${pin.version}, the plan installs ${use.version}`);
    else if (pin.valuesCheckedAgainst !== pin.version) notes.push(`valuesCheckedAgainst is ${pin.valuesCheckedAgainst}: when this check passes, set it to ${pin.version}`);
    if (use.values.length === 0) notes.push("no stack installs this chart: download checked only");
    const report: ChartReport = { chart: use.chart, version: use.version, repo: use.url ?? use.repo, usedBy: use.values.map((v) => v.source), keyPaths: 0, findings: [], notes };
    try {
      // An artifact is checked against the pin's sha256 (a URL the plan names without a pin has none, and fails).
      const files = chartFiles(await downloadChart({ ...use, ...(pin?.artifact ? { sha256: pin.artifact.sha256 } : {}) }, undefined, indexCache));
      const byPath = new Map<string, KeyFinding & { sources: string[] }>();
      for (const { source, values } of use.values) {
        report.keyPaths = Math.max(report.keyPaths, countPaths(values));
        for (const f of checkValues(values, files)) {
          const seen = byPath.get(f.path) ?? { ...f, sources: [] };
          seen.sources.push(source);
          byPath.set(f.path, seen);
        }
      }
      report.findings = [...byPath.values()].sort((a, b) => a.path.localeCompare(b.path));
    } catch (e) {
      report.error = (e as Error).message;
    }
    reports.push(report);
  }
  return reports;
}

export function renderReports(reports: ChartReport[], unreadable: string[]): string {
  const lines: string[] = [];
  for (const r of reports) {
    const missing = r.findings.filter((f) => f.status === "missing");
    const status = r.error ? "ERROR" : missing.length ? `${missing.length} missing` : "ok";
    lines.push(`${status.padEnd(10)} ${r.chart} ${r.version}  (${r.repo})  ${r.keyPaths} key paths${r.usedBy.length ? `, set by ${r.usedBy.join("; ")}` : ""}`);
    if (r.error) lines.push(`           ${r.error}`);
    for (const f of r.findings) {
      lines.push(`    ${f.status === "missing" ? "✗" : "?"} ${f.path}  [${f.sources.join("; ")}]${f.hint ? `  — ${f.hint}` : ""}`);
    }
    for (const n of r.notes) lines.push(`    note: ${n}`);
  }
  for (const u of unreadable) lines.push(`note: cannot read the chart of ${u}`);
  if (reports.length === 0) lines.push("no charts in the plans or in components/versions.ts");
  return lines.join("\n") + "\n";
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const plans = [
    ...args.planFiles.map((f) => JSON.parse(fs.readFileSync(f, "utf8")) as Plan),
    ...(await Promise.all(args.stacks.map(planStack))),
  ];
  const { uses, unreadable } = chartUsesFromPlans(plans);
  const reports = await checkCharts(uses, Object.values(pinnedCharts as Record<string, ChartPin>), args.skipUnplanned);
  process.stdout.write(args.json ? JSON.stringify({ reports, unreadable }, null, 2) + "\n" : renderReports(reports, unreadable));
  if (reports.some((r) => r.error)) return 2;
  return reports.some((r) => r.findings.some((f) => f.status === "missing")) ? 1 : 0;
}

if (require.main === module) {
  // Every failure here (a chart or plan that cannot be fetched or read) is reported as exit 2.
  runCli(main, [Error], 2);
}
