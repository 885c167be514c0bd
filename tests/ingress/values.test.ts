// Traefik's Helm values: only keys chart 41.3.0 has, Ingress objects only, namespaced RBAC, the
// program's own Service, and plain HTTP only as a redirect.
import * as path from "node:path";
import { INGRESS_NAMESPACE, traefikValues } from "../../components/ingress";
import { charts } from "../../components/versions";
import { readKeyList, unknownKeyPaths } from "../helpers/chart-keys";

const values = traefikValues({ routedNamespaces: ["open-webui", "monitoring"] }) as any;

describe("Traefik values", () => {
  it("set only keys the pinned chart has (offline twin of check:charts)", () => {
    const keys = readKeyList(path.join(__dirname, `traefik-${charts.traefik.valuesCheckedAgainst}.keys.txt`));
    expect(unknownKeyPaths(values, keys)).toEqual([]);
    // Strict enough to catch the typos Helm would ignore (redirectTo is the chart's old key).
    expect(unknownKeyPaths({ ports: { web: { redirectTo: { port: "websecure" } } }, providers: { kubernetesIngress: { namespace: [] } } }, keys))
      .toEqual(["ports.web.redirectTo", "providers.kubernetesIngress.namespace"]);
    expect(charts.traefik).toMatchObject({ repo: "https://traefik.github.io/charts", chart: "traefik", valuesCheckedAgainst: charts.traefik.version });
  });

  it("serves Ingress objects only: no CRD or Gateway provider, no IngressClass, no dashboard", () => {
    expect(values.providers.kubernetesCRD.enabled).toBe(false);
    expect(values.providers.kubernetesGateway.enabled).toBe(false);
    expect(values.providers.kubernetesIngress.enabled).toBe(true);
    expect(values.ingressClass.enabled).toBe(false);
    expect(values.api.dashboard).toBe(false);
  });

  it("reads the API through Roles in the routed namespaces and its own, not a ClusterRole", () => {
    expect(values.rbac).toEqual({ enabled: true, namespaced: true });
    expect(values.providers.kubernetesIngress.namespaces).toEqual(["ingress", "monitoring", "open-webui"]);
  });

  it("leaves the Service to the program and copies its addresses into the Ingresses' status", () => {
    expect(values.service.enabled).toBe(false);
    expect(values.providers.kubernetesIngress.publishedService).toEqual({ enabled: true, pathOverride: `${INGRESS_NAMESPACE}/traefik` });
  });

  it("redirects plain HTTP to HTTPS, permanently", () => {
    expect(values.ports.web.http.redirections.entryPoint).toEqual({ to: "websecure", scheme: "https", permanent: true });
  });

  it("runs two restricted pods spread over nodes, never both down for a drain, and never calls home", () => {
    expect(values.deployment.replicas).toBe(2);
    expect(values.podDisruptionBudget).toEqual({ enabled: true, maxUnavailable: 1 });
    expect(values.topologySpreadConstraints[0]).toMatchObject({ topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { "app.kubernetes.io/name": "traefik" } } });
    expect(values.podSecurityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(values.securityContext).toEqual({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
    expect(values.resources.limits).toEqual({ cpu: "1", memory: "256Mi" });
    expect(values.global).toEqual({ checkNewVersion: false, sendAnonymousUsage: false });
  });
});
