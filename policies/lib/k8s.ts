// Kubernetes helpers shared by the families: kinds, names, namespaces, pod templates, containers,
// exemptions. Pure functions over plain objects.
import { Exemption, PlainResource, UNKNOWN } from "./types";

export type Obj = Record<string, unknown>;

export function isObject(value: unknown): value is Obj {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export function asObject(value: unknown): Obj {
  return isObject(value) ? value : {};
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** A known string value (not unknown, not a placeholder). */
export function knownString(value: unknown): string | undefined {
  return typeof value === "string" && value !== UNKNOWN ? value : undefined;
}

export function isKubernetes(r: PlainResource): boolean {
  return r.type.startsWith("kubernetes:");
}

/** `kubernetes:apps/v1:Deployment` → `Deployment`. */
export function kindOf(r: PlainResource): string | undefined {
  if (!isKubernetes(r)) return undefined;
  const parts = r.type.split(":");
  return parts[parts.length - 1];
}

/** The Pulumi type token for a manifest's apiVersion and kind (core group objects use `core`). */
export function manifestType(apiVersion: string, kind: string): string {
  const groupVersion = apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`;
  return `kubernetes:${groupVersion}:${kind}`;
}

export function metadataOf(r: PlainResource): Obj {
  return asObject(r.props.metadata);
}

/** The object's Kubernetes name: metadata.name, else the Pulumi resource name (auto-naming). */
export function objectName(r: PlainResource): string {
  return knownString(metadataOf(r).name) ?? r.name;
}

/** The namespace the object lives in, when it says; undefined means "not set" (or not known yet). */
export function namespaceOf(r: PlainResource): string | undefined {
  const ns = knownString(metadataOf(r).namespace);
  return ns === "" ? undefined : ns;
}

export const WORKLOAD_KINDS = [
  "Pod",
  "Deployment",
  "StatefulSet",
  "DaemonSet",
  "ReplicaSet",
  "ReplicationController",
  "Job",
  "CronJob",
  "PodTemplate",
] as const;

export interface PodTemplate {
  /** The pod's metadata (the template's metadata for workload objects). */
  metadata: Obj;
  spec: Obj;
}

/** The pod a workload object creates: Pod itself, `spec.template`, or the CronJob's job template. */
export function podTemplate(r: PlainResource): PodTemplate | undefined {
  const kind = kindOf(r);
  if (!kind || !(WORKLOAD_KINDS as readonly string[]).includes(kind)) return undefined;
  const props = r.props;
  let template: Obj;
  if (kind === "Pod") return { metadata: asObject(props.metadata), spec: asObject(props.spec) };
  if (kind === "PodTemplate") template = asObject(props.template);
  else if (kind === "CronJob") template = asObject(asObject(asObject(asObject(props.spec).jobTemplate).spec).template);
  else template = asObject(asObject(props.spec).template);
  return { metadata: asObject(template.metadata), spec: asObject(template.spec) };
}

export function isWorkload(r: PlainResource): boolean {
  return podTemplate(r) !== undefined;
}

export type ContainerList = "initContainers" | "containers" | "ephemeralContainers";

export interface ContainerRef {
  list: ContainerList;
  name: string;
  container: Obj;
}

/** Every container of a pod in admission's order: init containers, containers, ephemeral containers. */
export function allContainers(spec: Obj): ContainerRef[] {
  const out: ContainerRef[] = [];
  for (const list of ["initContainers", "containers", "ephemeralContainers"] as const) {
    asArray(spec[list]).forEach((c, i) => {
      const container = asObject(c);
      out.push({ list, name: knownString(container.name) ?? `${list}[${i}]`, container });
    });
  }
  return out;
}

/** How a message names a container: `container "app"`, `init container "setup"`, ... */
export function describeContainer(ref: ContainerRef): string {
  const prefix = ref.list === "initContainers" ? "init container" : ref.list === "ephemeralContainers" ? "ephemeral container" : "container";
  return `${prefix} "${ref.name}"`;
}

function nameMatches(pattern: string, value: string): boolean {
  return pattern.endsWith("*") ? value.startsWith(pattern.slice(0, -1)) : pattern === value;
}

/** True when one of the exemptions covers this resource: every field the exemption sets must match. */
export function isExempt(r: PlainResource, exemptions: Exemption[] | undefined): boolean {
  return (exemptions ?? []).some((e) => {
    if (e.kind !== undefined && e.kind !== kindOf(r) && e.kind !== r.type) return false;
    if (e.namespace !== undefined && e.namespace !== (namespaceOf(r) ?? "")) return false;
    if (e.name !== undefined && !nameMatches(e.name, objectName(r)) && !nameMatches(e.name, r.name)) return false;
    return e.kind !== undefined || e.namespace !== undefined || e.name !== undefined;
  });
}

/** The JSON schema of an exemption list, shared by every policy's configSchema. */
export const exemptionsSchema = {
  type: "array",
  description: "Resources this policy does not apply to; each entry says why.",
  default: [],
  items: {
    type: "object",
    properties: {
      namespace: { type: "string", description: "Kubernetes namespace" },
      name: { type: "string", description: "metadata.name or Pulumi resource name; a trailing * matches a prefix" },
      kind: { type: "string", description: "Kubernetes kind or Pulumi type token" },
      reason: { type: "string", minLength: 10, description: "Why the exemption is safe" },
    },
    required: ["reason"],
    additionalProperties: false,
  },
};

/** Reads a value at a dotted path with `[i]` indexes, e.g. `connection.privateKey`. */
export function valueAt(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== "")) {
    if (Array.isArray(cur)) cur = cur[Number(part)];
    else if (isObject(cur)) cur = cur[part];
    else return undefined;
  }
  return cur;
}
