// The Alertmanager configuration the program generates, checked by Alertmanager's own amtool, and
// every severity routed to the receiver meant for it.
//
// Debian's amtool is 0.25; the chart runs Alertmanager v0.34.0 (kube-prometheus-stack 88.5.3's
// values.yaml). The one field of ours that 0.25 does not know is the webhook's `url_file` (added in
// 0.26.0, fixed in 0.28.0): amtool checks a copy where exactly that field is replaced by a `url`,
// and a test below proves that is the only difference (and notices when Debian's amtool catches up).
import * as YAML from "yaml";
import { alertmanagerConfig, AlertmanagerConfig, AlertRoutingOptions, RECEIVERS } from "../../components/observability/alertmanager";
import { homelabRuleGroups } from "../../components/observability/rules";
import { AMTOOL, requireTool, runIn, ToolResult } from "./promtool";

const WITH_WEBHOOK: AlertRoutingOptions = { webhookSecretName: "alertmanager-webhook" };
const WITHOUT: AlertRoutingOptions = {};
const MODES = [["with a webhook", WITH_WEBHOOK, RECEIVERS.webhook], ["without a webhook", WITHOUT, RECEIVERS.undelivered]] as const;

/** A stand-in URL for amtool 0.25 only; nothing is ever sent to it. */
const STAND_IN_URL = "http://127.0.0.1:9/webhook";

/** The config as amtool 0.25 can read it: each webhook `url_file` replaced by a stand-in `url`. */
function forAmtool025(config: AlertmanagerConfig): Record<string, unknown> {
  return {
    ...config,
    receivers: config.receivers.map((r) => (r.webhook_configs
      ? { ...r, webhook_configs: r.webhook_configs.map(({ url_file: _, ...rest }) => ({ url: STAND_IN_URL, ...rest })) }
      : r)),
  };
}

function amtool(config: unknown, args: string[]): ToolResult {
  return runIn({ "alertmanager.yaml": YAML.stringify(config) }, AMTOOL, args.map((a) => a.replace("$CONFIG", "alertmanager.yaml")));
}

/** The receivers amtool says an alert with these labels reaches. */
function routeOf(config: unknown, labels: Record<string, string>): string {
  const result = amtool(config, ["config", "routes", "test", "--config.file=$CONFIG", ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)]);
  if (result.code !== 0) throw new Error(result.output);
  return result.stdout.trim();
}

/**
 * Map keys of kube-prometheus-stack 88.5.3's default `alertmanager.config` (values.yaml), by path.
 * Helm merges user values into these map by map and replaces lists, so when ours has every one of
 * them, what the chart renders is exactly our object.
 */
const CHART_DEFAULT_KEYS = {
  "": ["global", "inhibit_rules", "route", "receivers", "templates"],
  global: ["resolve_timeout"],
  route: ["group_by", "group_wait", "group_interval", "repeat_interval", "receiver", "routes"],
};

it("amtool is installed (CI installs it; .ci/run)", () => requireTool(AMTOOL, "prometheus-alertmanager"));

describe.each(MODES)("Alertmanager configuration %s", (_, opts, delivery) => {
  const config = alertmanagerConfig(opts);
  const checked = forAmtool025(config);

  it("passes `amtool check-config`", () => {
    const result = amtool(checked, ["check-config", "$CONFIG"]);
    expect(result.output).toMatch(/SUCCESS/);
    expect(result.code).toBe(0);
  });

  it("replaces every key of the chart's default, so Helm's merge leaves it as it is", () => {
    for (const [path, keys] of Object.entries(CHART_DEFAULT_KEYS)) {
      const node = (path ? (config as unknown as Record<string, object>)[path] : config) as object;
      expect({ path, missing: keys.filter((k) => !(k in node)) }).toEqual({ path, missing: [] });
    }
  });

  it("amtool checks all of it but the webhook's url_file", () => {
    const withoutUrls = (c: unknown) => JSON.parse(JSON.stringify(c, (k, v) => (k === "url" || k === "url_file" ? undefined : v)));
    expect(withoutUrls(checked)).toEqual(withoutUrls(config));
    expect(JSON.stringify(checked)).not.toContain("url_file");
  });

  it.each([
    ["critical", { alertname: "NodeDown", severity: "critical" }, delivery],
    ["warning", { alertname: "NodeDiskAlmostFull", severity: "warning" }, delivery],
    ["without a severity", { alertname: "SomethingNew" }, delivery],
    ["info (the chart's informational alerts)", { alertname: "KubeNodePressure", severity: "info" }, RECEIVERS.discard],
    ["Watchdog (always firing)", { alertname: "Watchdog", severity: "none" }, RECEIVERS.discard],
    ["InfoInhibitor (always firing)", { alertname: "InfoInhibitor", severity: "none" }, RECEIVERS.discard],
  ])("`amtool config routes test`: %s reaches the intended receiver", (_, labels, receiver) => {
    expect(routeOf(checked, labels)).toBe(receiver);
  });

  it("every homelab alert, in both rule shapes, reaches the delivery receiver", () => {
    const alerts = [true, false].flatMap((gpu) => homelabRuleGroups({ gpu }).flatMap((g) => g.rules));
    const seen = new Set<string>();
    for (const rule of alerts) {
      const key = `${rule.alert}/${rule.labels.severity}`;
      if (seen.has(key)) continue;
      seen.add(key);
      expect({ key, receiver: routeOf(checked, { alertname: rule.alert, severity: rule.labels.severity }) }).toEqual({ key, receiver: delivery });
    }
  });
});

describe("what amtool 0.25 cannot check, and that it can fail", () => {
  it("rejects the webhook's url_file (Alertmanager >= 0.26): remove forAmtool025 once Debian's amtool reads it", () => {
    const result = amtool(alertmanagerConfig(WITH_WEBHOOK), ["check-config", "$CONFIG"]);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/url_file/);
  });

  it("rejects a route to a receiver that does not exist", () => {
    const config = forAmtool025(alertmanagerConfig(WITH_WEBHOOK));
    const broken = { ...config, route: { ...(config.route as object), receiver: "webhok" } };
    const result = amtool(broken, ["check-config", "$CONFIG"]);
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/webhok/);
  });
});
