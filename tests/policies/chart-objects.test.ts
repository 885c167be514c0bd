// Objects the pinned charts render with the program's values that the pack would judge in a real
// `pulumi preview --policy-pack` (the offline plan never renders a chart). Found by reading each
// chart's templates at its pinned version with the values in the plan; recorded here so that the
// stacks' pack configs keep passing them. Only the ones that need a declaration are listed.
import * as path from "node:path";
import { evaluate, loadPackConfig } from "../../policies/lib/engine";
import { ALL_POLICIES } from "../../policies/registry";
import type { PlainResource } from "../../policies/lib/types";
import { TRAEFIK_LABELS, traefikValues } from "../../components/ingress";
import { charts } from "../../components/versions";
import { planJson } from "../helpers/plan";
import { veleroNamespaces } from "../../components/backups/velero";
import { namespaceLabels } from "../../components/namespaces/manifests";

const ROOT = path.resolve(__dirname, "../..");
const plans = new Map<string, ReturnType<typeof planJson>>();
const plannedOnce = (stack: string) => plans.get(stack) ?? plans.set(stack, planJson(stack)).get(stack)!;

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

/**
 * traefik 41.3.0, templates/deployment.yaml and _podtemplate.tpl with the ingress layer's values
 * (components/ingress/values.ts): the pod's API token (the chart sets automountServiceAccountToken:
 * true), the chart's security contexts as the program restates them, two emptyDir volumes, the
 * image from the chart's appVersion. No other object it renders needs a declaration: no Service
 * (service.enabled false), Roles rather than a ClusterRole, no Secret.
 */
function traefikDeployment(): PlainResource {
  const values = traefikValues({ routedNamespaces: ["open-webui", "monitoring"] }) as any;
  const probe = { httpGet: { path: "/ping", port: 8080, scheme: "HTTP" }, failureThreshold: 1, initialDelaySeconds: 2, periodSeconds: 10, successThreshold: 1, timeoutSeconds: 2 };
  return {
    type: "kubernetes:apps/v1:Deployment",
    name: "ingress-traefik:ingress/traefik",
    urn: "urn:pulumi:stack::homelab::kubernetes:helm.sh/v4:Chart$kubernetes:apps/v1:Deployment::ingress-traefik:ingress/traefik",
    custom: true,
    props: {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "traefik", namespace: "ingress" },
      spec: {
        replicas: values.deployment.replicas,
        template: {
          metadata: { labels: { ...TRAEFIK_LABELS } },
          spec: {
            serviceAccountName: "traefik",
            automountServiceAccountToken: true,
            hostNetwork: false,
            securityContext: values.podSecurityContext,
            containers: [{
              name: "traefik",
              image: `docker.io/traefik:${TRAEFIK_APP_VERSION}`,
              resources: values.resources,
              readinessProbe: probe,
              livenessProbe: { ...probe, failureThreshold: 3 },
              ports: [
                { name: "metrics", containerPort: 9100, protocol: "TCP" },
                { name: "traefik", containerPort: 8080, protocol: "TCP" },
                { name: "web", containerPort: 8000, protocol: "TCP" },
                { name: "websecure", containerPort: 8443, protocol: "TCP" },
              ],
              securityContext: values.securityContext,
              volumeMounts: [{ name: "data", mountPath: "/data" }, { name: "tmp", mountPath: "/tmp" }],
            }],
            volumes: [{ name: "data", emptyDir: {} }, { name: "tmp", emptyDir: {} }],
          },
        },
      },
    },
  };
}
/** The chart's appVersion (traefik/Chart.yaml at 41.3.0), the image tag it renders. */
const TRAEFIK_APP_VERSION = "v3.7.11";

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
    const kps = plannedOnce(stack).resources.find((r) => r.type === "kubernetes:helm.sh/v4:Chart" && r.inputs.chart === "kube-prometheus-stack")!;
    const alertmanager = JSON.stringify((kps.inputs.values as { alertmanager: { config: unknown } }).alertmanager.config);
    expect(alertmanager).not.toMatch(/"url":|api_key|password|token/i);
  });

  it("Traefik's Deployment passes the restricted profile, with its API token declared", () => {
    const config = loadPackConfig(path.join(ROOT, "policies", "config", `${stack}.json`), ALL_POLICIES);
    const deployment = traefikDeployment();
    expect(evaluate(ALL_POLICIES, [deployment], config, { source: "manifests" }).filter((v) => v.enforcementLevel === "mandatory")).toEqual([]);
    // The token is the one thing it needs declared (it watches Ingresses through the API).
    const tokens = config["workload-service-account-token"] as { exemptions: { namespace: string }[] };
    const bare = { ...config, "workload-service-account-token": { ...tokens, exemptions: tokens.exemptions.filter((e) => e.namespace !== "ingress") } };
    expect(evaluate(ALL_POLICIES, [deployment], bare, { source: "manifests" }).map((v) => v.policy)).toEqual(["workload-service-account-token"]);
    expect(charts.traefik.version).toBe("41.3.0"); // re-read the templates above when the pin moves
  });
});

