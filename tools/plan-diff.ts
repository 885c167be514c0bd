// `npm run plan:diff -- <stack> [--base GIT-REF] [--json] [--config-file PATH] [--set K=V]... [--set-secret K=V]...`
// What a change does to a deployed stack, offline, decided the way the engine decides it: the base
// (default: the merge base with main) is planned with its own code and stack file, from a
// `git archive` copy in a temp directory that borrows this checkout's node_modules, and leaves the
// state a `pulumi up` of it would; the working tree is then run in preview mode against that state
// (tools/lib/lifecycle.ts). Every resource gets the engine's decision (create, update, replace
// with the reason, delete, unchanged); outputs of what changes are unknown, as in a real preview.
// A replaced provider or protected resource, or a chart that cannot be previewed, is printed first
// and makes the command exit 3. --config-file/--set/--set-secret apply to the working-tree side only.
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describeRun, renderDiff } from "./lib/diff";
import type { DeploymentState } from "./lib/engine/state";
import { preview } from "./lib/lifecycle";
import { ProgramError } from "./lib/plan";
import { loadStackConfig, parseOverride, StackConfigError } from "./lib/stack-config";
import { extractTo, readTar } from "./lib/tar";
import { runCli } from "./lib/cli";
import { STATE_FILE_ENV } from "./plan";

const ROOT = path.resolve(__dirname, "..");
const USAGE = "usage: npm run plan:diff -- <stack> [--base GIT-REF] [--json] [--config-file PATH] [--set KEY=VALUE]... [--set-secret KEY=VALUE]...";

export class UsageError extends Error {}

export interface DiffArgs {
  stack: string;
  base?: string;
  json: boolean;
  /** Passed through to the working-tree plan. */
  planArgs: string[];
}

export function parseArgs(argv: string[]): DiffArgs {
  let stack: string | undefined;
  let base: string | undefined;
  let json = false;
  const planArgs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = () => {
      const value = argv[++i];
      if (value === undefined) throw new UsageError(`${arg} needs a value\n${USAGE}`);
      return value;
    };
    if (arg === "--json") json = true;
    else if (arg === "--base") base = next();
    else if (arg === "--config-file") planArgs.push(arg, path.resolve(next()));
    else if (arg === "--set" || arg === "--set-secret") planArgs.push(arg, next());
    else if (arg.startsWith("-")) throw new UsageError(`unknown option ${arg}\n${USAGE}`);
    else if (stack === undefined) stack = arg;
    else throw new UsageError(`one stack at a time (got "${stack}" and "${arg}")\n${USAGE}`);
  }
  if (!stack) throw new UsageError(USAGE);
  return { stack, base, json, planArgs };
}

function git(args: string[], encoding: "utf8" | "buffer" = "utf8"): { ok: boolean; out: string; buf: Buffer; err: string } {
  const r = spawnSync("git", args, { cwd: ROOT, maxBuffer: 1024 * 1024 * 1024 });
  return { ok: r.status === 0, out: encoding === "utf8" ? r.stdout.toString("utf8").trim() : "", buf: r.stdout, err: r.stderr.toString("utf8").trim() };
}

/** The base commit: --base, else the merge base of HEAD with main (or origin/main in CI clones). */
export function resolveBase(ref?: string): { ref: string; commit: string } {
  if (ref) {
    const r = git(["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
    if (!r.ok) throw new UsageError(`--base ${ref}: not a commit in this repository`);
    return { ref, commit: r.out };
  }
  for (const main of ["main", "origin/main"]) {
    const r = git(["merge-base", "HEAD", main]);
    if (r.ok) return { ref: `merge-base(HEAD, ${main})`, commit: r.out };
  }
  throw new UsageError("no base: there is no branch main or origin/main to take the merge base with; pass --base GIT-REF");
}

/** Writes the tree of `commit` into a fresh temp dir that shares this checkout's node_modules. */
export function checkoutTree(commit: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-diff-base-"));
  const archive = git(["archive", "--format=tar", commit], "buffer");
  if (!archive.ok) throw new Error(`git archive ${commit} failed: ${archive.err}`);
  extractTo(readTar(archive.buf), dir);
  fs.rmSync(path.join(dir, "node_modules"), { recursive: true, force: true }); // a committed one would shadow ours
  fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  return dir;
}

/** Runs a checkout's own plan CLI in a child process and returns the state a `pulumi up` of it leaves. */
export function baseState(dir: string, stack: string): Promise<DeploymentState> {
  return new Promise((resolve, reject) => {
    if (!fs.existsSync(path.join(dir, "tools", "plan.ts"))) {
      reject(new Error(`${dir} has no offline plan (tools/plan.ts); pick a newer --base`));
      return;
    }
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), "plan-diff-state-"));
    const stateFile = path.join(stateDir, "state.json");
    const child = spawn(process.execPath, ["-r", "./tools/register.js", "tools/plan.ts", stack, "--json"], {
      cwd: dir,
      env: { ...process.env, [STATE_FILE_ENV]: stateFile },
      stdio: ["ignore", "ignore", "pipe"],
    });
    const err: Buffer[] = [];
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) => {
      try {
        // Exit 1 with a state is a policy finding on the base, which does not stop the diff.
        if (!fs.existsSync(stateFile)) {
          const hint = code === 0 ? " (the base predates the lifecycle check; pick a newer --base)" : "";
          reject(new Error(`plan of "${stack}" at the base failed (exit ${code})${hint}:\n${Buffer.concat(err).toString("utf8").trim()}`));
          return;
        }
        resolve(JSON.parse(fs.readFileSync(stateFile, "utf8")) as DeploymentState);
      } finally {
        fs.rmSync(stateDir, { recursive: true, force: true });
      }
    });
  });
}

/** Exit code when the change replaces a provider or a protected resource, or a preview would fail. */
export const DANGER_EXIT = 3;

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const base = resolveBase(args.base);
  const baseDir = checkoutTree(base.commit);
  let prior: DeploymentState;
  try {
    prior = await baseState(baseDir, args.stack);
  } finally {
    fs.rmSync(baseDir, { recursive: true, force: true });
  }
  const config = loadStackConfig(ROOT, args.stack, headOption(args.planArgs, "--config-file"), headOverrides(args.planArgs));
  const run = await preview(config, { prior });
  const diff = describeRun(run, prior);
  if (args.json) {
    process.stdout.write(JSON.stringify({ base: { ref: base.ref, commit: base.commit }, head: "working tree", ...diff }, null, 2) + "\n");
  } else {
    const title = `Plan diff for stack "${args.stack}": ${base.commit.slice(0, 12)} (${base.ref}) -> working tree, as \`pulumi preview\` of the deployed base`;
    process.stdout.write(renderDiff(diff, title));
  }
  return diff.dangers.length > 0 ? DANGER_EXIT : 0;
}

function headOption(planArgs: string[], name: string): string | undefined {
  const i = planArgs.indexOf(name);
  return i === -1 ? undefined : planArgs[i + 1];
}

function headOverrides(planArgs: string[]) {
  const out = [];
  for (let i = 0; i < planArgs.length; i++) {
    if (planArgs[i] === "--set" || planArgs[i] === "--set-secret") out.push(parseOverride(planArgs[++i], planArgs[i - 1] === "--set-secret"));
  }
  return out;
}

if (require.main === module) runCli(main, [UsageError, StackConfigError, ProgramError]);
