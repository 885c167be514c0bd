// One measured evaluation for `npm run bench`, in a fresh process: loads the plan machinery, then
// times runPlan (config already loaded) and reports JSON on stdout. Not a user-facing tool.
import { performance } from "node:perf_hooks";
import * as path from "node:path";
import { CLUSTER_EXISTS, runPlan } from "./lib/plan";
import { loadStackConfig } from "./lib/stack-config";
import { criticalPath, isSlowStep, planGraph } from "./lib/graph";
import { runCli } from "./lib/cli";

async function main(): Promise<void> {
  const [stack, configFile, program] = process.argv.slice(2);
  const loaded = performance.now(); // ms since the process started: node + the loader + plan machinery
  const config = loadStackConfig(path.resolve(__dirname, ".."), stack, configFile || undefined);
  const start = performance.now();
  const { plan } = await runPlan(config, { program: program ? path.resolve(program) : undefined, stackOutputs: CLUSTER_EXISTS });
  const evalMs = performance.now() - start;
  const cp = criticalPath(planGraph(plan.resources));
  const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
  const slowOnPath = cp.path.map((u) => byUrn.get(u)!).filter((r) => isSlowStep(r.type, r.name));
  // "Every service running": the heaviest chain ending at a Kubernetes object (what users wait for);
  // the all-resources figure also counts work nothing else waits on (e.g. a rolling-upgrade chain).
  // The Kubernetes provider counts: everything that runs in the cluster waits for it.
  const services = plan.resources.filter((r) => r.type.startsWith("kubernetes:") || r.type === "pulumi:providers:kubernetes");
  const servicesPath = services.length ? Math.max(...services.map((r) => cp.finish.get(r.urn) ?? 0)) : null;
  process.stdout.write(
    JSON.stringify({
      startupMs: loaded,
      evalMs,
      resources: plan.resources.length,
      slowSteps: plan.resources.filter((r) => isSlowStep(r.type, r.name)).length,
      criticalPath: cp.length,
      servicesCriticalPath: servicesPath,
      criticalPathSteps: slowOnPath.map((r) => `${r.type} ${r.name}`),
      maxRssKb: process.resourceUsage().maxRSS,
    }) + "\n",
  );
}

runCli(async () => {
  await main();
  return 0;
}, []);
