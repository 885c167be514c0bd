import { dashboardConfigMap, DASHBOARD_FOLDER, homelabDashboards, Panel, voiceDashboard } from "../../components/observability/dashboards";
import { VOICE_SERVICES } from "../../components/observability/rules";
import { DASHBOARD_FOLDER_ANNOTATION } from "../../components/observability/values";
import { KNOWN, metricNames } from "./helpers";

const withGpu = homelabDashboards({ gpu: true });
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

  it("every Prometheus query selects metrics the lab's exporters serve", () => {
    for (const board of withGpu) {
      for (const panel of board.panels.filter((p) => p.type !== "logs")) {
        for (const { expr } of panel.targets) {
          const names = metricNames(expr.replace(/\$\w+/g, "x"));
          expect({ board: board.uid, panel: panel.title, ok: names.length > 0 && names.every((n) => KNOWN.has(n)) })
            .toEqual({ board: board.uid, panel: panel.title, ok: true });
        }
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
