// Objects the pinned charts render with the program's values that the pack would judge in a real
// `pulumi preview --policy-pack` (the offline plan never renders a chart). Found by reading each
// chart's templates at its pinned version with the values in the plan; recorded here so that the
// stacks' pack configs keep passing them. Only the ones that need a declaration are listed.
import * as path from "node:path";
import { evaluate, loadPackConfig } from "../../policies/lib/engine";
import { ALL_POLICIES } from "../../policies/registry";
import type { PlainResource } from "../../policies/lib/types";
import { planJson } from "../helpers/plan";
import { veleroNamespaces } from "../../components/backups/velero";
import { namespaceLabels } from "../../components/namespaces/manifests";

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

/**
 * velero 12.1.0 templates/node-agent-daemonset.yaml with the backups layer's values
 * (components/backups/velero.ts): the kubelet's pod and plugin directories from the host, as root,
 * with the server's service account and its token.
 */
const veleroNodeAgent: PlainResource = {
  type: "kubernetes:apps/v1:DaemonSet",
  name: "backups-velero:velero/node-agent",
  urn: "urn:pulumi:stack::homelab::kubernetes:helm.sh/v4:Chart$kubernetes:apps/v1:DaemonSet::backups-velero:velero/node-agent",
  custom: true,
  props: {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: "node-agent", namespace: "velero" },
    spec: {
      selector: { matchLabels: { name: "node-agent" } },
      template: {
        metadata: { labels: { name: "node-agent", "app.kubernetes.io/name": "velero" } },
        spec: {
          serviceAccountName: "velero-server",
          automountServiceAccountToken: true,
          securityContext: { runAsUser: 0 },
          tolerations: [{ operator: "Exists" }],
          volumes: [
            { name: "cloud-credentials", secret: { secretName: "velero-s3" } },
            { name: "host-pods", hostPath: { path: "/var/lib/kubelet/pods" } },
            { name: "host-plugins", hostPath: { path: "/var/lib/kubelet/plugins" } },
            { name: "scratch", emptyDir: {} },
          ],
          containers: [{
            name: "node-agent",
            image: "docker.io/velero/velero:v1.18.1",
            ports: [{ name: "http-monitoring", containerPort: 8085 }],
            command: ["/velero"],
            args: ["node-agent", "server"],
            resources: { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "1", memory: "1Gi" } },
            volumeMounts: [
              { name: "cloud-credentials", mountPath: "/credentials" },
              { name: "host-pods", mountPath: "/host_pods", mountPropagation: "HostToContainer" },
              { name: "host-plugins", mountPath: "/host_plugins", mountPropagation: "HostToContainer" },
              { name: "scratch", mountPath: "/scratch" },
            ],
          }],
        },
      },
    },
  },
};

/** The velero Namespace as the program declares it (components/backups/velero.ts, veleroNamespaces). */
const veleroNamespace: PlainResource = {
  type: "kubernetes:core/v1:Namespace",
  name: "velero",
  urn: "urn:pulumi:stack::homelab::homelab:namespaces:LabNamespace$kubernetes:core/v1:Namespace::velero",
  custom: true,
  props: { apiVersion: "v1", kind: "Namespace", metadata: { name: "velero", labels: namespaceLabels(veleroNamespaces({ nodes: [] })[0]) } },
};

describe.each(["dev", "staging"])("Velero's node agent in %s", (stack) => {
  it("passes only because the velero namespace is declared privileged and an API client, each with a reason", () => {
    const config = loadPackConfig(path.join(ROOT, "policies", "config", `${stack}.json`), ALL_POLICIES);
    const mandatory = (c: typeof config) => evaluate(ALL_POLICIES, [veleroNamespace, veleroNodeAgent], c, { source: "manifests" })
      // The quota and NetworkPolicies that isolate the namespace are in the plan, not in this pair.
      .filter((v) => v.enforcementLevel === "mandatory" && v.policy !== "namespace-isolation").map((v) => v.policy);
    expect(mandatory(config)).toEqual([]);
    const pss = config["pss-namespace-level"] as { privilegedNamespaces: { name: string }[] };
    const unprivileged = { ...config, "pss-namespace-level": { ...pss, privilegedNamespaces: pss.privilegedNamespaces.filter((n) => n.name !== "velero") } };
    expect(mandatory(unprivileged)).toContain("pss-namespace-level");
    const accounts = config["workload-service-account-token"] as { exemptions: { namespace: string }[] };
    const noApi = { ...config, "workload-service-account-token": { ...accounts, exemptions: accounts.exemptions.filter((e) => e.namespace !== "velero") } };
    expect(mandatory(noApi)).toEqual(["workload-service-account-token"]);
  });
});
