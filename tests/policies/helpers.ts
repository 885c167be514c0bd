// Builders for policy tests: plain resources shaped like the engine, the plan and manifests give them.
import { evaluate, PackConfig } from "../../policies/lib/engine";
import { EvaluationContext, HomelabPolicy, PlainResource, Violation } from "../../policies/lib/types";

type Obj = Record<string, unknown>;

let counter = 0;

export function resource(type: string, props: Obj, extra: Partial<PlainResource> = {}): PlainResource {
  const name = extra.name ?? ((props.metadata as Obj | undefined)?.name as string | undefined) ?? `r${++counter}`;
  return { type, name, urn: `urn:pulumi:test::homelab::${type}::${name}`, props, custom: true, provider: "urn:pulumi:test::homelab::pulumi:providers:kubernetes::k8s::id", ...extra };
}

/** A restricted-compliant container; override fields per test. */
export function goodContainer(extra: Obj = {}): Obj {
  return {
    name: "app",
    image: "ghcr.io/example/app:1.2.3",
    securityContext: {
      allowPrivilegeEscalation: false,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    },
    resources: { requests: { cpu: "10m", memory: "16Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
    readinessProbe: { httpGet: { path: "/", port: 8080 } },
    livenessProbe: { httpGet: { path: "/", port: 8080 } },
    ...extra,
  };
}

export function goodPodSpec(extra: Obj = {}): Obj {
  return { automountServiceAccountToken: false, containers: [goodContainer()], ...extra };
}

export function deployment(name: string, namespace: string | undefined, podSpec: Obj, templateMeta: Obj = {}): PlainResource {
  return resource("kubernetes:apps/v1:Deployment", {
    metadata: { name, ...(namespace ? { namespace } : {}) },
    spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name }, ...templateMeta }, spec: podSpec } },
  });
}

export function namespace(name: string, level?: string, version?: string): PlainResource {
  const labels: Obj = {};
  if (level !== undefined) labels["pod-security.kubernetes.io/enforce"] = level;
  if (version !== undefined) labels["pod-security.kubernetes.io/enforce-version"] = version;
  return resource("kubernetes:core/v1:Namespace", { metadata: { name, labels } });
}

/** Runs one policy the way the engine does (config defaults, level resolution). */
export function run(policy: HomelabPolicy, resources: PlainResource[], config: Obj = {}, context: EvaluationContext = { source: "stack" }): Violation[] {
  const pack: PackConfig = { [policy.name]: config };
  return evaluate([policy], resources, pack, context);
}

export function messages(policy: HomelabPolicy, resources: PlainResource[], config: Obj = {}, context?: EvaluationContext): string[] {
  return run(policy, resources, config, context).map((v) => v.message);
}
