// Pure builders for the lab's certificate issuers (cert-manager v1.21): the lab's own CA, and
// ACME DNS-01 for operators with a public domain. Typed against @kubernetes-models/cert-manager
// (types only, erased at run time), so a misspelt field fails `npm run typecheck`; the tests
// validate the objects against the same models.
//
// The lab CA follows cert-manager's CA pattern: a self-signed ClusterIssuer signs one CA
// Certificate, whose Secret backs the CA ClusterIssuer. cert-manager makes the CA's key inside the
// cluster, so it is in no Pulumi state, stack file or CI log; and the CA carries a critical X.509
// name constraint, so the root operators install in their browsers can vouch for names under the
// lab's domain and nothing else, even if its key leaks.
import type { IACMEChallengeSolverDNS01 } from "@kubernetes-models/cert-manager/acme.cert-manager.io/v1/ACMEChallengeSolverDNS01";
import type { ICertificate } from "@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate";
import type { IClusterIssuer } from "@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer";
import type { AcmeSettings } from "../config";
import { CERT_MANAGER_NAMESPACE } from "./namespaces";

export const CERT_MANAGER_API_VERSION = "cert-manager.io/v1";

/** The ClusterIssuers this layer makes (prefixed, so no chart's issuer can collide). */
export const CLUSTER_ISSUERS = {
  selfSigned: "homelab-selfsigned",
  labCa: "homelab-lab-ca",
  acme: "homelab-acme",
} as const;

/** The lab CA's Certificate and the Secret cert-manager keeps its key and certificate in. */
export const LAB_CA = { certificate: "homelab-lab-ca", secret: "homelab-lab-ca" } as const;
/** The Secret cert-manager keeps the ACME account's key in (cert-manager's namespace). */
export const ACME_ACCOUNT_KEY_SECRET = "homelab-acme-account-key";

/** Ten years, K3s's own CA lifetime; renewed (same key) in its last year. */
export const LAB_CA_DURATION = "87600h";
export const LAB_CA_RENEW_BEFORE = "8760h";

const labels = { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "certificates" };
const issuerRef = (name: string) => ({ name, kind: "ClusterIssuer", group: "cert-manager.io" });

/** Signs the lab CA's own certificate, and nothing the lab serves. */
export function selfSignedIssuer(): IClusterIssuer {
  return {
    apiVersion: CERT_MANAGER_API_VERSION,
    kind: "ClusterIssuer",
    metadata: { name: CLUSTER_ISSUERS.selfSigned, labels },
    spec: { selfSigned: {} },
  };
}

/**
 * The lab CA. Its name constraint permits `domain` and every name under it; changing the domain
 * re-issues the CA (same key), and operators trust the new certificate again. The key never
 * rotates (rotationPolicy Never), so a renewal in the CA's last year keeps the trust operators
 * installed working for the leaf certificates already issued.
 */
export function labCaCertificate(opts: { stack: string; domain: string }): ICertificate {
  return {
    apiVersion: CERT_MANAGER_API_VERSION,
    kind: "Certificate",
    metadata: { name: LAB_CA.certificate, namespace: CERT_MANAGER_NAMESPACE, labels },
    spec: {
      isCA: true,
      // How the operator's trust store lists it.
      commonName: `homelab ${opts.stack} CA`,
      subject: { organizations: ["homelab"] },
      secretName: LAB_CA.secret,
      duration: LAB_CA_DURATION,
      renewBefore: LAB_CA_RENEW_BEFORE,
      privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Never" },
      // The NameConstraints feature gate is Beta and on by default in cert-manager 1.21 (controller and webhook).
      nameConstraints: { critical: true, permitted: { dnsDomains: [opts.domain] } },
      issuerRef: issuerRef(CLUSTER_ISSUERS.selfSigned),
    },
  };
}

/** Signs the web interfaces' certificates with the lab CA (its Secret lives in cert-manager's namespace). */
export function labCaIssuer(): IClusterIssuer {
  return {
    apiVersion: CERT_MANAGER_API_VERSION,
    kind: "ClusterIssuer",
    metadata: { name: CLUSTER_ISSUERS.labCa, labels },
    spec: { ca: { secretName: LAB_CA.secret } },
  };
}

/** A Kubernetes Secret (in cert-manager's namespace) and its keys: where a DNS provider's credentials are synced. */
export interface DnsCredentials {
  name: string;
  keys: string[];
}

/** The key of each DNS provider's credentials Secret that holds its secret (the secrets catalogue's property). */
export const DNS01_CREDENTIAL_KEYS: Record<AcmeSettings["dns01"]["provider"], string> = {
  cloudflare: "api-token",
};

/**
 * The provider's credentials among the secrets layer's Secrets in cert-manager's namespace
 * (`secrets.refs("cert-manager")`): the one that holds the provider's key.
 */
export function dnsCredentialsFrom(refs: Record<string, DnsCredentials>, dns01: AcmeSettings["dns01"]): DnsCredentials {
  const key = DNS01_CREDENTIAL_KEYS[dns01.provider];
  const found = Object.values(refs).find((ref) => ref.keys.includes(key));
  if (!found) {
    throw new Error(`ACME DNS-01 (${dns01.provider}): no Secret in ${CERT_MANAGER_NAMESPACE} holds "${key}" (have: ${Object.keys(refs).join(", ") || "none"}); the secrets catalogue must declare it`);
  }
  return found;
}

/**
 * The DNS-01 solver for one provider. A ClusterIssuer reads solver credentials from cert-manager's
 * own namespace (its cluster resource namespace), where the secrets layer syncs them.
 */
export function dns01Solver(dns01: AcmeSettings["dns01"], credentials: DnsCredentials): IACMEChallengeSolverDNS01 {
  const need = (key: string) => {
    if (!credentials.keys.includes(key)) {
      throw new Error(`ACME DNS-01 (${dns01.provider}): Secret "${credentials.name}" has no key "${key}" (it has ${credentials.keys.join(", ")}); the secrets catalogue must declare it`);
    }
    return { name: credentials.name, key };
  };
  switch (dns01.provider) {
    case "cloudflare":
      return { cloudflare: { apiTokenSecretRef: need(DNS01_CREDENTIAL_KEYS.cloudflare) } };
  }
}

/** ACME with DNS-01 for names under `domain` only (the solver's selector). */
export function acmeIssuer(acme: AcmeSettings, domain: string, credentials: DnsCredentials): IClusterIssuer {
  return {
    apiVersion: CERT_MANAGER_API_VERSION,
    kind: "ClusterIssuer",
    metadata: { name: CLUSTER_ISSUERS.acme, labels },
    spec: {
      acme: {
        email: acme.email,
        server: acme.server,
        privateKeySecretRef: { name: ACME_ACCOUNT_KEY_SECRET },
        solvers: [{ selector: { dnsZones: [domain] }, dns01: dns01Solver(acme.dns01, credentials) }],
      },
    },
  };
}

/**
 * The command that prints the lab CA's certificate (PEM), for the operator to trust. cert-manager
 * writes it into the CA's Secret when it issues the CA, so it cannot be a stack output without
 * reading the cluster.
 */
export function labCaFetchCommand(file = "homelab-ca.crt"): string {
  return `kubectl -n ${CERT_MANAGER_NAMESPACE} get secret ${LAB_CA.secret} -o jsonpath='{.data.ca\\.crt}' | base64 -d > ${file}`;
}
