import { pinnedChartArgs } from "../components/helm";
import { ChartPin, charts } from "../components/versions";
import { chartPinProblems, gitRefOfRawUrl } from "../policies/helm";

describe("pinnedChartArgs", () => {
  it("installs from an HTTPS repository at the pinned version", () => {
    const args = pinnedChartArgs(charts.loki, { namespace: "monitoring", values: { a: 1 }, release: "loki" });
    expect(args).toEqual({
      chart: "loki",
      repositoryOpts: { repo: "https://grafana-community.github.io/helm-charts" },
      version: charts.loki.version,
      name: "loki",
      namespace: "monitoring",
      values: { a: 1 },
    });
  });

  it("addresses an OCI registry by reference, without a repository", () => {
    const args = pinnedChartArgs({ repo: "oci://ghcr.io/example/charts/", chart: "demo", version: "1.2.3", valuesCheckedAgainst: "1.2.3" }, { namespace: "x", values: {} });
    expect(args.chart).toBe("oci://ghcr.io/example/charts/demo");
    expect(args.repositoryOpts).toBeUndefined();
    expect(args.name).toBeUndefined();
  });

  it("leaves out the chart's crds/ directory only when asked", () => {
    expect(pinnedChartArgs(charts.traefik, { namespace: "ingress", values: {}, skipCrds: true }).skipCrds).toBe(true);
    expect(pinnedChartArgs(charts.traefik, { namespace: "ingress", values: {} })).not.toHaveProperty("skipCrds");
  });

  it("installs a pin's artifact by its URL, keeping the version for the pin policy", () => {
    const args = pinnedChartArgs(charts.csiDriverNfs, { namespace: "nfs-csi", values: {} });
    expect(args.chart).toBe(charts.csiDriverNfs.artifact!.url);
    expect(args.repositoryOpts).toBeUndefined();
    expect(args.version).toBe("4.13.4");
    expect(chartPinProblems(args as unknown as Record<string, unknown>)).toEqual([]);
  });

  it("gives every chart whose repository sits on a git branch an artifact at a commit, of the pinned version, with its sha256", () => {
    for (const [key, pin] of Object.entries(charts) as [string, ChartPin][]) {
      const branchRepo = gitRefOfRawUrl(`${pin.repo}/`);
      if (branchRepo !== undefined && !/^[0-9a-f]{40}$/.test(branchRepo)) expect([key, pin.artifact !== undefined]).toEqual([key, true]);
      if (!pin.artifact) continue;
      expect(gitRefOfRawUrl(pin.artifact.url)).toMatch(/^[0-9a-f]{40}$/);
      // A version bump (Renovate changes `version` only) fails here until the artifact follows it.
      expect([key, pin.artifact.url.endsWith(`/${pin.chart}-${pin.version}.tgz`)]).toEqual([key, true]);
      expect(pin.artifact.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(charts.csiDriverNfs.artifact).toBeDefined();
  });

  it("pins every chart of the registry to an exact version checked against its values", () => {
    for (const pin of Object.values(charts)) {
      expect(pin.version).toMatch(/^v?\d+\.\d+\.\d+$/);
      expect(pin.valuesCheckedAgainst).toBe(pin.version);
    }
  });
});
