// `npm run bench [-- --runs N] [--program PATH]`: what the program costs against the SDKs it stands
// on, how that cost and the convergence shape grow with the inventory, and how long `pulumi up`'s
// runner takes to run it. Prints tables and writes bench/results/latest.json (gitignored). See
// docs/performance.md for the method and the figures.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { runCli } from "./lib/cli";
import { CLUSTER_EXISTS } from "./lib/plan";
import { runUnderPulumiRunner } from "./lib/pulumi-runner";
import { loadStackConfig } from "./lib/stack-config";

const ROOT = path.resolve(__dirname, "..");
const INVENTORIES = [7, 50, 200];
/** The SDKs the program imports: a Node process that loads only them is the floor. */
export const SDKS = ["@pulumi/pulumi", "@pulumi/aws", "@pulumi/kubernetes", "@pulumi/command", "@pulumi/random", "@pulumi/tls"];

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

interface ProcessRun {
  ms: number;
  maxRssKb: number;
}

/** Wall-clock of a Node process from spawn to exit (started directly, not through npm), and its peak memory. */
function timeNode(args: string[], what: string): ProcessRun {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ["-r", "./tools/lib/report-max-rss.js", ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe", "pipe"],
    maxBuffer: 256 * 1024 * 1024,
  });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}):\n${r.stderr}`);
  return { ms, maxRssKb: Number(r.output[3]?.toString() ?? NaN) };
}

const FLOOR_ARGS = ["-e", SDKS.map((sdk) => `require(${JSON.stringify(sdk)})`).join(";")];
const planArgs = (stack: string, configFile?: string) => ["-r", "./tools/register.js", "tools/plan.ts", stack, "--json", ...(configFile ? ["--config-file", configFile] : [])];

function runWorker(stack: string, configFile: string | undefined, program: string | undefined): WorkerResult {
  const r = spawnSync(process.execPath, ["-r", "./tools/register.js", "tools/bench-worker.ts", stack, configFile ?? "", program ?? ""], {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`bench worker (${stack}${configFile ? ` ${configFile}` : ""}) failed:\n${r.stderr}`);
  return JSON.parse(r.stdout) as WorkerResult;
}

/** One warm-up (caches filled), then `runs` measured repetitions. */
function measure<T>(runs: number, once: () => T): T[] {
  once();
  return Array.from({ length: runs }, once);
}

async function measureAsync<T>(runs: number, once: () => Promise<T>): Promise<T[]> {
  await once();
  const out: T[] = [];
  for (let i = 0; i < runs; i++) out.push(await once());
  return out;
}

/** `pulumi up`'s program run of a stack: Pulumi's runner with Pulumi.yaml's options, a mock engine. */
async function timeRunner(stack: string): Promise<number> {
  const config = loadStackConfig(ROOT, stack);
  const t0 = process.hrtime.bigint();
  const r = await runUnderPulumiRunner({ projectDir: ROOT, project: config.project, stack, config: config.values, secretKeys: config.secretKeys, stackOutputs: CLUSTER_EXISTS });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`Pulumi's runner failed on ${stack} (exit ${r.status}):\n${r.stderr}`);
  return ms;
}

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`;

function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(cells[0]), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

interface WholeProcess {
  what: string;
  ms: number;
  maxRssMb: number | null;
  /** Median wall-clock over the floor's. */
  ratio: number;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const runs = Number(argv[argv.indexOf("--runs") + 1]) || 5;
  const program = argv.includes("--program") ? path.resolve(argv[argv.indexOf("--program") + 1]) : undefined;
  const started = Date.now();
  const say = (msg: string) => process.stderr.write(`bench: ${msg}\n`);

  const staging = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.staging.yaml"), "utf8")) as { config: Record<string, unknown> };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-"));
  const inventoryFile = (n: number) => path.join(dir, `Pulumi.bench-${n}.yaml`);
  for (const n of INVENTORIES) fs.writeFileSync(inventoryFile(n), YAML.stringify(syntheticInventory(staging, n)));

  try {
    // (1) whole processes against the SDK-import floor, in one run on this machine
    say(`whole processes: 1 warm-up + ${runs}× each`);
    const floor = measure(runs, () => timeNode(FLOOR_ARGS, "the SDK-import floor"));
    const floorMs = median(floor.map((r) => r.ms));
    const whole: WholeProcess[] = [{ what: "SDK-import floor (node requiring the 6 SDKs)", ms: floorMs, maxRssMb: median(floor.map((r) => r.maxRssKb)) / 1024, ratio: 1 }];
    const timed = (what: string, rs: ProcessRun[]) => {
      const ms = median(rs.map((r) => r.ms));
      whole.push({ what, ms, maxRssMb: median(rs.map((r) => r.maxRssKb)) / 1024, ratio: ms / floorMs });
    };
    // What the loader saves on loading the SDKs alone (compile cache, deferred modules): what is left
    // of the plan once that is taken away is the program's own cost.
    timed("SDK imports through the project's loader", measure(runs, () => timeNode(["-r", "./tools/register.js", ...FLOOR_ARGS], "the SDK imports through the loader")));
    if (!program) {
      timed("plan staging --json", measure(runs, () => timeNode(planArgs("staging"), "plan staging")));
      const runner = await measureAsync(runs, () => timeRunner("staging"));
      const runnerMs = median(runner);
      whole.push({ what: "pulumi up's program run, staging (Pulumi's runner, mock engine)", ms: runnerMs, maxRssMb: null, ratio: runnerMs / floorMs });
      for (const n of INVENTORIES.slice(1)) {
        say(`plan of ${n} nodes: 1 warm-up + ${runs}×`);
        timed(`plan ${n} nodes --json`, measure(runs, () => timeNode(planArgs("staging", inventoryFile(n)), `plan of ${n} nodes`)));
      }
    }

    // (2) evaluation in process, per stack
    const stacks: Record<string, unknown>[] = [];
    for (const stack of ["dev", "staging"]) {
      say(`${stack}: 1 warm-up + ${runs}× in-process`);
      const inproc = measure(runs, () => runWorker(stack, undefined, program));
      stacks.push({
        stack,
        resources: inproc[0].resources,
        startupMs: median(inproc.map((r) => r.startupMs)),
        evalMs: median(inproc.map((r) => r.evalMs)),
        maxRssMb: median(inproc.map((r) => r.maxRssKb)) / 1024,
        criticalPath: inproc[0].criticalPath,
        servicesCriticalPath: inproc[0].servicesCriticalPath,
        criticalPathSteps: inproc[0].criticalPathSteps,
      });
    }

    // (3) scaling and convergence shape on synthetic inventories
    const scaling: Record<string, number | string | string[]>[] = [];
    for (const n of INVENTORIES) {
      say(`${n} nodes: 1 warm-up + ${runs}× in-process`);
      const results = measure(runs, () => runWorker("staging", inventoryFile(n), program));
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
      loadAverage: os.loadavg().map((l) => Number(l.toFixed(2))),
    };
    const result = { date: new Date().toISOString(), machine, runs, program: program ?? "index.ts", wholeProcess: whole, stacks, scaling, growth, benchSeconds: (Date.now() - started) / 1000 };
    fs.mkdirSync(path.join(ROOT, "bench", "results"), { recursive: true });
    fs.writeFileSync(path.join(ROOT, "bench", "results", "latest.json"), JSON.stringify(result, null, 2) + "\n");

    const out: string[] = [];
    out.push(`machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGb} GiB, node ${machine.node}, load ${machine.loadAverage.join(" ")}; median of ${runs} runs after a warm-up`, "");
    out.push(table(["whole process", "wall-clock", "peak RSS", "x floor"], whole.map((w) => [w.what, fmt(w.ms), w.maxRssMb === null ? "-" : `${w.maxRssMb.toFixed(0)} MB`, w.ratio.toFixed(2)])), "");
    out.push(
      table(
        ["in process", "resources", "start-up", "evaluation", "peak RSS", "critical path (all / to services)"],
        stacks.map((s) => [s.stack as string, s.resources as number, fmt(s.startupMs as number), fmt(s.evalMs as number), mb((s.maxRssMb as number) * 1024), `${s.criticalPath} / ${s.servicesCriticalPath ?? "-"} slow steps`]),
      ),
      "",
    );
    out.push(
      table(
        ["inventory", "resources", "slow steps", "evaluation", "peak RSS", "critical path (all)", "critical path (to services)"],
        scaling.map((s) => [`${s.nodes} nodes`, s.resources as number, s.slowSteps as number, fmt(s.evalMs as number), mb((s.maxRssMb as number) * 1024), String(s.criticalPath), String(s.servicesCriticalPath)]),
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
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  runCli(async () => {
    await main();
    return 0;
  }, []);
}
