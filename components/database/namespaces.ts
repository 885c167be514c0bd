// The two namespaces the database layer owns, with their quotas and the only ingress paths they
// need (cert-manager's belongs to the certificates layer). Pure: derived from the config, tested
// without the runtime.
import type { HomelabConfig } from "../config";
import { apiServerEgress, dnsEgress, internetEgress } from "../namespaces/egress";
import type { NamespaceSpec } from "../namespaces/manifests";
import { chartQuota, mebibytes, mi, millis, total } from "../namespaces/quota";
import {
  DATABASE_NAMESPACE,
  INSTANCE_RESOURCES,
  LABELS,
  OPERATOR_NAMESPACE,
  POOLER_RESOURCES,
  PORTS,
  SIDECAR_RESOURCES,
} from "./manifests";
import { OPERATOR_RESOURCES, PLUGIN_RESOURCES } from "./values";

export { mebibytes } from "../namespaces/quota";

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

/** The namespaces of the database layer: the operator's and the database's. */
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
