// The certificates layer under the mock runtime: cert-manager keeps the identity it had in the
// database layer (aliases), and the issuers wait for it.
import * as k8s from "@pulumi/kubernetes";
import { CertManager, certManagerNamespaces, LabIssuers } from "../../components/certificates";
import { createNamespaces } from "../../components/namespaces";
import { charts } from "../../components/versions";
import { stagingNetworks } from "../helpers/networks";
import { mockRuntime, Recorder, settle } from "../helpers/runtime";

const T = {
  chart: "kubernetes:helm.sh/v4:Chart",
  podMonitor: "kubernetes:monitoring.coreos.com/v1:PodMonitor",
  certificate: "kubernetes:cert-manager.io/v1:Certificate",
  clusterIssuer: "kubernetes:cert-manager.io/v1:ClusterIssuer",
};

let recorder: Recorder;
let certManager: CertManager;
let internal: LabIssuers;
let acme: LabIssuers;
let crds: k8s.core.v1.ConfigMap;

beforeAll(async () => {
  recorder = await mockRuntime("staging");
  const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
  const namespaces = createNamespaces(provider, certManagerNamespaces({ ingress: undefined }), stagingNetworks());
  crds = new k8s.core.v1.ConfigMap("crds-stand-in", { metadata: { name: "crds" } }, { provider });
  certManager = new CertManager("cert-manager", {
    provider,
    namespace: namespaces["cert-manager"],
    monitoringReady: [crds],
    formerOwner: { name: "database", type: "homelab:database:Database" },
  });
  internal = new LabIssuers("issuers", { provider, certManager: certManager.chart, stack: "staging", domain: "lab.home.arpa" });
  acme = new LabIssuers("issuers-acme", {
    provider,
    certManager: certManager.chart,
    stack: "staging",
    domain: "lab.example.org",
    acme: { email: "ops@example.org", server: "https://acme-v02.api.letsencrypt.org/directory", dns01: { provider: "cloudflare" } },
    acmeCredentials: { name: "acme-dns01-cloudflare", keys: ["api-token"] },
    acmeCredentialsReady: [crds],
  });
  await settle();
});

describe("CertManager", () => {
  it("installs the pinned chart into cert-manager, release cert-manager, with the values it always had", () => {
    const chart = recorder.byName(T.chart, "cert-manager-chart");
    expect(chart.inputs).toMatchObject({ chart: "cert-manager", version: charts.certManager.version, name: "cert-manager", namespace: "cert-manager" });
    expect((chart.inputs.values as any).crds).toEqual({ enabled: true, keep: true });
  });

  it("answers to the URNs the database layer gave its chart and monitor, so an existing lab keeps them", () => {
    const old = (type: string, name: string) => `urn:pulumi:staging::homelab::homelab:database:Database$${type}::${name}`;
    expect(recorder.byName(T.chart, "cert-manager-chart").aliases).toContain(old(T.chart, "database-cert-manager"));
    expect(recorder.byName(T.podMonitor, "cert-manager-podmonitor").aliases).toContain(old(T.podMonitor, "database-podmonitor-cert-manager"));
  });

  it("scrapes cert-manager's metrics once the monitoring CRDs exist", () => {
    const monitor = recorder.byName(T.podMonitor, "cert-manager-podmonitor");
    expect(monitor.inputs).toMatchObject({
      metadata: { name: "cert-manager", namespace: "cert-manager" },
      spec: { selector: { matchLabels: { "app.kubernetes.io/instance": "cert-manager" } }, podMetricsEndpoints: [{ port: "http-metrics" }] },
    });
    expect(monitor.dependencies).toContain(recorder.byName("kubernetes:core/v1:ConfigMap", "crds-stand-in").urn);
  });
});

describe("LabIssuers", () => {
  const chartUrn = () => recorder.byName(T.chart, "cert-manager-chart").urn;

  it("makes the self-signed issuer, the CA and the CA issuer, in that order, after cert-manager", () => {
    const selfSigned = recorder.byName(T.clusterIssuer, "issuers-selfsigned");
    const ca = recorder.byName(T.certificate, "issuers-lab-ca");
    const caIssuer = recorder.byName(T.clusterIssuer, "issuers-lab-ca-issuer");
    expect(selfSigned.dependencies).toContain(chartUrn());
    expect(ca.dependencies).toEqual(expect.arrayContaining([chartUrn(), selfSigned.urn]));
    expect(caIssuer.dependencies).toEqual(expect.arrayContaining([chartUrn(), ca.urn]));
    expect((ca.inputs.spec as any).nameConstraints.permitted.dnsDomains).toEqual(["lab.home.arpa"]);
    expect(internal.issuerName).toBe("homelab-lab-ca");
  });

  it("adds the ACME issuer when declared, after its credentials, and signs with it; the CA stays", () => {
    const issuer = recorder.byName(T.clusterIssuer, "issuers-acme-acme");
    expect(issuer.dependencies).toEqual(expect.arrayContaining([chartUrn(), recorder.byName("kubernetes:core/v1:ConfigMap", "crds-stand-in").urn]));
    expect(recorder.byName(T.certificate, "issuers-acme-lab-ca")).toBeDefined();
    expect(acme.issuerName).toBe("homelab-acme");
    expect(recorder.ofType(T.clusterIssuer).filter((r) => r.name.startsWith("issuers-") && !r.name.startsWith("issuers-acme")).map((r) => r.name).sort())
      .toEqual(["issuers-lab-ca-issuer", "issuers-selfsigned"]);
  });

  it("refuses ACME without credentials before registering anything", async () => {
    expect(() => new LabIssuers("issuers-broken", {
      provider: new k8s.Provider("k8s-broken", { kubeconfig: "{}" }),
      certManager: certManager.chart,
      stack: "staging",
      domain: "lab.example.org",
      acme: { email: "ops@example.org", server: "https://acme-v02.api.letsencrypt.org/directory", dns01: { provider: "cloudflare" } },
    })).toThrow(/no DNS provider credentials/);
    await settle();
    expect(recorder.list().filter((r) => r.name.startsWith("issuers-broken"))).toEqual([]);
  });
});
