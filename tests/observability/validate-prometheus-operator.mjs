// Validates monitoring.coreos.com/v1 objects (PrometheusRule, ServiceMonitor, PodMonitor) against the
// schemas of @kubernetes-models/prometheus-operator. The package is ESM-only and Jest runs CommonJS,
// so tests run this in a child Node process. stdin: JSON array of objects; stdout: JSON array of
// { kind, name, error } with error null when the object is valid.
import { PodMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor";
import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";

const MODELS = { PodMonitor, PrometheusRule, ServiceMonitor };

let input = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) input += chunk;
const results = JSON.parse(input).map((object) => {
  const kind = object?.kind;
  const name = object?.metadata?.name;
  const Model = MODELS[kind];
  if (!Model || object?.apiVersion !== Model.apiVersion) {
    return { kind, name, error: `not a monitoring.coreos.com/v1 PrometheusRule, ServiceMonitor or PodMonitor: ${object?.apiVersion} ${kind}` };
  }
  try {
    new Model(object).validate();
    return { kind, name, error: null };
  } catch (err) {
    return { kind, name, error: String(err?.message ?? err) };
  }
});
process.stdout.write(JSON.stringify(results));
