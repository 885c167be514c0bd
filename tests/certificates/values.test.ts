// cert-manager's Helm values and namespace: the chart's keys, the restricted profile, and the
// only paths into its namespace.
import * as path from "node:path";
import { CERT_MANAGER_NAMESPACE, certManagerNamespaces, certManagerValues } from "../../components/certificates";
import { allowIngressSpec } from "../../components/namespaces/manifests";
import { charts } from "../../components/versions";
import { readKeyList, unknownKeyPaths } from "../helpers/chart-keys";

describe("cert-manager values", () => {
  it("set only keys the pinned chart has (offline twin of check:charts)", () => {
    const keys = readKeyList(path.join(__dirname, `cert-manager-${charts.certManager.valuesCheckedAgainst}.keys.txt`));
    expect(unknownKeyPaths(certManagerValues(CERT_MANAGER_NAMESPACE), keys)).toEqual([]);
    // The list is strict enough to catch a typo Helm would ignore.
    expect(unknownKeyPaths({ startupApiCheck: { enabled: false } }, keys)).toEqual(["startupApiCheck"]);
    expect(charts.certManager.valuesCheckedAgainst).toBe(charts.certManager.version);
  });

  it("installs and keeps its CRDs, elects leaders in its own namespace, skips the hook job", () => {
    const v = certManagerValues("cert-manager") as any;
    expect(v.crds).toEqual({ enabled: true, keep: true });
    expect(v.installCRDs).toBeUndefined();
    expect(v.global.leaderElection.namespace).toBe("cert-manager");
    expect(v.startupapicheck.enabled).toBe(false);
    for (const part of [v, v.webhook, v.cainjector]) {
      expect(part.containerSecurityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
      expect(part.securityContext.runAsNonRoot).toBe(true);
      expect(part.resources.limits.memory).toBeDefined();
    }
    // The chart's monitors would need the Prometheus Operator CRDs at install time.
    expect(v.prometheus.servicemonitor.enabled).toBe(false);
    expect(v.prometheus.podmonitor.enabled).toBe(false);
  });
});

describe("certManagerNamespaces", () => {
  const [spec] = certManagerNamespaces({ ingress: undefined });

  it("is restricted, with a quota for the three pods twice over (a rolling update)", () => {
    expect(spec).toMatchObject({ name: "cert-manager", podSecurity: "restricted" });
    // 20m+10m+10m requested, 200m+100m+200m limited, each doubled.
    expect(spec.quota).toEqual({ requestsCpu: "80m", requestsMemory: "320Mi", limitsCpu: "1", limitsMemory: "1280Mi", storage: "0", pods: 8 });
  });

  it("admits the API server on the webhook port and Prometheus on the metrics port, nothing else", () => {
    expect(spec.ingress.map((r) => [r.fromCidrs ?? r.fromNamespaces, r.ports])).toEqual([[["0.0.0.0/0"], [10250]], [["monitoring"], [9402]]]);
    expect(spec.ingress[0].podSelector).toEqual({ "app.kubernetes.io/instance": "cert-manager", "app.kubernetes.io/component": "webhook" });
    for (const rule of spec.ingress) expect(() => allowIngressSpec(rule)).not.toThrow();
  });
});
