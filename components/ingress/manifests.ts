// Pure builders for the ingress layer's own objects: the controller's LoadBalancer Service, and
// per route a Certificate and an Ingress. The Ingress is typed against kubernetes-models and the
// Certificate against @kubernetes-models/cert-manager (types only), and the tests validate both.
import type { ICertificate } from "@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate";
import type * as k8s from "@pulumi/kubernetes";
import type { IIngress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import { EXPOSURE_ANNOTATION, EXPOSURE_CIDRS_ANNOTATION } from "../ai/manifests";
import type { IngressSettings } from "../config";
import { INGRESS_NAMESPACE, SERVICE_PORTS, TRAEFIK_LABELS, TRAEFIK_SERVICE } from "./namespaces";
import type { IngressRoute } from "./routes";

const labels = { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "ingress" };

/**
 * The annotation Traefik serves Ingresses by when it cannot read IngressClasses (namespaced RBAC;
 * traefik pkg/provider/kubernetes/ingress/kubernetes.go shouldProcessIngress). The API server warns
 * that it is deprecated in favour of spec.ingressClassName, which Traefik could only match against
 * IngressClass objects it is not allowed to read; the annotation also keeps any default IngressClass
 * from being written into spec.ingressClassName by admission.
 */
export const INGRESS_CLASS_ANNOTATION = "kubernetes.io/ingress.class";
export const INGRESS_CLASS = "traefik";

/**
 * The controller's Service: a K3s ServiceLB LoadBalancer on every node's 80 and 443, admitting
 * only ingress.allowedCidrs (kube-proxy enforces loadBalancerSourceRanges on the node addresses).
 * Cluster traffic policy, so every node answers wherever Traefik runs (namespaces.ts says why).
 */
export function controllerService(settings: Pick<IngressSettings, "allowedCidrs">): { metadata: k8s.types.input.meta.v1.ObjectMeta; spec: k8s.types.input.core.v1.ServiceSpec } {
  return {
    metadata: {
      name: TRAEFIK_SERVICE,
      namespace: INGRESS_NAMESPACE,
      labels: { ...labels, "app.kubernetes.io/name": "traefik" },
      annotations: { [EXPOSURE_ANNOTATION]: "declared", [EXPOSURE_CIDRS_ANNOTATION]: settings.allowedCidrs.join(",") },
    },
    spec: {
      type: "LoadBalancer",
      selector: { ...TRAEFIK_LABELS },
      ports: [
        // Target the chart's named container ports (its entry points web and websecure).
        { name: "web", protocol: "TCP", port: SERVICE_PORTS.web, targetPort: "web" },
        { name: "websecure", protocol: "TCP", port: SERVICE_PORTS.websecure, targetPort: "websecure" },
      ],
      externalTrafficPolicy: "Cluster",
      loadBalancerSourceRanges: [...settings.allowedCidrs],
    },
  };
}

/** The Secret cert-manager keeps a route's key and certificate in (beside its Ingress). */
export function tlsSecretName(route: Pick<IngressRoute, "id">): string {
  return `${route.id}-https-tls`;
}

/** A route's certificate, from the lab's ClusterIssuer, for its one host name. */
export function routeCertificate(route: IngressRoute, issuer: string): ICertificate {
  return {
    apiVersion: "cert-manager.io/v1",
    kind: "Certificate",
    metadata: { name: `${route.id}-https`, namespace: route.namespace, labels },
    spec: {
      secretName: tlsSecretName(route),
      dnsNames: [route.host],
      privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
      issuerRef: { name: issuer, kind: "ClusterIssuer", group: "cert-manager.io" },
    },
  };
}

/**
 * A route's Ingress: HTTPS only (the websecure entry point; plain HTTP is redirected before any
 * router), its host and nothing else, the whole path space to the backend Service.
 */
export function routeIngress(route: IngressRoute): IIngress {
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "Ingress",
    metadata: {
      name: route.id,
      namespace: route.namespace,
      labels,
      annotations: {
        [INGRESS_CLASS_ANNOTATION]: INGRESS_CLASS,
        "traefik.ingress.kubernetes.io/router.entrypoints": "websecure",
        "traefik.ingress.kubernetes.io/router.tls": "true",
      },
    },
    spec: {
      tls: [{ hosts: [route.host], secretName: tlsSecretName(route) }],
      rules: [{
        host: route.host,
        http: {
          paths: [{
            path: "/",
            pathType: "Prefix",
            backend: { service: { name: route.backend.name, port: { number: route.backend.port } } },
          }],
        },
      }],
    },
  };
}