/**
 * Which RBAC objects the monitoring charts render for the values in a plan, decided by the same
 * conditions as the templates at the pinned versions:
 * - grafana 12.11.1 templates/clusterrole.yaml: `rbac.create && (!rbac.namespaced || rbac.extraClusterRoleRules) && !rbac.useExistingClusterRole`,
 *   rules ["configmaps", "secrets"]; templates/role.yaml: `rbac.create && !rbac.useExistingRole && rbac.namespaced`, the same
 *   rules; templates/rolebinding.yaml: one RoleBinding per entry of `rbac.namespaces` plus Grafana's namespace, to
 *   `rbac.useExistingRole` or the chart's Role.
 * - kube-state-metrics 8.4.0 templates/role.yaml: one rule per active collector (`collectors` minus `collectorsExclude`),
 *   "secrets" giving list/watch on every Secret.
 * - alloy 1.11.1 templates/rbac.yaml: a ClusterRole with `rbac.rules` + `rbac.clusterRules` when `rbac.create`.
 */
const KSM_DEFAULT_COLLECTORS = [
  "certificatesigningrequests", "configmaps", "cronjobs", "daemonsets", "deployments", "endpointslices", "horizontalpodautoscalers",
  "ingresses", "jobs", "leases", "limitranges", "mutatingwebhookconfigurations", "namespaces", "networkpolicies", "nodes",
  "persistentvolumeclaims", "persistentvolumes", "poddisruptionbudgets", "pods", "replicasets", "replicationcontrollers",
  "resourcequotas", "secrets", "services", "statefulsets", "storageclasses", "validatingwebhookconfigurations", "volumeattachments",
];

describe.each(["dev", "staging"])("RBAC the monitoring charts render in %s", (stack) => {
  const plan = plannedOnce(stack);
  const chart = (name: string) => plan.resources.find((r) => r.type === "kubernetes:helm.sh/v4:Chart" && r.inputs.chart === name)!;
  const kps = chart("kube-prometheus-stack").inputs.values as any;
  const alloy = chart("alloy").inputs.values as any;

  it("Grafana: no ClusterRole, no Role of its own, one RoleBinding in monitoring to a Role that reads ConfigMaps only", () => {
    const rbac = kps.grafana.rbac;
    const renders = {
      clusterRole: rbac.create && (!rbac.namespaced || (rbac.extraClusterRoleRules ?? []).length > 0) && !rbac.useExistingClusterRole,
      role: rbac.create && !rbac.useExistingRole && rbac.namespaced,
      roleBindingNamespaces: rbac.create && rbac.namespaced ? [...(rbac.namespaces ?? []), "monitoring"] : [],
    };
    expect(renders).toEqual({ clusterRole: false, role: false, roleBindingNamespaces: ["monitoring"] });
    const role = plan.resources.find((r) => r.type === "kubernetes:rbac.authorization.k8s.io/v1:Role" && (r.inputs.metadata as { name: string }).name === rbac.useExistingRole)!;
    expect(role.inputs).toMatchObject({ metadata: { namespace: "monitoring" }, rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] }] });
    // The sidecars must not look where the binding does not reach.
    expect([kps.grafana.sidecar.dashboards.searchNamespace, kps.grafana.sidecar.datasources.searchNamespace]).toEqual(["monitoring", "monitoring"]);
  });

  it("kube-state-metrics: no Secret rule; Alloy: no chart ClusterRole, the program's pods-only one instead", () => {
    const ksm = kps["kube-state-metrics"];
    const active = (ksm.collectors ?? KSM_DEFAULT_COLLECTORS).filter((c: string) => !(ksm.collectorsExclude ?? []).includes(c));
    expect(active).not.toContain("secrets");
    expect(active).toContain("pods"); // still what the alerts and dashboards read
    expect(alloy.rbac.create).toBe(false);
    const rules = plan.resources.filter((r) => r.type === "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole").flatMap((r) => r.inputs.rules as { resources: string[] }[]);
    expect(rules.flatMap((r) => r.resources)).not.toContain("secrets");
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
