import { pinnedChartArgs } from "../components/helm";
import { charts } from "../components/versions";

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

  it("pins every chart of the registry to an exact version checked against its values", () => {
    for (const pin of Object.values(charts)) {
      expect(pin.version).toMatch(/^v?\d+\.\d+\.\d+$/);
      expect(pin.valuesCheckedAgainst).toBe(pin.version);
    }
  });
});
