// Pure builders for the cluster's credentials: the custom CA files K3s reads before its first
// start, the full ("secure") join tokens that let joining nodes verify the cluster CA, and the
// admin kubeconfig the Kubernetes provider uses. The keys and certificates themselves are made by
// the ClusterCredentials component (cluster-credentials.ts); everything here is a plain function
// of their PEM text, so every later `pulumi up` computes the same, known values from state.
import { createHash } from "node:crypto";
import * as YAML from "yaml";

/**
 * The five CAs K3s uses, by their file name under server/tls (K3s docs, "Using Custom CA
 * Certificates"; pkg/daemons/control/deps/deps.go). Each is a self-signed root, which is K3s's own
 * default topology, so the cluster looks exactly like one K3s made, except that the program holds
 * the CAs and can therefore compute the join tokens' CA hash and the admin kubeconfig up front.
 */
export const CLUSTER_CAS = ["server-ca", "client-ca", "request-header-ca", "etcd/server-ca", "etcd/peer-ca"] as const;
export type ClusterCa = (typeof CLUSTER_CAS)[number];

/** Where K3s keeps (and, before the first start, looks for) its CA files. */
export const K3S_TLS_DIR = "/var/lib/rancher/k3s/server/tls";

/** A CA's certificate and private key, PEM-encoded. */
export interface CaPair {
  certPem: string;
  keyPem: string;
}

export interface ClusterCaMaterial {
  cas: Record<ClusterCa, CaPair>;
  /** The RSA key that signs service-account tokens (service.key; it has no certificate). */
  serviceAccountKeyPem: string;
}

/**
 * The eleven files K3s requires for a custom CA, keyed by their path under server/tls. K3s
 * generates a fresh self-signed CA for any pair that is missing, silently, so all of them are
 * always written together.
 */
export function customCaFiles(material: ClusterCaMaterial): Record<string, string> {
  const files: Record<string, string> = {};
  for (const ca of CLUSTER_CAS) {
    const pair = material.cas[ca];
    if (!pair) throw new Error(`the cluster CA material has no ${ca}`);
    files[`${ca}.crt`] = pair.certPem;
    files[`${ca}.key`] = pair.keyPem;
  }
  files["service.key"] = material.serviceAccountKeyPem;
  return files;
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * The CA hash of a full join token. For a server-ca.crt holding one certificate, K3s hashes the
 * file's literal bytes (pkg/clientaccess/token.go, hashCA: "a legacy hash is generated from the
 * literal bytes of the file"), so the file must be written exactly as hashed here.
 */
export function caHash(serverCaPem: string): string {
  const certificates = serverCaPem.match(PEM_CERTIFICATE) ?? [];
  if (certificates.length !== 1) {
    throw new Error(`expected server-ca.crt to hold exactly one certificate, found ${certificates.length}`);
  }
  return createHash("sha256").update(serverCaPem, "utf8").digest("hex");
}

/**
 * A full-format join token, `K10<ca-hash>::<user>:<password>`: a joining node downloads the
 * cluster CA and refuses to join unless it has this hash, so a spoofed server never gets the
 * password. "server" tokens join servers (and carry the bootstrap secrets); "node" tokens join
 * agents only.
 */
export function fullToken(serverCaPem: string, user: "server" | "node", password: string): string {
  if (!/^[A-Za-z0-9]+$/.test(password)) throw new Error("join token passwords must be alphanumeric (they share a line with the CA hash)");
  return `K10${caHash(serverCaPem)}::${user}:${password}`;
}

/**
 * The Kubernetes provider's cluster identity: it changes only when the cluster CA does, which is
 * when the cluster really is another one. pulumi-kubernetes replaces its provider (and so every
 * object under it) only when this changes (DiffConfig, provider/pkg/provider/provider.go).
 */
export function clusterIdentifier(serverCaPem: string): string {
  return `k3s-${createHash("sha256").update(serverCaPem, "utf8").digest("hex").slice(0, 16)}`;
}

/** The admin identity the program's kubeconfig authenticates as; its rights come from RBAC. */
export const ADMIN_USER = "homelab-admin";
/** The ClusterRoleBinding that grants ADMIN_USER cluster-admin; deleting it revokes the certificate. */
export const ADMIN_BINDING = "homelab-admin";

export interface AdminKubeconfigArgs {
  clusterName: string;
  /** https://<apiEndpoint>:6443 */
  server: string;
  serverCaPem: string;
  clientCertPem: string;
  clientKeyPem: string;
}

const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

/** A single-cluster kubeconfig with embedded credentials; cluster, context and user named after the cluster. */
export function adminKubeconfig(args: AdminKubeconfigArgs): string {
  const name = args.clusterName;
  return YAML.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name, cluster: { server: args.server, "certificate-authority-data": base64(args.serverCaPem) } }],
    users: [{ name, user: { "client-certificate-data": base64(args.clientCertPem), "client-key-data": base64(args.clientKeyPem) } }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    "current-context": name,
    preferences: {},
  });
}
