// `npm run bench [-- --runs N] [--program PATH]`: how fast the program evaluates under the mock
// runtime and how its cost and convergence shape grow with the inventory. Prints a table and writes
// bench/results/latest.json (gitignored). See docs/performance.md for the figures and the method.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";

const ROOT = path.resolve(__dirname, "..");
const INVENTORIES = [7, 50, 200];

interface WorkerResult {
  startupMs: number;
  evalMs: number;
  resources: number;
  slowSteps: number;
  criticalPath: number;
  servicesCriticalPath: number | null;
  criticalPathSteps: string[];
  maxRssKb: number;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

type Node = Record<string, unknown> & { name: string; role: string; gpu?: unknown };

/** A staging-shaped inventory of n nodes: its 3 servers, its GPU node, and agents cloned from its agents. */
export function syntheticInventory(stagingDoc: { config: Record<string, unknown> }, n: number): { config: Record<string, unknown> } {
  const nodes = stagingDoc.config["homelab:nodes"] as Node[];
  const servers = nodes.filter((x) => x.role === "server").slice(0, 3);
  const gpu = nodes.filter((x) => x.gpu !== undefined).slice(0, 1);
  const agents = nodes.filter((x) => x.role !== "server" && x.gpu === undefined);
  if (servers.length < 3 || gpu.length < 1 || agents.length < 1) throw new Error("Pulumi.staging.yaml needs 3 servers, a GPU node and an agent to clone");
  if (n < servers.length + gpu.length + 1) throw new Error(`an inventory needs at least ${servers.length + gpu.length + 1} nodes`);
  const out: Node[] = [...servers, ...gpu];
  for (let i = 0; out.length < n; i++) {
    const template = agents[i % agents.length];
    const name = `agent-${String(i + 1).padStart(3, "0")}`;
    out.push({ ...template, name, host: `${name}.home.arpa` }); // host keys are reused: only the format is checked
  }
  return { ...stagingDoc, config: { ...stagingDoc.config, "homelab:nodes": out } };
}

function runWorker(stack: string, configFile: string | undefined, program: string | undefined): WorkerResult {
  const r = spawnSync(process.execPath, ["-r", "./tools/register.js", "tools/bench-worker.ts", stack, configFile ?? "", program ?? ""], {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`bench worker (${stack}${configFile ? ` ${configFile}` : ""}) failed:\n${r.stderr}`);
  return JSON.parse(r.stdout) as WorkerResult;
}

/** Wall-clock of the plan CLI as a user runs it (process start to exit). */
function runCli(stack: string): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ["-r", "./tools/register.js", "tools/plan.ts", stack, "--json"], {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`plan ${stack} failed:\n${r.stderr}`);
  return ms;
}

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);

function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(cells[0]), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

