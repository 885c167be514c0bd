// Validates PodMonitor objects against the monitoring.coreos.com/v1 schema of
// @kubernetes-models/prometheus-operator. ESM-only package, Jest runs CommonJS: tests call this in a
// child Node process. stdin: JSON array of objects; stdout: JSON array of { name, error } (null when valid).
import { PodMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor";

let input = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) input += chunk;
const results = JSON.parse(input).map((object) => {
  const name = object?.metadata?.name;
  if (object?.kind !== PodMonitor.kind || object?.apiVersion !== PodMonitor.apiVersion) {
    return { name, error: `expected ${PodMonitor.apiVersion} ${PodMonitor.kind}, got ${object?.apiVersion} ${object?.kind}` };
  }
  try {
    new PodMonitor(object).validate();
    return { name, error: null };
  } catch (err) {
    return { name, error: String(err?.message ?? err) };
  }
});
process.stdout.write(JSON.stringify(results));
