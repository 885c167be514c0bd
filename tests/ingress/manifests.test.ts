// The ingress layer's objects: the controller's LAN Service, and per route a Certificate and an
// HTTPS-only Ingress; against Kubernetes' and cert-manager's models and the stacks' pack configs.
import * as path from "node:path";
import { controllerService, ingressRoutes, routeCertificate, routeIngress, tlsSecretName } from "../../components/ingress";
import { evaluate, loadPackConfig } from "../../policies/lib/engine";
import { ALL_POLICIES } from "../../policies/registry";
import type { PlainResource } from "../../policies/lib/types";
import { validateModels } from "../helpers/schemas";
import { stackConfig } from "../helpers/stacks";

const ROOT = path.resolve(__dirname, "../..");
const staging = stackConfig("staging");
const routes = ingressRoutes(staging.ingress!);

describe("the controller's Service", () => {
  const svc = controllerService(staging.ingress!);

  it("is a LoadBalancer on 80 and 443 for the declared networks only, annotated as a declared exposure", () => {
    expect(svc.spec).toMatchObject({
      type: "LoadBalancer",
      loadBalancerSourceRanges: ["192.168.1.0/24"],
      externalTrafficPolicy: "Cluster",
      selector: { "app.kubernetes.io/name": "traefik", "app.kubernetes.io/instance": "traefik-ingress" },
      ports: [{ name: "web", port: 80, targetPort: "web" }, { name: "websecure", port: 443, targetPort: "websecure" }],
    });
    expect(svc.metadata).toMatchObject({
      name: "traefik",
      namespace: "ingress",
      annotations: { "homelab.dev/exposure": "declared", "homelab.dev/exposure-allowed-cidrs": "192.168.1.0/24" },
    });
  });
});

describe("routes", () => {
  it("each get a certificate for their one host from the lab's issuer, in their own namespace", () => {
    const cert = routeCertificate(routes[0], "homelab-lab-ca");
    expect(cert.metadata).toMatchObject({ name: "open-webui-https", namespace: "open-webui" });
    expect(cert.spec).toMatchObject({ secretName: "open-webui-https-tls", dnsNames: ["ai.lab.home.arpa"], issuerRef: { name: "homelab-lab-ca", kind: "ClusterIssuer" } });
  });

  it("each get an Ingress on the websecure entry point only, its host served from its certificate", () => {
    const ingress = routeIngress(routes[1]);
    expect(ingress.metadata).toMatchObject({
      name: "grafana",
      namespace: "monitoring",
      annotations: {
        "kubernetes.io/ingress.class": "traefik",
        "traefik.ingress.kubernetes.io/router.entrypoints": "websecure",
        "traefik.ingress.kubernetes.io/router.tls": "true",
      },
    });
    expect(ingress.spec).toEqual({
      tls: [{ hosts: ["grafana.lab.home.arpa"], secretName: tlsSecretName(routes[1]) }],
      rules: [{ host: "grafana.lab.home.arpa", http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "kps-grafana", port: { number: 80 } } } }] } }],
    });
    // No ingressClassName: Traefik with namespaced RBAC cannot read IngressClasses and would skip it.
    expect(ingress.spec).not.toHaveProperty("ingressClassName");
  });

  it("are valid networking.k8s.io/v1 Ingresses and cert-manager.io/v1 Certificates", () => {
    const objects = routes.flatMap((r) => [routeIngress(r), routeCertificate(r, "homelab-lab-ca")]);
    const results = validateModels(objects);
    expect(results.filter((r) => r.error !== null)).toEqual([]);
    expect(results).toHaveLength(4);
  });
});

describe.each(["dev", "staging"] as const)("the %s stack's objects under its pack config", (stack) => {
  it("pass every policy, and the controller's Service only because it is declared", () => {
    const config = stackConfig(stack);
    const plain = (type: string, name: string, props: Record<string, unknown>): PlainResource => ({ type, name, urn: `urn:pulumi:${stack}::homelab::${type}::${name}`, custom: true, props });
    const objects = [
      plain("kubernetes:core/v1:Service", "ingress-controller", controllerService(config.ingress!) as Record<string, unknown>),
      ...ingressRoutes(config.ingress!).map((r) => plain("kubernetes:networking.k8s.io/v1:Ingress", `ingress-${r.id}`, routeIngress(r) as unknown as Record<string, unknown>)),
    ];
    const pack = loadPackConfig(path.join(ROOT, "policies", "config", `${stack}.json`), ALL_POLICIES);
    expect(evaluate(ALL_POLICIES, objects, pack, { source: "manifests" }).filter((v) => v.enforcementLevel === "mandatory")).toEqual([]);
    const undeclared = { ...pack, "service-exposure": { allowed: [] } };
    expect(evaluate(ALL_POLICIES, objects, undeclared, { source: "manifests" }).map((v) => v.policy)).toEqual(["service-exposure"]);
  });
});
