// Critical path of the convergence graph: the heaviest chain of slow steps.
import { criticalPath, CycleError, GraphNode, isSlowStep, planGraph, providerUrn } from "../../tools/lib/graph";
import type { PlannedResource } from "../../tools/lib/plan";

const n = (id: string, weight: number, deps: string[] = []): GraphNode => ({ id, weight, deps });

describe("criticalPath", () => {
  it("is zero for an empty graph and the weight of a single node", () => {
    expect(criticalPath([]).length).toBe(0);
    expect(criticalPath([n("a", 1)])).toMatchObject({ length: 1, path: ["a"] });
  });

  it("follows the heavier of two branches in a diamond", () => {
    const cp = criticalPath([n("d", 1, ["b", "c"]), n("b", 1, ["a"]), n("c", 0, ["a"]), n("a", 1), n("x", 1, ["b"])]);
    expect(cp.length).toBe(3);
    expect(cp.path).toEqual(["a", "b", "d"]);
    expect(cp.finish.get("c")).toBe(1);
  });

  it("does not grow with parallel siblings: N agents after a server chain", () => {
    const shape = (agents: number) => {
      const nodes = [n("s1", 1), n("s2", 1, ["s1"]), n("s3", 1, ["s2"]), n("provider", 0, ["s1"])];
      for (let i = 0; i < agents; i++) nodes.push(n(`agent${i}`, 1, ["s1"]), n(`agent${i}-ready`, 1, [`agent${i}`]));
      nodes.push(n("chart", 1, ["provider"]));
      return criticalPath(nodes).length;
    };
    expect(shape(3)).toBe(3);
    expect(shape(500)).toBe(shape(3));
  });

  it("grows when steps are chained (a serial agent rollout would show)", () => {
    const chain = (k: number) => criticalPath(Array.from({ length: k }, (_, i) => n(`s${i}`, 1, i ? [`s${i - 1}`] : []))).length;
    expect(chain(200)).toBe(200);
  });

  it("ignores dependencies outside the graph and refuses cycles", () => {
    expect(criticalPath([n("a", 1, ["elsewhere"])]).length).toBe(1);
    expect(() => criticalPath([n("a", 1, ["b"]), n("b", 1, ["a"])])).toThrow(CycleError);
  });

  it("handles a deep chain without recursion limits", () => {
    const nodes = Array.from({ length: 20000 }, (_, i) => n(`s${i}`, i % 2, i ? [`s${i - 1}`] : []));
    expect(criticalPath(nodes).length).toBe(10000);
  });
});

describe("planGraph", () => {
  const r = (type: string, name: string, deps: string[] = [], provider: string | null = null): PlannedResource => ({
    urn: `urn:pulumi:s::p::${type}::${name}`,
    type,
    name,
    parent: null,
    provider,
    dependencies: deps,
    inputs: {},
  });

  it("adds the provider a resource is created with as a dependency and weighs slow steps", () => {
    const install = r("command:remote:Command", "install");
    const prov = r("pulumi:providers:kubernetes", "k8s", [install.urn]);
    const chart = r("kubernetes:helm.sh/v4:Chart", "kps", [], `${prov.urn}::k8s-id`);
    const graph = planGraph([install, prov, chart]);
    expect(graph.map((g) => g.weight)).toEqual([1, 0, 1]);
    expect(graph[2].deps).toEqual([prov.urn]);
    expect(criticalPath(graph).length).toBe(2);
  });

  it("reads provider references and slow-step types", () => {
    expect(providerUrn("urn:pulumi:s::p::pulumi:providers:kubernetes::k8s::abc")).toBe("urn:pulumi:s::p::pulumi:providers:kubernetes::k8s");
    expect(providerUrn('{"kubernetes":"x"}')).toBeUndefined();
    expect(isSlowStep("kubernetes:apps/v1:Deployment", "x")).toBe(true);
    expect(isSlowStep("kubernetes:core/v1:ConfigMap", "x")).toBe(false);
    expect(isSlowStep("kubernetes:core/v1:ConfigMap", "k3s-wait")).toBe(true);
  });
});
