// `npm run plan:diff -- <stack> [--base GIT-REF] [--json] [--config-file PATH] [--set K=V]... [--set-secret K=V]...`
// What a change does to a stack, offline: plans the stack at the base (default: the merge base with
// main) and in the working tree, and prints the difference like `pulumi preview`. The base is
// planned with its own code and stack file, from a `git archive` copy in a temp directory that
// borrows this checkout's node_modules. --config-file/--set/--set-secret apply to the working-tree
// side only ("what would this override do").
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { diffPlans, renderDiff } from "./lib/diff";
import { DIGEST_KEY_ENV, DigestedPlan, newDigestKey } from "./lib/secret-digests";
import { extractTo, readTar } from "./lib/tar";
import { runCli } from "./lib/cli";

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

/** Runs a checkout's own plan CLI with --json in a child process. */
export function planIn(dir: string, stack: string, extra: string[], digestKey: string): Promise<DigestedPlan> {
  return new Promise((resolve, reject) => {
    if (!fs.existsSync(path.join(dir, "tools", "plan.ts"))) {
      reject(new Error(`${dir} has no offline plan (tools/plan.ts); pick a newer --base`));
      return;
    }
    const child = spawn(process.execPath, ["-r", "./tools/register.js", "tools/plan.ts", stack, "--json", ...extra], {
      cwd: dir,
      env: { ...process.env, [DIGEST_KEY_ENV]: digestKey },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) {
        reject(new Error(`plan of "${stack}" in ${dir} failed (exit ${code}):\n${Buffer.concat(err).toString("utf8").trim()}`));
        return;
      }
      try {
        resolve(JSON.parse(Buffer.concat(out).toString("utf8")) as DigestedPlan);
      } catch (e) {
        reject(new Error(`plan of "${stack}" in ${dir} printed no JSON: ${(e as Error).message}`));
      }
    });
  });
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const base = resolveBase(args.base);
  const digestKey = newDigestKey(); // per run, in memory only: see tools/lib/secret-digests.ts
  const baseDir = checkoutTree(base.commit);
  try {
    const [before, after] = await Promise.all([planIn(baseDir, args.stack, [], digestKey), planIn(ROOT, args.stack, args.planArgs, digestKey)]);
    const diff = diffPlans(before, after);
    if (args.json) {
      process.stdout.write(JSON.stringify({ base: { ref: base.ref, commit: base.commit }, head: "working tree", ...diff }, null, 2) + "\n");
    } else {
      const title = `Plan diff for stack "${args.stack}": ${base.commit.slice(0, 12)} (${base.ref}) -> working tree`;
      process.stdout.write(renderDiff(diff, title));
    }
    return 0;
  } finally {
    fs.rmSync(baseDir, { recursive: true, force: true });
  }
}

if (require.main === module) runCli(main, [UsageError]);
