// cert-manager's namespace, with its quota and the only ingress paths it needs. Pure.
import type { HomelabConfig } from "../config";
import { apiServerEgress, dnsEgress, internetEgress } from "../namespaces/egress";
import type { EgressRule, NamespaceSpec } from "../namespaces/manifests";
import { chartQuota } from "../namespaces/quota";
import { CERT_MANAGER_RESOURCES } from "./values";

export const CERT_MANAGER_NAMESPACE = "cert-manager";
/** Where Prometheus runs (the observability layer's namespace). */
const MONITORING_NAMESPACE = "monitoring";

/** Ports cert-manager's pods listen on (the chart's defaults). */
export const CERT_MANAGER_PORTS = { webhook: 10250, metrics: 9402 } as const;
/** Every pod of the cert-manager release carries the release's instance label. */
export const CERT_MANAGER_LABELS = { "app.kubernetes.io/instance": "cert-manager" } as const;

// The Kubernetes API server calls admission webhooks from the host network (on K3s it runs inside
// the k3s process on each server), so the caller has a node address, not a pod or namespace.
// NetworkPolicy cannot name the API server; the port is open to any address, and the webhook
// server authenticates the API server with TLS. IPv4 only: the lab's K3s clusters are single-stack.
const ANYWHERE = ["0.0.0.0/0"];

/**
 * With ACME DNS-01, cert-manager's controller talks to the ACME server and the DNS provider's API
 * (HTTPS), and checks that its TXT record has propagated by asking the domain's public nameservers
 * directly (DNS, not through the cluster's resolver).
 */
function acmeEgress(): EgressRule[] {
  const controller = { ...CERT_MANAGER_LABELS, "app.kubernetes.io/component": "controller" };
  return [
    internetEgress("acme", "cert-manager's controller reaches the ACME server and the DNS provider's API", controller),
    {
      name: "acme-dns-propagation",
      description: "cert-manager's controller asks the domain's public nameservers whether its DNS-01 record has propagated",
      podSelector: controller,
      toHosts: "internet",
      ports: [53],
      protocols: ["UDP", "TCP"],
    },
  ];
}

/** cert-manager's namespace. Until the ingress layer needed it too, the database layer declared it. */
export function certManagerNamespaces(config: Pick<HomelabConfig, "ingress">): NamespaceSpec[] {
  return [{
    name: CERT_MANAGER_NAMESPACE,
    podSecurity: "restricted",
    quota: chartQuota([
      [CERT_MANAGER_RESOURCES.controller, 1], [CERT_MANAGER_RESOURCES.webhook, 1], [CERT_MANAGER_RESOURCES.cainjector, 1],
    ], 8),
    ingress: [
      {
        description: "the API server calls the cert-manager webhook",
        podSelector: { ...CERT_MANAGER_LABELS, "app.kubernetes.io/component": "webhook" },
        fromCidrs: ANYWHERE,
        ports: [CERT_MANAGER_PORTS.webhook],
      },
      {
        description: "Prometheus scrapes cert-manager metrics",
        podSelector: { ...CERT_MANAGER_LABELS },
        fromNamespaces: [MONITORING_NAMESPACE],
        ports: [CERT_MANAGER_PORTS.metrics],
      },
    ],
    // Its issuers are self-signed and CA issuers, which need nothing outside; ACME needs the internet.
    egress: [
      dnsEgress(),
      apiServerEgress("cert-manager's controller, webhook and cainjector issue certificates and inject CA bundles through the API server"),
      ...(config.ingress?.acme ? acmeEgress() : []),
    ],
  }];
}
