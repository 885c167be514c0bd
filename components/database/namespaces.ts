// The three namespaces the database layer owns, with their quotas and the only ingress paths they
// need. Pure: derived from the config, tested without the runtime.
import type { HomelabConfig } from "../config";
import { apiServerEgress, dnsEgress, internetEgress } from "../namespaces/egress";
import type { NamespaceSpec } from "../namespaces/manifests";
import {
  CERT_MANAGER_NAMESPACE,
  DATABASE_NAMESPACE,
  INSTANCE_RESOURCES,
  LABELS,
  OPERATOR_NAMESPACE,
  POOLER_RESOURCES,
  PORTS,
  SIDECAR_RESOURCES,
} from "./manifests";
import { CERT_MANAGER_RESOURCES, OPERATOR_RESOURCES, PLUGIN_RESOURCES, Resources } from "./values";

/** The pod of CloudNative-PG's full-recovery job (pkg/specs/jobs.go: cnpg.io/jobRole). */
const RECOVERY_JOB = { "cnpg.io/cluster": LABELS.clusterMembers["cnpg.io/cluster"], "cnpg.io/jobRole": "full-recovery" } as const;

/** Where Prometheus runs (the observability layer's namespace). */
export const MONITORING_NAMESPACE = "monitoring";

/**
 * Which namespaces call which database. A database with no known client is reachable only from
 * inside the database namespace until its caller is listed here.
 */
export const DATABASE_CLIENTS: Record<string, string[]> = {
  openwebui: ["open-webui"],
};

// The Kubernetes API server calls admission webhooks from the host network (on K3s it runs inside
// the k3s process on each server), so the caller has a node address, not a pod or namespace.
// NetworkPolicy cannot name the API server; these ports are open to any address, and the webhook
// servers authenticate the API server with TLS. IPv4 only: the lab's K3s clusters are single-stack.
const ANYWHERE = ["0.0.0.0/0"];

/** Namespaces whose pods connect to PostgreSQL, for the configured databases. */
export function clientNamespaces(databases: string[]): string[] {
  return [...new Set(databases.flatMap((db) => DATABASE_CLIENTS[db] ?? []))].sort();
}

const cpuMillis = (q: string) => (q.endsWith("m") ? Number(q.slice(0, -1)) : Number(q) * 1000);
const UNIT_MI: Record<string, number> = { Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024 };
/** A binary byte quantity (e.g. 50Gi, 512Mi) in MiB. */
export function mebibytes(q: string): number {
  const m = /^(\d+)(Ki|Mi|Gi|Ti)$/.exec(q);
  if (!m) throw new Error(`expected a size in binary units such as 10Gi, got "${q}"`);
  return Number(m[1]) * UNIT_MI[m[2]];
}
const mi = (n: number) => (n % 1024 === 0 ? `${n / 1024}Gi` : `${Math.ceil(n)}Mi`);
const millis = (n: number) => (n % 1000 === 0 ? `${n / 1000}` : `${n}m`);

interface Usage { requestsCpu: number; requestsMemory: number; limitsCpu: number; limitsMemory: number }

function total(items: [Resources, number][]): Usage {
  const sum: Usage = { requestsCpu: 0, requestsMemory: 0, limitsCpu: 0, limitsMemory: 0 };
  for (const [r, n] of items) {
    sum.requestsCpu += cpuMillis(r.requests.cpu) * n;
    sum.requestsMemory += mebibytes(r.requests.memory) * n;
    sum.limitsCpu += cpuMillis(r.limits.cpu) * n;
    sum.limitsMemory += mebibytes(r.limits.memory) * n;
  }
  return sum;
}

/**
 * The database namespace's quota: every instance (PostgreSQL plus its Barman sidecar) and one
 * more for the operator's join job or an instance being replaced, every pooler, and the PVCs of
 * those instances (data + WAL).
 */
export function databaseQuota(settings: HomelabConfig["database"]): NamespaceSpec["quota"] {
  const slots = settings.instances + 1;
  const usage = total([[INSTANCE_RESOURCES, slots], [SIDECAR_RESOURCES, slots], [POOLER_RESOURCES, settings.poolerInstances]]);
  return {
    requestsCpu: millis(usage.requestsCpu),
    requestsMemory: mi(usage.requestsMemory),
    limitsCpu: millis(usage.limitsCpu),
    limitsMemory: mi(usage.limitsMemory),
    storage: mi((mebibytes(settings.storageSize) + mebibytes(settings.walStorageSize)) * slots),
    pods: slots + settings.poolerInstances + 2,
  };
}

function chartQuota(items: [Resources, number][], pods: number): NamespaceSpec["quota"] {
  const usage = total(items);
  // Room for a rolling update: the new pod starts before the old one stops.
  return {
    requestsCpu: millis(usage.requestsCpu * 2),
    requestsMemory: mi(usage.requestsMemory * 2),
    limitsCpu: millis(usage.limitsCpu * 2),
    limitsMemory: mi(usage.limitsMemory * 2),
    storage: "0",
    pods,
  };
}

