// `pulumi up` runs the program in Pulumi's Node.js runner, started with Pulumi.yaml's runtime
// options: the runner must load index.ts through the project's loader (tools/register.js) from
// the project directory, register what the offline plan shows, and report a crash at its .ts line.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { CRASHING_PROGRAM, crashFrame } from "../helpers/crashing-program";
import { runtimeOptions, runUnderPulumiRunner } from "../../tools/lib/pulumi-runner";
import { CLUSTER_EXISTS } from "../../tools/lib/plan";
import { loadStackConfig } from "../../tools/lib/stack-config";

const ROOT = path.resolve(__dirname, "../..");

function plannedResources(stack: string): string[] {
  const r = spawnSync(process.execPath, ["-r", "./tools/register.js", "tools/plan.ts", stack, "--json"], { cwd: ROOT, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  const plan = JSON.parse(r.stdout) as { resources: { type: string; name: string }[] };
  return plan.resources.map((x) => `${x.type} ${x.name}`).sort();
}

describe("`pulumi up` with Pulumi.yaml's runtime options", () => {
  it("loads the program through the project's loader, not Pulumi's ts-node", () => {
    expect(runtimeOptions(ROOT)).toEqual({ typescript: false, nodeargs: "--require ./tools/register.js" });
  });

  it("runs index.ts in Pulumi's runner and registers exactly what the offline plan shows", async () => {
    const config = loadStackConfig(ROOT, "staging");
    const r = await runUnderPulumiRunner({
      projectDir: ROOT, project: config.project, stack: "staging", config: config.values, secretKeys: config.secretKeys, stackOutputs: CLUSTER_EXISTS,
    });
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    // The runner reads the stack's own outputs through a StackReference; the plan answers it silently.
    const registered = r.registered.filter((x) => x.type !== "pulumi:pulumi:StackReference").map((x) => `${x.type} ${x.name}`).sort();
    expect(registered).toEqual(plannedResources("staging"));

    // The SDK sends the engine, which keeps it in the stack's state, the source position of every
    // registration: the line of the constructor call in the program's .ts file.
    const inProgram = r.registered.filter((x) => x.source && fileURLToPath(x.source.uri).startsWith(ROOT + path.sep) && !x.source.uri.includes("/node_modules/"));
    expect(inProgram.length).toBeGreaterThan(100);
    const misplaced = inProgram.filter((x) => {
      const line = fs.readFileSync(fileURLToPath(x.source!.uri), "utf8").split("\n")[x.source!.line - 1] ?? "";
      return !/\bnew [\w.$]+[(<]/.test(line);
    });
    expect(misplaced).toEqual([]);
  }, 180000);

  it("reports a crash with the .ts line of the throw", async () => {
    const r = await runUnderPulumiRunner({ projectDir: ROOT, project: "homelab", stack: "dev", config: {}, secretKeys: [], entryPoint: CRASHING_PROGRAM });
    const stderr = r.stderr.replace(/\x1b\[[0-9;]*m/g, ""); // the runner colours the trace
    expect(r.status).not.toBe(0);
    expect(stderr).toContain(`Running program '${CRASHING_PROGRAM}' failed with an unhandled exception:\nError: deliberate crash: 3 sides\n`);
    expect(stderr).toMatch(crashFrame());
  }, 60000);
});
