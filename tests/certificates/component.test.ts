// The certificates layer under the mock runtime: cert-manager keeps the identity it had in the
// database layer (aliases).
import * as k8s from "@pulumi/kubernetes";
import { CertManager, certManagerNamespaces } from "../../components/certificates";
import { createNamespaces } from "../../components/namespaces";
import { charts } from "../../components/versions";
import { mockRuntime, Recorder, settle } from "../helpers/runtime";

const T = {
  chart: "kubernetes:helm.sh/v4:Chart",
  podMonitor: "kubernetes:monitoring.coreos.com/v1:PodMonitor",
};

let recorder: Recorder;
let crds: k8s.core.v1.ConfigMap;

beforeAll(async () => {
  recorder = await mockRuntime("staging");
  const provider = new k8s.Provider("k8s", { kubeconfig: "{}" });
  const namespaces = createNamespaces(provider, certManagerNamespaces());
  crds = new k8s.core.v1.ConfigMap("crds-stand-in", { metadata: { name: "crds" } }, { provider });
  new CertManager("cert-manager", {
    provider,
    namespace: namespaces["cert-manager"],
    monitoringReady: [crds],
    formerOwner: { name: "database", type: "homelab:database:Database" },
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
