// Pure builders for the External Secrets side: the operator's Helm values, its namespace, and the
// SecretStore / ExternalSecret objects. Typed against @kubernetes-models/external-secrets (types
// only, erased at run time), so a misspelt field fails `npm run typecheck`; tests validate the
// objects against the v1 schema as well.
import type { IExternalSecret } from "@kubernetes-models/external-secrets/external-secrets.io/v1/ExternalSecret";
import type { ISecretStore } from "@kubernetes-models/external-secrets/external-secrets.io/v1/SecretStore";
import type { HomelabConfig } from "../config";
import { apiServerEgress, dnsEgress, internetEgress } from "../namespaces/egress";
import type { NamespaceSpec } from "../namespaces/manifests";
import { CatalogueEntry, secretName, secretsManagerName } from "./catalogue";

export const ESO_NAMESPACE = "external-secrets";
export const ESO_API_VERSION = "external-secrets.io/v1";
/** The SecretStore every namespace with catalogue entries gets. */
export const SECRET_STORE_NAME = "aws-secrets-manager";
/** The bootstrap Secret holding a namespace's IAM access key: the one credential written directly. */
export const BOOTSTRAP_SECRET_NAME = "aws-secrets-manager-credentials";
export const BOOTSTRAP_KEYS = { accessKeyId: "access-key-id", secretAccessKey: "secret-access-key" } as const;
export const REFRESH_INTERVAL = "1h";

/** Ports the chart's pods listen on (values `metrics.listen.port`, `webhook.port`). */
export const ESO_METRICS_PORT = 8080;
export const ESO_WEBHOOK_PORT = 10250;

const hardenedContainer = {
  enabled: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  runAsUser: 1000,
  seccompProfile: { type: "RuntimeDefault" },
};

const smallResources = {
  requests: { cpu: "20m", memory: "64Mi" },
  limits: { cpu: "200m", memory: "256Mi" },
};

/**
 * Values for the external-secrets chart (keys checked against 2.9.0, see versions.ts). The security
 * contexts restate the chart's hardened defaults so a future default cannot loosen them unnoticed.
 */
export function esoValues(): Record<string, unknown> {
  return {
    installCRDs: true,
    // Namespaced SecretStores only: nothing in the lab may read across namespaces.
    processClusterStore: false,
    processClusterExternalSecret: false,
    replicaCount: 1,
    resources: smallResources,
    podSecurityContext: { enabled: true },
    securityContext: hardenedContainer,
    serviceMonitor: {
      enabled: true,
      // skipIfMissing (the chart's default, stated here on purpose): on a fresh cluster this chart
      // renders before the observability layer has installed the Prometheus operator CRDs, and
      // alwaysRender would fail that first `pulumi up`; the ServiceMonitors appear on the next run.
      renderMode: "skipIfMissing",
      // The metrics label each ExternalSecret and SecretStore with its own namespace; without this
      // Prometheus renames it exported_namespace and alerts name the operator's namespace instead.
      honorLabels: true,
    },
    webhook: {
      port: ESO_WEBHOOK_PORT,
      resources: smallResources,
      podSecurityContext: { enabled: true },
      securityContext: hardenedContainer,
    },
    certController: {
      resources: smallResources,
      podSecurityContext: { enabled: true },
      securityContext: hardenedContainer,
    },
  };
}

/** The controller's pods (the chart's selector label); only they talk to AWS. */
export const ESO_CONTROLLER_LABELS = { "app.kubernetes.io/name": "external-secrets" } as const;

/**
 * The operator's namespace. Egress: DNS, the API server (all three deployments), and AWS Secrets
 * Manager for the controller only (static keys from the bootstrap Secret, so no STS). AWS publishes
 * thousands of changing ranges, so that rule allows HTTPS to any public address, never the LAN.
 * Ingress: Prometheus scrapes the three metrics ports; the API server
 * calls the admission/conversion webhook. The API server runs in the K3s server process on the host
 * network; its calls reach the webhook pod from the node's flannel/cni0 address (or through the K3s
 * agent tunnel from the pod's own node), all inside the cluster CIDR, never from a pod selector, so
 * that rule admits the cluster CIDR on the webhook port only. The webhook serves TLS admission
 * reviews and nothing else, so the pod CIDR being inside that range costs little.
 */
