// Validates External Secrets objects against the v1 schema of @kubernetes-models/external-secrets.
// The package is ESM-only and Jest runs CommonJS, so tests call this script in a child Node process:
// stdin is a JSON array of objects, stdout a JSON array of { kind, name, error } (error null when valid).
import { ExternalSecret, SecretStore } from "@kubernetes-models/external-secrets/external-secrets.io/v1";

const models = { ExternalSecret, SecretStore };
let input = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) input += chunk;
const results = JSON.parse(input).map((object) => {
  const name = object?.metadata?.name;
  const Model = models[object?.kind];
  if (!Model) return { kind: object?.kind, name, error: `no v1 model for kind ${object?.kind}` };
  if (object.apiVersion !== Model.apiVersion) return { kind: object.kind, name, error: `apiVersion ${object.apiVersion} is not ${Model.apiVersion}` };
  try {
    new Model(object).validate();
    return { kind: object.kind, name, error: null };
  } catch (err) {
    return { kind: object.kind, name, error: String(err?.message ?? err) };
  }
});
process.stdout.write(JSON.stringify(results));
