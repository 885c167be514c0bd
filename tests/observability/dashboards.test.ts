import { dashboardConfigMap, DASHBOARD_FOLDER, homelabDashboards, Panel, voiceDashboard } from "../../components/observability/dashboards";
import { VOICE_SERVICES } from "../../components/observability/rules";
import { DASHBOARD_FOLDER_ANNOTATION } from "../../components/observability/values";
import { selectorProblems } from "./exporters";
import { selectors, substituteGrafanaVariables } from "./promql";
import { PROMTOOL, requireTool, ruleFile, runIn } from "./promtool";

const withGpu = homelabDashboards({ gpu: true });

/** Every PromQL query of the dashboards (Loki's log panels aside), with a record name for promtool. */
function promQueries(boards: typeof withGpu) {
  return boards.flatMap((board) => board.panels.filter((p) => p.type !== "logs").flatMap((panel) => panel.targets.map((t) => ({
    where: `${board.uid} / ${panel.title}`,
    record: `dashboard:${board.uid.replace(/-/g, "_")}:${panel.id}_${t.refId}`,
    expr: t.expr,
  }))));
}
const uids = (boards: typeof withGpu) => boards.map((b) => b.uid);

describe("dashboards", () => {
  it("nodes, database, GPU and voice pipeline; GPU only where there are GPUs", () => {
    expect(uids(withGpu)).toEqual(["homelab-nodes", "homelab-database", "homelab-gpu", "homelab-voice"]);
    expect(uids(homelabDashboards({ gpu: false }))).toEqual(["homelab-nodes", "homelab-database", "homelab-voice"]);
  });

  it("the GPU dashboard shows utilisation, memory, temperature and power from DCGM", () => {
    const gpu = withGpu.find((b) => b.uid === "homelab-gpu")!;
    const exprs = gpu.panels.flatMap((p) => p.targets.map((t) => t.expr)).join("\n");
    for (const field of ["DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_GPU_TEMP", "DCGM_FI_DEV_POWER_USAGE"]) expect(exprs).toContain(field);
  });

  it("every Prometheus query selects metrics and labels the pinned exporters serve", () => {
    const problems = promQueries(withGpu).flatMap(({ where, expr }) => {
      const found = selectors(substituteGrafanaVariables(expr));
      return [...(found.length === 0 ? ["selects nothing"] : []), ...found.flatMap(selectorProblems)].map((p) => `${where}: ${p}`);
    });
    expect(problems).toEqual([]);
  });

  it("every Prometheus query parses (promtool check rules), Grafana's variables replaced by realistic values", () => {
    requireTool(PROMTOOL, "prometheus");
    // Each query becomes a recording rule, so Prometheus's own parser reads it.
    const rules = promQueries(withGpu).map(({ record, expr }) => ({ record, expr: substituteGrafanaVariables(expr) }));
    const result = runIn({ "dashboards.yaml": ruleFile([{ name: "dashboards", rules }]) }, PROMTOOL, ["check", "rules", "dashboards.yaml"]);
    if (result.code !== 0) throw new Error(result.output);
    expect(result.output).toContain(`SUCCESS: ${rules.length} rules found`);
  });

  it("a query that does not parse, or names a label its exporter lacks, is caught", () => {
    const bad = runIn({ "bad.yaml": ruleFile([{ name: "d", rules: [{ record: "x", expr: "sum(rate(up[5m])" }] }]) }, PROMTOOL, ["check", "rules", "bad.yaml"]);
    expect(bad.code).not.toBe(0);
    expect(selectors('kube_deployment_status_replicas_available{namspace="ollama"}').flatMap(selectorProblems))
      .toEqual(['kube_deployment_status_replicas_available: kube-state-metrics v2.20.0 has no label "namspace"']);
    expect(() => substituteGrafanaVariables("rate(x[$__unknown])")).toThrow(/\$__unknown/);
  });

  it("variable queries (label_values) read metrics the exporters serve", () => {
    for (const board of withGpu) {
      for (const variable of board.templating.list.filter((v) => v.type === "query")) {
        const [, metric, label] = /^label_values\((\w+), (\w+)\)$/.exec(String(variable.query)) ?? [];
        expect(selectorProblems({ metric, matchers: [{ label, op: "=", value: "x" }] })).toEqual([]);
      }
    }
  });

  it("panels are laid out on the 24-column grid without overlapping, with unique ids", () => {
    for (const board of withGpu) {
      const cells = new Set<string>();
      for (const p of board.panels) {
        expect(p.gridPos.x + p.gridPos.w).toBeLessThanOrEqual(24);
        for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++)
          for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
            expect(cells.has(`${x},${y}`)).toBe(false);
            cells.add(`${x},${y}`);
          }
      }
      expect(new Set(board.panels.map((p) => p.id)).size).toBe(board.panels.length);
    }
  });

  it("query Prometheus through the datasource variable and Loki by its provisioned uid", () => {
    for (const board of withGpu) {
      expect(board.templating.list[0]).toMatchObject({ name: "datasource", type: "datasource", query: "prometheus" });
      for (const p of board.panels) {
        const expected = p.type === "logs" ? { type: "loki", uid: "loki" } : { type: "prometheus", uid: "${datasource}" };
        expect(p.datasource).toEqual(expected);
        for (const t of p.targets) expect(t.datasource).toEqual(expected);
      }
    }
  });

  it("the voice dashboard has a panel per service and the services' logs", () => {
    const voice = voiceDashboard();
    for (const { deployment } of VOICE_SERVICES) expect(voice.panels.map((p) => p.title)).toContain(deployment);
    const logs = voice.panels.find((p: Panel) => p.type === "logs")!;
    expect(logs.targets[0].expr).toBe(`{namespace=~"${VOICE_SERVICES.map((s) => s.namespace).join("|")}"}`);
  });
});

describe("dashboard ConfigMaps", () => {
  it("carry the sidecar's label, the folder annotation and the dashboard as parseable JSON with panels", () => {
    for (const board of withGpu) {
      const cm = dashboardConfigMap("monitoring", board);
      expect(cm.metadata.labels.grafana_dashboard).toBe("1");
      expect(cm.metadata.annotations[DASHBOARD_FOLDER_ANNOTATION]).toBe(DASHBOARD_FOLDER);
      expect(Object.keys(cm.data)).toEqual([`${board.uid}.json`]);
      const parsed = JSON.parse(cm.data[`${board.uid}.json`]);
      expect(parsed.uid).toBe(board.uid);
      expect(parsed.panels.length).toBeGreaterThan(3);
      expect(cm.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
    }
  });
});
