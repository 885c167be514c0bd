// Alertmanager's configuration as a pure function: where each severity goes, with or without a
// webhook. kube-prometheus-stack renders it into the Secret `alertmanager-<fullname>-alertmanager`;
// nothing here depends on that delivery, so the same object can be shipped another way later.
// tests/observability/amtool.test.ts checks it with amtool and tests every route.

/** Key holding the webhook URL in the alert-webhook Secret (monitoring namespace). */
export const ALERT_WEBHOOK_URL_KEY = "url";

/** Where the operator mounts `alertmanagerSpec.secrets` (one directory per Secret). */
export const ALERTMANAGER_SECRETS_DIR = "/etc/alertmanager/secrets";

export const RECEIVERS = {
  /** Drops notifications: for alerts that are signals, not news (Watchdog, InfoInhibitor, info). */
  discard: "null",
  /** The configured webhook. */
  webhook: "webhook",
  /**
   * Used instead of the webhook when none is configured. It has no integration, so nothing is
   * sent; its name is what the Alertmanager UI shows next to every alert group, so the state is
   * plain to whoever looks there.
   */
  undelivered: "undelivered",
} as const;

/** Alerts that fire by design (dead man's switch, the chart's info inhibitor). */
export const ALWAYS_FIRING_ALERTS = ["Watchdog", "InfoInhibitor"] as const;

/**
 * Labels a warning and its critical twin share: a critical alert silences the warning of the same
 * alert about the same thing (disk, claim, GPU, certificate), never one about something else.
 * A label absent from both sides counts as equal.
 */
export const INHIBIT_EQUAL_LABELS = [
  "alertname", "namespace", "instance", "node", "mountpoint", "persistentvolumeclaim", "Hostname", "gpu", "subject",
] as const;

export interface AlertmanagerRoute {
  receiver: string;
  matchers?: string[];
  group_by?: string[];
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  routes?: AlertmanagerRoute[];
}

export interface AlertmanagerReceiver {
  name: string;
  webhook_configs?: Array<{ url_file: string; send_resolved: boolean }>;
}

/** The subset of Alertmanager's configuration file this program writes. */
export interface AlertmanagerConfig {
  global: { resolve_timeout: string };
  route: AlertmanagerRoute;
  inhibit_rules: Array<{ source_matchers: string[]; target_matchers: string[]; equal: string[] }>;
  receivers: AlertmanagerReceiver[];
  templates: string[];
}

export interface AlertRoutingOptions {
  /** Secret (mounted through `alertmanagerSpec.secrets`) whose key `url` holds the webhook URL. */
  webhookSecretName?: string;
}

/** The file Alertmanager reads the webhook URL from; the URL itself never enters the config. */
export function webhookUrlFile(webhookSecretName: string): string {
  return `${ALERTMANAGER_SECRETS_DIR}/${webhookSecretName}/${ALERT_WEBHOOK_URL_KEY}`;
}

/**
 * The whole configuration. It sets every key of kube-prometheus-stack's default `alertmanager.config`
 * (Helm merges maps key by key and replaces lists), so what Alertmanager runs is exactly this object.
 *
 * Routing: critical and warning go to the webhook (critical repeats sooner), or to `undelivered`
 * when there is none; info and the always-firing alerts are discarded (still listed in the UI).
 * Matchers use the syntax both the classic and the UTF-8 matcher parsers (Alertmanager >= 0.27) read
 * the same way.
 */
export function alertmanagerConfig(opts: AlertRoutingOptions = {}): AlertmanagerConfig {
  const delivery: AlertmanagerReceiver = opts.webhookSecretName
    ? { name: RECEIVERS.webhook, webhook_configs: [{ url_file: webhookUrlFile(opts.webhookSecretName), send_resolved: true }] }
    : { name: RECEIVERS.undelivered };
  return {
    global: { resolve_timeout: "5m" },
    route: {
      receiver: delivery.name,
      // One notification per condition and namespace, rather than one per namespace.
      group_by: ["alertname", "namespace"],
      group_wait: "30s",
      group_interval: "5m",
      repeat_interval: "12h",
      routes: [
        { receiver: RECEIVERS.discard, matchers: [`alertname=~"${ALWAYS_FIRING_ALERTS.join("|")}"`] },
        { receiver: RECEIVERS.discard, matchers: ['severity="info"'] },
        { receiver: delivery.name, matchers: ['severity="critical"'], repeat_interval: "4h" },
      ],
    },
    inhibit_rules: [
      { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: [...INHIBIT_EQUAL_LABELS] },
    ],
    receivers: [{ name: RECEIVERS.discard }, delivery],
    // The chart's default: templates shipped in the config Secret (none today).
    templates: ["/etc/alertmanager/config/*.tmpl"],
  };
}

/** One line for the operator (a stack output and a warning at `pulumi up`): where alerts go. */
export function alertDelivery(opts: AlertRoutingOptions & { namespace: string; alertmanagerService: string }): string {
  if (opts.webhookSecretName) {
    return `critical and warning alerts are sent to the webhook in Secret ${opts.namespace}/${opts.webhookSecretName}`;
  }
  return "alerts are NOT delivered anywhere: they are only listed in Alertmanager's UI (receiver \"undelivered\"; "
    + `kubectl -n ${opts.namespace} port-forward svc/${opts.alertmanagerService} 9093). Set homelab:alertWebhookUrl to deliver them.`;
}