export function secretsNamespaces(config: Pick<HomelabConfig, "k3s">): NamespaceSpec[] {
  return [{
    name: ESO_NAMESPACE,
    podSecurity: "restricted",
    quota: {
      requestsCpu: "500m",
      requestsMemory: "768Mi",
      limitsCpu: "2",
      limitsMemory: "2Gi",
      storage: "1Gi",
      pods: 10,
    },
    ingress: [
      {
        description: "Prometheus scrapes External Secrets metrics",
        fromNamespaces: ["monitoring"],
        ports: [ESO_METRICS_PORT],
      },
      {
        description: "Kubernetes API server calls the External Secrets webhook",
        podSelector: { "app.kubernetes.io/name": "external-secrets-webhook" },
        fromCidrs: [config.k3s.clusterCidr],
        ports: [ESO_WEBHOOK_PORT],
      },
    ],
    egress: [
      dnsEgress(),
      apiServerEgress("the controller, webhook and cert controller watch SecretStores and ExternalSecrets and write Secrets through the API server"),
      internetEgress("aws-secrets-manager", "the controller reads secrets from AWS Secrets Manager (secretsmanager.<region>.amazonaws.com)", { ...ESO_CONTROLLER_LABELS }),
    ],
  }];
}

/** A namespace's SecretStore: AWS Secrets Manager in the stack's region, with that namespace's key. */
export function secretStoreManifest(namespace: string, region: string): ISecretStore {
  return {
    apiVersion: ESO_API_VERSION,
    kind: "SecretStore",
    metadata: { name: SECRET_STORE_NAME, namespace, labels: { "app.kubernetes.io/managed-by": "pulumi" } },
    spec: {
      provider: {
        aws: {
          service: "SecretsManager",
          region,
          auth: {
            secretRef: {
              accessKeyIDSecretRef: { name: BOOTSTRAP_SECRET_NAME, key: BOOTSTRAP_KEYS.accessKeyId },
              secretAccessKeySecretRef: { name: BOOTSTRAP_SECRET_NAME, key: BOOTSTRAP_KEYS.secretAccessKey },
            },
          },
        },
      },
    },
  };
}

/**
 * One ExternalSecret per catalogue entry. `data` maps each declared property explicitly (so the
 * Kubernetes Secret holds exactly the catalogue's keys); the template sets the Secret type
 * consumers check, such as CloudNative-PG's kubernetes.io/basic-auth. ESO owns the Secret, so
 * deleting the ExternalSecret removes it.
 */
export function externalSecretManifest(prefix: string, entry: CatalogueEntry): IExternalSecret {
  const key = secretsManagerName(prefix, entry);
  return {
    apiVersion: ESO_API_VERSION,
    kind: "ExternalSecret",
    metadata: { name: secretName(entry), namespace: entry.namespace, labels: { "app.kubernetes.io/managed-by": "pulumi" } },
    spec: {
      refreshInterval: REFRESH_INTERVAL,
      secretStoreRef: { name: SECRET_STORE_NAME, kind: "SecretStore" },
      target: {
        name: secretName(entry),
        creationPolicy: "Owner",
        template: {
          type: entry.type,
          engineVersion: "v2",
          // No template data: the synced keys pass through unchanged, only type and labels are set.
          metadata: { labels: { "app.kubernetes.io/managed-by": "external-secrets", ...(entry.labels ?? {}) } },
        },
      },
      data: Object.keys(entry.properties).map((property) => ({
        secretKey: property,
        remoteRef: { key, property },
      })),
    },
  };
}
