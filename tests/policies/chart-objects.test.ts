// Objects the pinned charts render with the program's values that the pack would judge in a real
// `pulumi preview --policy-pack` (the offline plan never renders a chart). Found by reading each
// chart's templates at its pinned version with the values in the plan; recorded here so that the
// stacks' pack configs keep passing them. Only the ones that need a declaration are listed.
import * as path from "node:path";
import { evaluate, loadPackConfig } from "../../policies/lib/engine";
import { ALL_POLICIES } from "../../policies/registry";
import type { PlainResource } from "../../policies/lib/types";
import { planJson } from "../helpers/plan";

const ROOT = path.resolve(__dirname, "../..");

/** kube-prometheus-stack 88.5.3, templates/alertmanager/secret.yaml: the routing the program passes as alertmanager.config. */
const alertmanagerConfigSecret: PlainResource = {
  type: "kubernetes:core/v1:Secret",
  name: "observability-kps:monitoring/alertmanager-kps-alertmanager",
  urn: "urn:pulumi:stack::homelab::kubernetes:helm.sh/v4:Chart$kubernetes:core/v1:Secret::observability-kps:monitoring/alertmanager-kps-alertmanager",
  custom: true,
  props: {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "alertmanager-kps-alertmanager", namespace: "monitoring" },
    data: { "alertmanager.yaml": Buffer.from("route: {receiver: undelivered}").toString("base64") },
  },
};

describe.each(["dev", "staging"])("chart-rendered objects in %s", (stack) => {
  it("pass the pack with the stack's config, and the Alertmanager Secret holds no credential", () => {
    const config = loadPackConfig(path.join(ROOT, "policies", "config", `${stack}.json`), ALL_POLICIES);
    const mandatory = evaluate(ALL_POLICIES, [alertmanagerConfigSecret], config, { source: "manifests" }).filter((v) => v.enforcementLevel === "mandatory");
    expect(mandatory).toEqual([]);
    // Without the declaration it would block the preview.
    const bare = { ...config, "secret-literal-data": { ...(config["secret-literal-data"] as object), configSecrets: [] } };
    expect(evaluate(ALL_POLICIES, [alertmanagerConfigSecret], bare, { source: "manifests" }).map((v) => v.policy)).toContain("secret-literal-data");
    // The declaration is honest only while the routing the chart renders names no credential: the
    // webhook URL is read from a mounted file.
    const kps = planJson(stack).resources.find((r) => r.type === "kubernetes:helm.sh/v4:Chart" && r.inputs.chart === "kube-prometheus-stack")!;
    const alertmanager = JSON.stringify((kps.inputs.values as { alertmanager: { config: unknown } }).alertmanager.config);
    expect(alertmanager).not.toMatch(/"url":|api_key|password|token/i);
  });
});
