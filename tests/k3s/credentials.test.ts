// The cluster's credentials as pure functions of their PEM text: the CA files K3s adopts, the full
// join tokens' CA hash, the provider's cluster identity and the admin kubeconfig.
import { createHash } from "node:crypto";
import * as YAML from "yaml";
import {
  ADMIN_USER, CLUSTER_CAS, ClusterCaMaterial, adminKubeconfig, caHash, clusterIdentifier, customCaFiles, fullToken,
} from "../../components/k3s/credentials";

const pem = (label: string, body: string) => `-----BEGIN ${label}-----\n${Buffer.from(body).toString("base64")}\n-----END ${label}-----\n`;
const CA = pem("CERTIFICATE", "server-ca");

describe("cluster credentials", () => {
  it("writes the eleven custom-CA files K3s requires, all of them, keyed by their path under server/tls", () => {
    const material = {
      cas: Object.fromEntries(CLUSTER_CAS.map((ca) => [ca, { certPem: pem("CERTIFICATE", ca), keyPem: pem("EC PRIVATE KEY", ca) }])) as ClusterCaMaterial["cas"],
      serviceAccountKeyPem: pem("RSA PRIVATE KEY", "sa"),
    };
    const files = customCaFiles(material);
    expect(Object.keys(files).sort()).toEqual([
      "client-ca.crt", "client-ca.key", "etcd/peer-ca.crt", "etcd/peer-ca.key", "etcd/server-ca.crt", "etcd/server-ca.key",
      "request-header-ca.crt", "request-header-ca.key", "server-ca.crt", "server-ca.key", "service.key",
    ]);
    expect(files["etcd/peer-ca.key"]).toBe(pem("EC PRIVATE KEY", "etcd/peer-ca"));
    // A missing pair would make K3s generate its own CA silently; refuse it instead.
    expect(() => customCaFiles({ ...material, cas: { ...material.cas, "client-ca": undefined } as never })).toThrow(/no client-ca/);
  });

  it("hashes server-ca.crt's exact bytes, as K3s does for a single-certificate bundle", () => {
    expect(caHash(CA)).toBe(createHash("sha256").update(CA).digest("hex"));
    // A trailing newline is part of the file, so it is part of the hash.
    expect(caHash(CA)).not.toBe(caHash(CA.trimEnd()));
    expect(() => caHash(CA + CA)).toThrow(/exactly one certificate, found 2/);
    expect(() => caHash("not a certificate")).toThrow(/found 0/);
  });

  it("builds full join tokens: servers join as 'server', agents as 'node', both pinned to the CA", () => {
    const hash = caHash(CA);
    expect(fullToken(CA, "server", "abc123")).toBe(`K10${hash}::server:abc123`);
    expect(fullToken(CA, "node", "xyz789")).toBe(`K10${hash}::node:xyz789`);
    expect(() => fullToken(CA, "node", "a:b")).toThrow(/alphanumeric/);
  });

  it("names the cluster by its CA, so only a new CA (another cluster) changes the provider's identity", () => {
    expect(clusterIdentifier(CA)).toMatch(/^k3s-[0-9a-f]{16}$/);
    expect(clusterIdentifier(CA)).toBe(clusterIdentifier(CA));
    expect(clusterIdentifier(pem("CERTIFICATE", "another cluster"))).not.toBe(clusterIdentifier(CA));
  });

  it("writes a kubeconfig for the API endpoint with the CA and the admin certificate embedded", () => {
    const doc = YAML.parse(adminKubeconfig({
      clusterName: "lab", server: "https://k3s.home.arpa:6443", serverCaPem: CA,
      clientCertPem: pem("CERTIFICATE", ADMIN_USER), clientKeyPem: pem("EC PRIVATE KEY", "admin"),
    }));
    expect(doc["current-context"]).toBe("lab");
    expect(doc.clusters).toEqual([{ name: "lab", cluster: { server: "https://k3s.home.arpa:6443", "certificate-authority-data": Buffer.from(CA).toString("base64") } }]);
    expect(doc.contexts).toEqual([{ name: "lab", context: { cluster: "lab", user: "lab" } }]);
    expect(Buffer.from(doc.users[0].user["client-key-data"], "base64").toString()).toBe(pem("EC PRIVATE KEY", "admin"));
  });
});
