// promtool cases for homelab.secrets: External Secrets that stop syncing.
import { AlertCase, series } from "../promtool";

const condition = (kind: "externalsecret" | "secretstore", namespace: string, name: string, status: string) => ({
  metric: `${kind}_status_condition`,
  labels: { job: "external-secrets-metrics", instance: "10.42.0.9:8080", namespace, name, condition: "Ready", status },
});

function readiness(kind: "externalsecret" | "secretstore", namespace: string, name: string, ready: string, notReady: string) {
  const t = condition(kind, namespace, name, "True");
  const f = condition(kind, namespace, name, "False");
  return { [series(t.metric, t.labels)]: ready, [series(f.metric, f.labels)]: notReady };
}

export const secretCases: AlertCase[] = [
  {
    alert: "ExternalSecretNotReady",
    title: "fires after 10 minutes with Ready=False; a syncing ExternalSecret stays silent",
    series: {
      ...readiness("externalsecret", "open-webui", "open-webui-db", "1 1 0x20", "0 0 1x20"),
      ...readiness("externalsecret", "database", "homelab-pg-app", "1x22", "0x22"),
    },
    expect: {
      "11m": [],
      "12m": [{ severity: "warning", labels: condition("externalsecret", "open-webui", "open-webui-db", "False").labels }],
    },
  },
  {
    alert: "SecretStoreNotReady",
    title: "fires after 10 minutes with Ready=False; a working store stays silent",
    series: {
      ...readiness("secretstore", "monitoring", "aws", "1 0x20", "0 1x20"),
      ...readiness("secretstore", "database", "aws", "1x22", "0x22"),
    },
    expect: {
      "10m": [],
      "11m": [{ severity: "critical", labels: condition("secretstore", "monitoring", "aws", "False").labels }],
    },
  },
];
