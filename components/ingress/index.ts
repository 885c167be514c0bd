// The ingress layer: Traefik (a pinned chart), its LoadBalancer Service on the LAN, and per web
// interface a certificate from the lab's ClusterIssuer and an HTTPS-only Ingress. Pure builders
// live in routes.ts, namespaces.ts, values.ts and manifests.ts; this file only wires them.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { IngressService, IngressSettings } from "../config";
import { pinnedChart } from "../helm";
import type { LabNamespace } from "../namespaces";
import { podMonitor } from "../observability/monitors";
import { charts } from "../versions";
import { controllerService, routeCertificate, routeIngress } from "./manifests";
import { INGRESS_NAMESPACE, TRAEFIK_LABELS, TRAEFIK_RELEASE } from "./namespaces";
import { ingressRoutes, ingressUrls } from "./routes";
import { traefikValues } from "./values";

export * from "./manifests";
export * from "./namespaces";
export * from "./routes";
export * from "./values";

export interface IngressLayerArgs {
  provider: k8s.Provider;
  /** `ingress` (from ingressNamespaces). */
  namespace: LabNamespace;
  /** Every namespace of the lab by name; the routes' namespaces must be among them. */
  namespaces: Record<string, LabNamespace>;
  settings: IngressSettings;
  /** The ClusterIssuer that signs the routes' certificates (LabIssuers.issuerName). */
  issuerName: string;
  /** What makes that issuer (LabIssuers); it waits for cert-manager itself. */
  issuers: pulumi.Input<pulumi.Resource>[];
  /**
   * Per route, what runs its backend. Pulumi awaits an Ingress until its Service has endpoints,
   * so the Ingress is created after the backend's rollout.
   */
  backendsReady?: Partial<Record<IngressService, pulumi.Input<pulumi.Resource>[]>>;
  /** The Prometheus Operator CRDs, which the PodMonitor needs. */
  monitoringReady?: pulumi.Input<pulumi.Resource>[];
}

export class IngressLayer extends pulumi.ComponentResource {
  readonly chart: k8s.helm.v4.Chart;
  readonly service: k8s.core.v1.Service;
  /** `https://<host>` of each web interface. */
  readonly urls: Record<IngressService, string>;

  constructor(name: string, args: IngressLayerArgs, opts?: pulumi.ComponentResourceOptions) {
    if (args.namespace.spec.name !== INGRESS_NAMESPACE) {
      throw new Error(`IngressLayer: namespace must be "${INGRESS_NAMESPACE}" (from ingressNamespaces(config)), got "${args.namespace.spec.name}"`);
    }
    const routes = ingressRoutes(args.settings);
    const missing = routes.filter((r) => !args.namespaces[r.namespace]).map((r) => r.namespace);
    if (missing.length > 0) throw new Error(`IngressLayer: the routes need the namespaces ${missing.join(", ")}; include their layers' namespaces in createNamespaces`);
    super("homelab:ingress:IngressLayer", name, {}, opts);
    const k8sOpts = { parent: this, provider: args.provider };

    this.chart = pinnedChart(`${name}-traefik`, charts.traefik, {
      release: TRAEFIK_RELEASE,
      namespace: args.namespace.name,
      values: traefikValues({ routedNamespaces: routes.map((r) => r.namespace) }),
      skipCrds: true,
    }, k8sOpts);

    const svc = controllerService(args.settings);
    this.service = new k8s.core.v1.Service(`${name}-controller`, {
      metadata: { ...svc.metadata, namespace: args.namespace.name },
      spec: svc.spec,
    }, { ...k8sOpts, dependsOn: [this.chart] });

    const monitor = podMonitor("traefik", INGRESS_NAMESPACE, TRAEFIK_LABELS, "metrics");
    new k8s.apiextensions.CustomResource(`${name}-podmonitor`, {
      apiVersion: monitor.apiVersion as string,
      kind: monitor.kind as string,
      metadata: { ...(monitor.metadata as k8s.types.input.meta.v1.ObjectMeta), namespace: args.namespace.name },
      spec: monitor.spec as Record<string, unknown>,
    }, { ...k8sOpts, dependsOn: args.monitoringReady ?? [] });

    for (const route of routes) {
      const namespace = args.namespaces[route.namespace].name;
      const certificate = routeCertificate(route, args.issuerName);
      const cert = new k8s.apiextensions.CustomResource(`${name}-${route.id}-certificate`, {
        apiVersion: certificate.apiVersion,
        kind: certificate.kind,
        metadata: { ...certificate.metadata, namespace },
        spec: certificate.spec,
      }, { ...k8sOpts, dependsOn: args.issuers });
      const ingress = routeIngress(route);
      new k8s.networking.v1.Ingress(`${name}-${route.id}`, {
        metadata: { ...ingress.metadata, namespace },
        spec: ingress.spec,
      }, {
        ...k8sOpts,
        // Its status comes from the controller's Service; its endpoints from the backend.
        dependsOn: [this.chart, this.service, cert, ...(args.backendsReady?.[route.service] ?? [])],
      });
    }

    this.urls = ingressUrls(args.settings);
    this.registerOutputs({ urls: this.urls });
  }
}
