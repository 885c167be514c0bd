// The convergence shape of a plan: resources as a DAG (an edge for every dependency and for the
// provider a resource is created with), each weighted by whether it is a slow step, and the
// critical path: the heaviest chain from nothing to a resource. A fresh `pulumi up` cannot finish
// faster than that chain, however much runs in parallel.
import type { PlannedResource } from "./plan";

export interface GraphNode {
  id: string;
  /** Cost of this step: 1 for a slow step, 0 for bookkeeping. */
  weight: number;
  deps: string[];
}

export interface CriticalPath {
  /** Sum of weights along the heaviest chain. */
  length: number;
  /** The chain, first step first (every node on it, including weight-0 ones). */
  path: string[];
  /** Heaviest chain ending at each node (its own weight included). */
  finish: Map<string, number>;
}

export class CycleError extends Error {}

/** Longest weighted path in a DAG; dependencies on ids not in the graph are ignored. */
export function criticalPath(nodes: GraphNode[]): CriticalPath {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const finish = new Map<string, number>();
  const via = new Map<string, string | undefined>();
  const state = new Map<string, "visiting" | "done">();

  // Iterative DFS (200-node inventories make deep chains; no recursion limits).
  for (const start of nodes) {
    if (state.get(start.id) === "done") continue;
    const stack: { id: string; i: number }[] = [{ id: start.id, i: 0 }];
    state.set(start.id, "visiting");
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const node = byId.get(top.id)!;
      const deps = node.deps.filter((d) => byId.has(d) && d !== node.id);
      if (top.i < deps.length) {
        const dep = deps[top.i++];
        const s = state.get(dep);
        if (s === "visiting") throw new CycleError(`dependency cycle through ${dep}`);
        if (s !== "done") {
          state.set(dep, "visiting");
          stack.push({ id: dep, i: 0 });
        }
        continue;
      }
      let best = 0;
      let bestDep: string | undefined;
      for (const d of deps) {
        const f = finish.get(d)!;
        if (f > best || bestDep === undefined) {
          best = f;
          bestDep = d;
        }
      }
      finish.set(node.id, best + node.weight);
      via.set(node.id, bestDep);
      state.set(node.id, "done");
      stack.pop();
    }
  }

  let end: string | undefined;
  let length = 0;
  for (const n of nodes) {
    const f = finish.get(n.id)!;
    if (end === undefined || f > length) {
      end = n.id;
      length = f;
    }
  }
  const path: string[] = [];
  for (let at = end; at !== undefined; at = via.get(at)) path.unshift(at);
  return { length, path, finish };
}

/** What counts as a slow step when a stack converges from nothing. */
export function isSlowStep(type: string, name: string): boolean {
  if (type === "command:remote:Command" || type === "command:local:Command") return true; // SSH installs, waits
  if (type === "kubernetes:helm.sh/v4:Chart") return true; // chart install
  if (type === "time:index:Sleep" || /(^|-)wait(-|$)/i.test(name)) return true;
  // pulumi-kubernetes waits for workloads to become ready before it reports them created.
  return /^kubernetes:(apps\/v1:(Deployment|StatefulSet|DaemonSet)|batch\/v1:Job)$/.test(type);
}

/** The provider reference `urn::id` names the provider resource a custom resource waits for. */
export function providerUrn(ref: string | null): string | undefined {
  if (!ref || ref.startsWith("{")) return undefined; // components carry a providers map, not a dependency
  const cut = ref.lastIndexOf("::");
  return cut > 0 ? ref.slice(0, cut) : undefined;
}

export function planGraph(resources: PlannedResource[], slow: (type: string, name: string) => boolean = isSlowStep): GraphNode[] {
  return resources.map((r) => {
    const deps = new Set(r.dependencies);
    const provider = providerUrn(r.provider);
    if (provider) deps.add(provider);
    return { id: r.urn, weight: slow(r.type, r.name) ? 1 : 0, deps: [...deps] };
  });
}
