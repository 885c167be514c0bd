// Runs `npm run plan` the way a user does (a separate process) and parses its JSON.
import { execFileSync, spawnSync } from "node:child_process";
import * as path from "node:path";
import type { Plan } from "../../tools/lib/plan";

export const ROOT = path.resolve(__dirname, "../..");

export function planCommand(args: string[]): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, ["-r", "./tools/register.js", "tools/plan.ts", ...args], {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export function planJson(stack: string, extra: string[] = []): Plan {
  const out = execFileSync(process.execPath, ["-r", "./tools/register.js", "tools/plan.ts", stack, "--json", ...extra], {
    cwd: ROOT,
    encoding: "utf8",
    maxBuffer: 256 * 1024 * 1024,
  });
  return JSON.parse(out) as Plan;
}