function main(): void {
  const argv = process.argv.slice(2);
  const runs = Number(argv[argv.indexOf("--runs") + 1]) || 5;
  const program = argv.includes("--program") ? path.resolve(argv[argv.indexOf("--program") + 1]) : undefined;
  const started = Date.now();
  const say = (msg: string) => process.stderr.write(`bench: ${msg}\n`);

  // (1) evaluation time per stack
  const stacks: Record<string, unknown>[] = [];
  for (const stack of ["dev", "staging"]) {
    say(`${stack}: ${runs}× plan CLI, ${runs}× in-process`);
    const cli = program ? [] : Array.from({ length: runs }, () => runCli(stack));
    const inproc = Array.from({ length: runs }, () => runWorker(stack, undefined, program));
    stacks.push({
      stack,
      resources: inproc[0].resources,
      wholeProcessMs: cli.length ? median(cli) : null,
      startupMs: median(inproc.map((r) => r.startupMs)),
      evalMs: median(inproc.map((r) => r.evalMs)),
      maxRssMb: median(inproc.map((r) => r.maxRssKb)) / 1024,
      criticalPath: inproc[0].criticalPath,
      servicesCriticalPath: inproc[0].servicesCriticalPath,
      criticalPathSteps: inproc[0].criticalPathSteps,
    });
  }

  // (2) + (3) scaling and convergence shape on synthetic inventories
  const staging = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8")) as { config: Record<string, unknown> };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-"));
  const scaling: Record<string, number | string | string[]>[] = [];
  const scaleRuns = Math.max(3, Math.ceil(runs / 2));
  try {
    for (const n of INVENTORIES) {
      const file = path.join(dir, `Pulumi.bench-${n}.yaml`);
      fs.writeFileSync(file, YAML.stringify(syntheticInventory(staging, n)));
      say(`${n} nodes: ${scaleRuns}× in-process`);
      const results = Array.from({ length: scaleRuns }, () => runWorker("staging", file, program));
      scaling.push({
        nodes: n,
        resources: results[0].resources,
        slowSteps: results[0].slowSteps,
        evalMs: median(results.map((r) => r.evalMs)),
        maxRssMb: median(results.map((r) => r.maxRssKb)) / 1024,
        criticalPath: results[0].criticalPath,
        servicesCriticalPath: results[0].servicesCriticalPath ?? "-",
        criticalPathSteps: results[0].criticalPathSteps,
      });
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const growth = scaling.slice(1).map((s, i) => {
    const prev = scaling[i];
    const dn = (s.nodes as number) - (prev.nodes as number);
    return {
      from: prev.nodes,
      to: s.nodes,
      resourcesPerNode: ((s.resources as number) - (prev.resources as number)) / dn,
      msPerNode: ((s.evalMs as number) - (prev.evalMs as number)) / dn,
      mbPerNode: ((s.maxRssMb as number) - (prev.maxRssMb as number)) / dn,
      criticalPathDelta: (s.criticalPath as number) - (prev.criticalPath as number),
      servicesCriticalPathDelta: typeof s.servicesCriticalPath === "number" ? s.servicesCriticalPath - (prev.servicesCriticalPath as number) : "-",
    };
  });

  const machine = {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    platform: `${os.platform()} ${os.release()}`,
  };
  const result = { date: new Date().toISOString(), machine, runs, program: program ?? "index.ts", stacks, scaling, growth, benchSeconds: (Date.now() - started) / 1000 };
  fs.mkdirSync(path.join(ROOT, "bench", "results"), { recursive: true });
  fs.writeFileSync(path.join(ROOT, "bench", "results", "latest.json"), JSON.stringify(result, null, 2) + "\n");

  const out: string[] = [];
  out.push(`machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGb} GiB, node ${machine.node}; median of ${runs} runs`, "");
  out.push(
    table(
      ["stack", "resources", "plan CLI (whole process)", "start-up", "evaluation", "peak RSS", "critical path (all / to services)"],
      stacks.map((s) => [
        s.stack as string,
        s.resources as number,
        s.wholeProcessMs === null ? "-" : fmt(s.wholeProcessMs as number),
        fmt(s.startupMs as number),
        fmt(s.evalMs as number),
        `${(s.maxRssMb as number).toFixed(0)} MB`,
        `${s.criticalPath} / ${s.servicesCriticalPath ?? "-"} slow steps`,
      ]),
    ),
    "",
  );
  out.push(
    table(
      ["inventory", "resources", "slow steps", "evaluation", "peak RSS", "critical path (all)", "critical path (to services)"],
      scaling.map((s) => [`${s.nodes} nodes`, s.resources as number, s.slowSteps as number, fmt(s.evalMs as number), `${(s.maxRssMb as number).toFixed(0)} MB`, String(s.criticalPath), String(s.servicesCriticalPath)]),
    ),
    "",
  );
  out.push(
    table(
      ["growth", "resources/node", "evaluation/node", "RSS/node", "critical path change (all / to services)"],
      growth.map((g) => [`${g.from} -> ${g.to} nodes`, g.resourcesPerNode.toFixed(2), `${g.msPerNode.toFixed(2)} ms`, `${g.mbPerNode.toFixed(2)} MB`, `${g.criticalPathDelta} / ${g.servicesCriticalPathDelta}`]),
    ),
    "",
  );
  const longest = scaling[scaling.length - 1].criticalPathSteps as string[];
  const shown = longest.length > 12 ? [...longest.slice(0, 6), `… ${longest.length - 12} more …`, ...longest.slice(-6)] : longest;
  out.push(`critical path at ${scaling[scaling.length - 1].nodes} nodes: ${shown.length ? shown.join(" -> ") : "(no slow steps)"}`);
  out.push(`bench took ${result.benchSeconds.toFixed(0)} s; JSON in bench/results/latest.json`);
  process.stdout.write(out.join("\n") + "\n");
}

if (require.main === module) main();
