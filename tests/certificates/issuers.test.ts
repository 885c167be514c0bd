// The lab's issuers: a name-constrained CA made by cert-manager, and ACME DNS-01 through the
// secrets layer's credentials. Checked against cert-manager's v1 models.
import {
  ACME_ACCOUNT_KEY_SECRET,
  acmeIssuer,
  CLUSTER_ISSUERS,
  dns01Solver,
  dnsCredentialsFrom,
  LAB_CA,
  labCaCertificate,
  labCaFetchCommand,
  labCaIssuer,
  selfSignedIssuer,
} from "../../components/certificates";
import type { AcmeSettings } from "../../components/config";
import { secretRefs } from "../../components/secrets";
import { validateModels } from "../helpers/schemas";
import { stackConfig } from "../helpers/stacks";

const acme: AcmeSettings = { email: "ops@example.org", server: "https://acme-staging-v02.api.letsencrypt.org/directory", dns01: { provider: "cloudflare" } };
const credentials = { name: "acme-dns01-cloudflare", keys: ["api-token"] };

describe("the lab CA", () => {
  const ca = labCaCertificate({ stack: "staging", domain: "lab.home.arpa" });

  it("is a CA signed by the self-signed issuer, kept in cert-manager's namespace", () => {
    expect(ca.metadata).toMatchObject({ name: LAB_CA.certificate, namespace: "cert-manager" });
    expect(ca.spec).toMatchObject({ isCA: true, secretName: LAB_CA.secret, issuerRef: { name: CLUSTER_ISSUERS.selfSigned, kind: "ClusterIssuer" } });
    expect(selfSignedIssuer().spec).toEqual({ selfSigned: {} });
    expect(labCaIssuer().spec).toEqual({ ca: { secretName: LAB_CA.secret } });
  });

  it("may vouch for names under the lab's domain only, a constraint clients must honour (critical)", () => {
    expect(ca.spec?.nameConstraints).toEqual({ critical: true, permitted: { dnsDomains: ["lab.home.arpa"] } });
  });

  it("lives ten years on one key, so the trust operators install outlasts its renewal", () => {
    expect(ca.spec).toMatchObject({ duration: "87600h", renewBefore: "8760h", privateKey: { rotationPolicy: "Never", algorithm: "ECDSA" } });
    expect(ca.spec?.commonName).toBe("homelab staging CA");
  });

  it("is fetched from its Secret with one command", () => {
    expect(labCaFetchCommand()).toBe("kubectl -n cert-manager get secret homelab-lab-ca -o jsonpath='{.data.ca\\.crt}' | base64 -d > homelab-ca.crt");
  });
});

describe("ACME DNS-01", () => {
  it("answers challenges for the lab's domain through Cloudflare with the synced API token", () => {
    const issuer = acmeIssuer(acme, "lab.example.org", credentials);
    expect(issuer.metadata?.name).toBe(CLUSTER_ISSUERS.acme);
    expect(issuer.spec?.acme).toEqual({
      email: "ops@example.org",
      server: acme.server,
      privateKeySecretRef: { name: ACME_ACCOUNT_KEY_SECRET },
      solvers: [{ selector: { dnsZones: ["lab.example.org"] }, dns01: { cloudflare: { apiTokenSecretRef: { name: "acme-dns01-cloudflare", key: "api-token" } } } }],
    });
  });

  it("finds the provider's credentials among the catalogue's Secrets in cert-manager's namespace", () => {
    const config = stackConfig("staging", (raw) => {
      raw.ingress = { domain: "lab.example.org", acme: { email: "ops@example.org", dns01: { provider: "cloudflare" } } };
    });
    const refs = secretRefs(config, "cert-manager");
    expect(dnsCredentialsFrom(refs, acme.dns01)).toEqual(credentials);
    // Without ACME the namespace gets no Secret from the catalogue at all.
    expect(secretRefs(stackConfig("staging"), "cert-manager")).toEqual({});
    expect(() => dnsCredentialsFrom({}, acme.dns01)).toThrow(/no Secret in cert-manager holds "api-token"/);
    expect(() => dns01Solver(acme.dns01, { name: "x", keys: ["api-key"] })).toThrow(/Secret "x" has no key "api-token"/);
  });
});

describe("cert-manager v1 schemas", () => {
  it("accept every object this layer builds", () => {
    const objects = [
      selfSignedIssuer(),
      labCaCertificate({ stack: "dev", domain: "dev.home.arpa" }),
      labCaIssuer(),
      acmeIssuer(acme, "lab.example.org", credentials),
    ];
    const results = validateModels(objects);
    expect(results.filter((r) => r.error !== null)).toEqual([]);
    expect(results).toHaveLength(objects.length);
  });

  it("would catch a broken one", () => {
    const broken = { ...labCaCertificate({ stack: "dev", domain: "dev.home.arpa" }), spec: { isCA: "yes", issuerRef: { name: "x" } } };
    expect(validateModels([broken])[0].error).toMatch(/secretName|isCA/);
  });
});
