// Validates Kubernetes objects against the typed models of @kubernetes-models (External Secrets v1,
// prometheus-operator monitoring.coreos.com/v1, cert-manager cert-manager.io/v1) and of
// kubernetes-models (Kubernetes' own networking.k8s.io/v1 Ingress). The packages are ESM-only and Jest runs CommonJS,
// so tests run this in a child Node process (see schemas.ts). stdin: JSON array of objects;
// stdout: JSON array of { kind, name, error } with error null when the object is valid.
import { ExternalSecret, SecretStore } from "@kubernetes-models/external-secrets/external-secrets.io/v1";
import { PodMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor";
import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import { Certificate } from "@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate";
import { ClusterIssuer } from "@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer";
import { Issuer } from "@kubernetes-models/cert-manager/cert-manager.io/v1/Issuer";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1/Ingress";

const MODELS = new Map(
  [ExternalSecret, SecretStore, PodMonitor, PrometheusRule, ServiceMonitor, Certificate, ClusterIssuer, Issuer, Ingress]
    .map((Model) => [`${Model.apiVersion} ${Model.kind}`, Model]),
);

let input = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) input += chunk;
const results = JSON.parse(input).map((object) => {
  const kind = object?.kind;
  const name = object?.metadata?.name;
  const Model = MODELS.get(`${object?.apiVersion} ${kind}`);
  if (!Model) return { kind, name, error: `no schema for ${object?.apiVersion} ${kind}` };
  try {
    new Model(object).validate();
    return { kind, name, error: null };
  } catch (err) {
    return { kind, name, error: String(err?.message ?? err) };
  }
});
process.stdout.write(JSON.stringify(results));
