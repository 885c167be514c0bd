// ClusterCredentials: every secret that lives as long as the cluster, made once by the program and
// protected so that no routine change can regenerate it. The join tokens and the five CAs are
// what K3s would otherwise generate on the first server; holding them here makes the full join
// tokens and the admin kubeconfig plain functions of state, known in every preview after the first.
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import * as tls from "@pulumi/tls";
import { ADMIN_USER, CLUSTER_CAS, ClusterCa, ClusterCaMaterial } from "./credentials";

/** K3s's own CA lifetime (dynamiclistener: ten years); the admin certificate lives as long. */
export const CA_VALIDITY_HOURS = 10 * 365 * 24;

export class ClusterCredentials extends pulumi.ComponentResource {
  /** Password of the server token (joins servers; holds the keys to the bootstrap data). */
  readonly serverTokenPassword: pulumi.Output<string>;
  /** Password of the agent token (joins agents only). */
  readonly agentTokenPassword: pulumi.Output<string>;
  /** The CA files' contents for the first server's first start (secret). */
  readonly caMaterial: pulumi.Output<ClusterCaMaterial>;
  /** server-ca.crt: public, what clients and joining nodes verify the API server with. */
  readonly serverCaPem: pulumi.Output<string>;
  readonly adminCertPem: pulumi.Output<string>;
  readonly adminKeyPem: pulumi.Output<string>;

  constructor(name: string, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:k3s:ClusterCredentials", name, {}, opts);
    // protect: replacing any of these makes the cluster reject its own nodes (a new token cannot
    // decrypt the bootstrap data) or the program's kubeconfig (a new CA); the engine refuses it.
    const keep = { parent: this, protect: true };
    const password = (suffix: string) => new random.RandomPassword(`${name}-${suffix}`, { length: 48, special: false }, keep);
    this.serverTokenPassword = pulumi.secret(password("token").result);
    this.agentTokenPassword = pulumi.secret(password("agent-token").result);

    const cas: Partial<Record<ClusterCa, pulumi.Output<{ certPem: string; keyPem: string }>>> = {};
    for (const ca of CLUSTER_CAS) {
      const slug = ca.replace("/", "-");
      const key = new tls.PrivateKey(`${name}-${slug}-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, keep);
      const cert = new tls.SelfSignedCert(`${name}-${slug}`, {
        privateKeyPem: key.privateKeyPem,
        isCaCertificate: true,
        setSubjectKeyId: true,
        // Not named after the cluster: renaming it must not re-issue (replace) a CA.
        subject: { commonName: `homelab-${slug}`, organization: "homelab" },
        validityPeriodHours: CA_VALIDITY_HOURS,
        allowedUses: ["cert_signing", "crl_signing", "digital_signature", "key_encipherment"],
      }, keep);
      cas[ca] = pulumi.all([cert.certPem, key.privateKeyPem]).apply(([certPem, keyPem]) => ({ certPem, keyPem }));
    }
    // K3s's service-account signing key is RSA (docs/cli/certificate.md; K3s itself makes RSA 2048).
    const serviceAccountKey = new tls.PrivateKey(`${name}-service-account-key`, { algorithm: "RSA", rsaBits: 2048 }, keep);

    const ca = (which: ClusterCa) => cas[which]!;
    this.serverCaPem = ca("server-ca").apply((pair) => pair.certPem);
    this.caMaterial = pulumi.secret(pulumi.all([pulumi.all(CLUSTER_CAS.map(ca)), serviceAccountKey.privateKeyPem])
      .apply(([pairs, serviceAccountKeyPem]): ClusterCaMaterial => ({
        cas: Object.fromEntries(CLUSTER_CAS.map((which, i) => [which, pairs[i]])) as ClusterCaMaterial["cas"],
        serviceAccountKeyPem,
      })));

    // The program's own identity. Its rights come from a ClusterRoleBinding (not system:masters),
    // so deleting that binding revokes it; it is valid as long as the CA, so no routine
    // `pulumi up` ever has to re-issue it (a new certificate would be unknown during that preview).
    const adminKey = new tls.PrivateKey(`${name}-admin-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" }, keep);
    const adminRequest = new tls.CertRequest(`${name}-admin`, {
      privateKeyPem: adminKey.privateKeyPem,
      subject: { commonName: ADMIN_USER, organization: "homelab" },
    }, keep);
    const adminCert = new tls.LocallySignedCert(`${name}-admin`, {
      certRequestPem: adminRequest.certRequestPem,
      caCertPem: ca("client-ca").apply((pair) => pair.certPem),
      caPrivateKeyPem: ca("client-ca").apply((pair) => pair.keyPem),
      validityPeriodHours: CA_VALIDITY_HOURS,
      allowedUses: ["client_auth", "digital_signature", "key_encipherment"],
    }, keep);
    this.adminCertPem = adminCert.certPem;
    this.adminKeyPem = pulumi.secret(adminKey.privateKeyPem);

    this.registerOutputs({ serverCaPem: this.serverCaPem });
  }
}