/** The namespaces of the database layer: cert-manager, the operator's, and the database's. */
export function databaseNamespaces(config: Pick<HomelabConfig, "database">): NamespaceSpec[] {
  const clients = clientNamespaces(config.database.databases);
  const databaseIngress: NamespaceSpec["ingress"] = [
    {
      description: "instances, poolers and join jobs of the cluster reach PostgreSQL (replication, pooling)",
      podSelector: { ...LABELS.instances },
      fromPods: { ...LABELS.clusterMembers },
      ports: [PORTS.postgres],
    },
    {
      description: "the operator reaches the instance manager status port",
      podSelector: { ...LABELS.instances },
      fromNamespaces: [OPERATOR_NAMESPACE],
      fromPods: { ...LABELS.operator },
      ports: [PORTS.instanceStatus],
    },
    {
      description: "Prometheus scrapes instance metrics",
      podSelector: { ...LABELS.instances },
      fromNamespaces: [MONITORING_NAMESPACE],
      ports: [PORTS.instanceMetrics],
    },
  ];
  if (clients.length > 0) {
    databaseIngress.push({
      description: "applications connect to PostgreSQL directly",
      podSelector: { ...LABELS.instances },
      fromNamespaces: clients,
      ports: [PORTS.postgres],
    });
  }
  if (config.database.poolerInstances > 0) {
    databaseIngress.push({
      description: "Prometheus scrapes pooler metrics",
      podSelector: { ...LABELS.pooler },
      fromNamespaces: [MONITORING_NAMESPACE],
      ports: [PORTS.poolerMetrics],
    });
    if (clients.length > 0) {
      databaseIngress.push({
        description: "applications connect through the pooler",
        podSelector: { ...LABELS.pooler },
        fromNamespaces: clients,
        ports: [PORTS.postgres],
      });
    }
  }

  return [
    {
      name: CERT_MANAGER_NAMESPACE,
      podSecurity: "restricted",
      quota: chartQuota([
        [CERT_MANAGER_RESOURCES.controller, 1], [CERT_MANAGER_RESOURCES.webhook, 1], [CERT_MANAGER_RESOURCES.cainjector, 1],
      ], 8),
      ingress: [
        {
          description: "the API server calls the cert-manager webhook",
          podSelector: { ...LABELS.certManager, "app.kubernetes.io/component": "webhook" },
          fromCidrs: ANYWHERE,
          ports: [PORTS.certManagerWebhook],
        },
        {
          description: "Prometheus scrapes cert-manager metrics",
          podSelector: { ...LABELS.certManager },
          fromNamespaces: [MONITORING_NAMESPACE],
          ports: [PORTS.certManagerMetrics],
        },
      ],
      // Only the self-signed Issuer and CA of the plugin's certificates: no ACME, nothing outside.
      egress: [
        dnsEgress(),
        apiServerEgress("cert-manager's controller, webhook and cainjector issue certificates and inject CA bundles through the API server"),
      ],
    },
    {
      name: OPERATOR_NAMESPACE,
      podSecurity: "restricted",
      quota: chartQuota([[OPERATOR_RESOURCES, 1], [PLUGIN_RESOURCES, 1]], 6),
      ingress: [
        {
          description: "the API server calls the CloudNative-PG webhooks",
          podSelector: { ...LABELS.operator },
          fromCidrs: ANYWHERE,
          ports: [PORTS.operatorWebhook],
        },
        {
          description: "the operator calls the Barman Cloud plugin",
          podSelector: { ...LABELS.plugin },
          fromNamespaces: [OPERATOR_NAMESPACE],
          fromPods: { ...LABELS.operator },
          ports: [PORTS.pluginGrpc],
        },
        {
          description: "Prometheus scrapes operator metrics",
          podSelector: { ...LABELS.operator },
          fromNamespaces: [MONITORING_NAMESPACE],
          ports: [PORTS.operatorMetrics],
        },
      ],
      // The operator's calls to the plugin and to the instance managers follow from the ingress
      // rules of this namespace and of `database` (createNamespaces adds them). The plugin's
      // operator side only reconciles objects; the uploads run in the instance pods' sidecars.
      egress: [
        dnsEgress(),
        apiServerEgress("the CloudNative-PG operator and the Barman Cloud plugin reconcile clusters and backups through the API server"),
      ],
    },
    {
      name: DATABASE_NAMESPACE,
      podSecurity: "restricted",
      quota: databaseQuota(config.database),
      ingress: databaseIngress,
      egress: [
        dnsEgress(),
        apiServerEgress("the instance managers and poolers read their Cluster and Secrets and report status through the API server"),
        // The Barman Cloud sidecar of every instance archives WAL and base backups, applies the
        // retention policy and fetches archived WAL; a cluster bootstrapped from the archive is
        // restored by the operator's full-recovery job. Poolers and the other jobs get no internet.
        internetEgress("s3-backups", "Barman Cloud archives WAL and base backups to S3 and reads them back", { ...LABELS.instances }),
        internetEgress("s3-recovery", "the full-recovery job restores a new cluster from the S3 archive", { ...RECOVERY_JOB }),
      ],
    },
  ];
}
