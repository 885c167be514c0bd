// Runs the program under Pulumi's mock runtime and records every registration the engine would see:
// type, name, parent, provider, dependencies and inputs (secrets kept apart). The plan, the tests
// and the benchmarks all use it, so they all see the very registrations `pulumi up` makes.
//
// It also answers those registrations the way the engine would, against an optional prior state
// (tools/lib/engine): in "apply" mode as after `pulumi up` (every output known: stand-in values for
// what providers compute), in "preview" mode as during `pulumi preview` (outputs of whatever is
// created, replaced or updated are unknown, so the unknowns flow on into whatever reads them).
import * as pulumi from "@pulumi/pulumi";
import * as resproto from "@pulumi/pulumi/proto/resource_pb";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import * as settings from "@pulumi/pulumi/runtime/settings";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import { Decision, decide, DecisionInput } from "./engine/decisions";
import { computedOutputs } from "./engine/outputs";
import { DeploymentState, StateResource } from "./engine/state";
import { childPath } from "./paths";
import { SECRET_PLACEHOLDER, UNKNOWN_PLACEHOLDER } from "./placeholders";

export { SECRET_PLACEHOLDER, UNKNOWN_PLACEHOLDER };

export interface RecordedResource {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  /** A component implemented by a provider (Chart v4): its objects are that provider's children. */
  remote: boolean;
  parent?: string;
  /** The provider reference (`urn::id`) for custom resources, or the providers map for components. */
  provider?: string;
  /** The URN of the provider that manages this resource (custom and remote), if any. */
  providerUrn?: string;
  /** Every resource this one waits for: explicit dependsOn and those that flow in through inputs. */
  dependencies: string[];
  /** Inputs as the engine receives them, with every secret replaced by "[secret]". */
  inputs: Record<string, unknown>;
  /** Inputs with secrets revealed; for tests that check what a secret holds. Never printed. */
  revealedInputs: Record<string, unknown>;
  /** Dotted paths of inputs that are secret. */
  secretPaths: string[];
  protect: boolean;
  retainOnDelete: boolean;
  additionalSecretOutputs: string[];
  deleteBeforeReplace: boolean;
  ignoreChanges: string[];
  replaceOnChanges: string[];
  /** URNs the resource may have had before (its aliases). */
  aliases: string[];
  /** What the engine decided against the prior state (create when there is none). */
  decision: Decision;
  /** The ID and outputs it was answered with (outputs in the engine's wire form). */
  id: string;
  outputs: Record<string, unknown>;
}

/** Something the engine would refuse or could not do in this run (it fails the preview). */
export interface EngineError {
  urn: string;
  message: string;
}

export interface EngineOptions {
  /** Answer as `pulumi preview` (unknown outputs) rather than as `pulumi up` (stand-in outputs). */
  preview?: boolean;
  /** The state the last `pulumi up` left; none for a new stack. */
  prior?: DeploymentState;
  /** What a StackReference to this stack reads; the prior state's outputs by default. */
  stackOutputs?: Record<string, unknown>;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Walks a serialized property value; `reveal` decides whether secrets keep their value. */
export function decode(value: Json, path: string, reveal: boolean, secretPaths: string[] | undefined): unknown {
  if (value === rpc.unknownValue) return UNKNOWN_PLACEHOLDER;
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item, i) => decode(item, childPath(path, i), reveal, secretPaths));
  const sig = value[rpc.specialSigKey];
  if (sig === rpc.specialSecretSig) {
    secretPaths?.push(path);
    return reveal ? decode(value.value, path, reveal, undefined) : SECRET_PLACEHOLDER;
  }
  if (sig === rpc.specialOutputValueSig) {
    if (value.secret === true) {
      secretPaths?.push(path);
      if (!reveal) return SECRET_PLACEHOLDER;
    }
    return "value" in value ? decode(value.value, path, reveal, undefined) : UNKNOWN_PLACEHOLDER;
  }
  if (sig === rpc.specialResourceSig) return { urn: value.urn };
  if (sig === rpc.specialAssetSig || sig === rpc.specialArchiveSig) {
    const { [rpc.specialSigKey]: _, ...rest } = value;
    return { asset: rest };
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    out[key] = decode(value[key], childPath(path, key), reveal, secretPaths);
  }
  return out;
}

/** The URN the mock monitor gives a registration (pulumi/runtime/mocks.js newUrn). */
export function mockUrn(stack: string, project: string, parent: string, type: string, name: string): string {
  if (parent) type = `${parent.split("::")[2].split("$").pop()}$${type}`;
  return `urn:pulumi:${[stack, project, type, name].join("::")}`;
}

/** The URN part of a provider reference `urn::id`. */
export function providerUrnOf(reference: string): string {
  return reference.split("::").slice(0, -1).join("::");
}

/** Outputs that an in-place update recomputes (so they are unknown during its preview). */
const RECOMPUTED_ON_UPDATE: Record<string, string[]> = {
  // pulumi-command: an update runs the command again; its output is unknown until it has.
  "command:remote:Command": ["stdout", "stderr"],
  "command:local:Command": ["stdout", "stderr"],
};

export class Recorder {
  readonly resources = new Map<string, RecordedResource>();
  readonly errors: EngineError[] = [];
  private options: EngineOptions = {};
  private project = "";
  private stack = "";
  /** Prior URNs matched by some registration (exactly or through an alias). */
  private readonly matched = new Set<string>();
  /** The decision taken for each resource recorded so far, by URN. */
  private readonly decisions = new Map<string, Decision>();
  private priorByUrn = new Map<string, StateResource>();

  /** Installs the mock runtime with this recorder answering the monitor. */
  async install(project: string, stack: string, options: EngineOptions = {}): Promise<void> {
    this.options = options;
    this.priorByUrn = new Map((options.prior?.resources ?? []).map((r) => [r.urn, r]));
    this.project = project;
    this.stack = stack;
    // What a provider returns when it creates a resource: its inputs plus stand-ins for what it
    // computes. Tests may wrap `newResource` to choose those values themselves.
    const mocks: pulumi.runtime.Mocks = {
      newResource: (args) => ({ id: `${args.name}-id`, state: { ...args.inputs, ...computedOutputs(args.type, args.name, args.inputs) } }),
      call: (args) => (args.token === "pulumi:pulumi:getStack" ? { stack } : args.inputs),
    };
    // The organization name the local (file) backend reports; StackReferences are named with it.
    await pulumi.runtime.setMocks(mocks, project, stack, options.preview ?? false, "organization");
    const monitor = settings.getMonitor() as unknown as MockMonitorSlice;
    monitor.registerResource = (req, cb) => {
      this.register(req, monitor).then((res) => cb(null, res), (err) => cb(err, undefined));
    };
    monitor.readResource = (req, cb) => {
      this.read(req, monitor).then((res) => cb(null, res), (err) => cb(err, undefined));
    };
  }

  private prior(urn: string): StateResource | undefined {
    return this.priorByUrn.get(urn);
  }

  private async register(req: RegisterRequest, monitor: MockMonitorSlice): Promise<unknown> {
    const urn = mockUrn(this.stack, this.project, req.getParent(), req.getType(), req.getName());
    const object = req.getObject().toJavaScript() as Record<string, Json>;
    const secretPaths: string[] = [];
    const inputs = decode(object, "", false, secretPaths) as Record<string, unknown>;
    const revealedInputs = decode(object, "", true, undefined) as Record<string, unknown>;
    const dependencies = new Set<string>(req.getDependenciesList());
    req.getPropertydependenciesMap().forEach((deps) => deps.getUrnsList().forEach((d) => dependencies.add(d)));
    const providers = req.getProvidersMap();
    const provider = req.getProvider() || (providers.getLength() > 0 ? JSON.stringify(Object.fromEntries(providers.entries())) : undefined);
    const custom = req.getCustom();
    const remote = req.getRemote();
    const providerRef = custom ? req.getProvider() : remote ? [...providers.entries()].map(([, ref]) => ref)[0] : undefined;
    const type = req.getType();
    const name = req.getName();
    const aliases = this.aliasesOf(req, urn);

    const goal: DecisionInput = {
      urn, type, name, custom, inputs: revealedInputs,
      providerUrn: providerRef ? providerUrnOf(providerRef) : undefined,
      replaceOnChanges: req.getReplaceonchangesList(),
      ignoreChanges: req.getIgnorechangesList(),
    };
    const prior = [urn, ...aliases].map((u) => this.prior(u)).find((r) => r !== undefined && !this.matched.has(r.urn));
    if (prior) this.matched.add(prior.urn);
    const decision = decide(prior && { ...prior, inputs: prior.inputs, replaceOnChanges: [], ignoreChanges: [] }, goal, {
      decisions: this.decisions,
      priorInputs: (u) => this.prior(u)?.inputs,
      goalInputs: (u) => this.resources.get(u)?.revealedInputs,
    });
    const protect = req.getProtect() ?? false;
    if (decision.op === "replace" && prior?.protect && protect) {
      this.errors.push({ urn, message: `unable to replace resource ${urn} as it is currently marked for protection (${decision.reasons.join("; ")})` });
    }
    if (type === "kubernetes:helm.sh/v4:Chart" && this.options.preview) this.checkChartPreview(urn, goal.providerUrn);

    const echo = rpc.deserializeProperties(req.getObject() as Parameters<typeof rpc.deserializeProperties>[0]) as Record<string, unknown>;
    const { id, outputs } = await this.answer(monitor, decision, prior, { urn, type, name, custom, echo, revealedInputs });
    const record: RecordedResource = {
      urn, type, name, custom, remote,
      parent: req.getParent() || undefined,
      provider,
      providerUrn: goal.providerUrn,
      dependencies: [...dependencies].sort(),
      inputs,
      revealedInputs,
      secretPaths: secretPaths.sort(),
      protect,
      retainOnDelete: req.getRetainondelete() ?? false,
      additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
      deleteBeforeReplace: req.getDeletebeforereplace(),
      ignoreChanges: req.getIgnorechangesList(),
      replaceOnChanges: req.getReplaceonchangesList(),
      aliases,
      decision,
      id,
      outputs,
    };
    this.resources.set(urn, record);
    this.decisions.set(urn, decision);
    monitor.resources.set(urn, { urn, id: id || null, state: outputs });
    return registerResponse(urn, id, outputs);
  }

  /**
   * The URNs a registration may have had: its own aliases, and those it inherits from a parent
   * that was matched through an alias (pulumi/pulumi step_generator.go generateAliases: a child
   * named `<parent name>-x` becomes `<old parent name>-x`).
   */
  private aliasesOf(req: RegisterRequest, urn: string): string[] {
    const out: string[] = [];
    for (const alias of req.getAliasesList()) {
      if (alias.getUrn()) {
        out.push(alias.getUrn());
        continue;
      }
      const spec = alias.getSpec();
      if (!spec) continue;
      const parent = spec.getNoparent() ? "" : spec.getParenturn() || req.getParent();
      out.push(mockUrn(spec.getStack() || this.stack, spec.getProject() || this.project, parent, spec.getType() || req.getType(), spec.getName() || req.getName()));
    }
    const parent = req.getParent() ? this.resources.get(req.getParent()) : undefined;
    const parentWas = parent?.decision.aliasOf;
    if (parent && parentWas) {
      const oldParentName = parentWas.split("::").pop()!;
      const name = req.getName().startsWith(parent.name) ? oldParentName + req.getName().slice(parent.name.length) : req.getName();
      out.push(mockUrn(this.stack, this.project, parentWas, req.getType(), name));
    }
    return out.filter((u) => u !== urn);
  }

  /**
   * pulumi-kubernetes renders a Chart v4 in the provider (provider_construct.go): with the
   * provider's configuration unknown during preview the engine cannot call it at all (the chart
   * previews empty, its existing objects as deletes; older engines fail), and against a cluster that
   * is not running yet it fails with "configured Kubernetes cluster is unreachable".
   */
  private checkChartPreview(urn: string, providerUrn: string | undefined): void {
    const provider = providerUrn ? this.resources.get(providerUrn) : undefined;
    if (!provider) return;
    const kubeconfig = provider.revealedInputs.kubeconfig;
    if (kubeconfig === UNKNOWN_PLACEHOLDER || provider.revealedInputs.clusterIdentifier === UNKNOWN_PLACEHOLDER) {
      this.errors.push({ urn, message: `Chart ${urn.split("::").pop()} cannot be previewed: its Kubernetes provider's configuration is unknown in this preview (the engine would show the chart empty, or fail)` });
    } else if (provider.decision.op === "create") {
      this.errors.push({ urn, message: `Chart ${urn.split("::").pop()} cannot be previewed: its Kubernetes provider is new in this update, so the cluster it points at is not running yet ("configured Kubernetes cluster is unreachable")` });
    }
  }

  /** The ID and wire-form outputs the engine answers a registration with, for its decision. */
  private async answer(
    monitor: MockMonitorSlice,
    decision: Decision,
    prior: StateResource | undefined,
    goal: { urn: string; type: string; name: string; custom: boolean; echo: Record<string, unknown>; revealedInputs: Record<string, unknown> },
  ): Promise<{ id: string; outputs: Record<string, unknown> }> {
    const serialize = async (value: Record<string, unknown>) => (await rpc.serializeProperties("", value)) as Record<string, unknown>;
    // The inputs echoed back as outputs (components, updates, previews); a create answers with the provider's state.
    const echo = () => serialize(goal.echo);
    if (!goal.custom) return { id: "", outputs: await echo() };
    const preview = this.options.preview ?? false;
    if (decision.op === "same" && prior) return { id: prior.id, outputs: prior.outputs };
    if (decision.op === "update" && prior) {
      const recomputed = RECOMPUTED_ON_UPDATE[goal.type] ?? [];
      const kept = Object.fromEntries(Object.entries(prior.outputs).filter(([key]) => !recomputed.includes(key)));
      const rerun = preview ? {} : await serialize(pick(computedOutputs(goal.type, goal.name, goal.revealedInputs), recomputed));
      return { id: prior.id, outputs: { ...kept, ...(await echo()), ...rerun } };
    }
    // create or replace: what the provider computes is unknown until it has run.
    if (preview) return { id: "", outputs: await echo() };
    const created = await monitor.mocks.newResource({ type: goal.type, name: goal.name, inputs: goal.echo, custom: true });
    const id = decision.op === "replace" && prior ? `${prior.id}-replaced` : created.id ?? "";
    return { id, outputs: await serialize(created.state) };
  }

  /** Reads (StackReference to this stack): the outputs the last `pulumi up` recorded. */
  private async read(req: ReadRequest, monitor: MockMonitorSlice): Promise<unknown> {
    const urn = mockUrn(this.stack, this.project, req.getParent(), req.getType(), req.getName());
    if (req.getType() !== "pulumi:pulumi:StackReference") throw new Error(`the offline plan cannot read ${req.getType()} resources`);
    const outputs = this.options.stackOutputs ?? this.options.prior?.outputs ?? {};
    const state = (await rpc.serializeProperties("", { name: req.getId(), outputs, secretOutputNames: [] })) as Record<string, unknown>;
    monitor.resources.set(urn, { urn, id: req.getId(), state });
    const response = new resproto.ReadResourceResponse();
    response.setUrn(urn);
    response.setProperties(structproto.Struct.fromJavaScript(state as Record<string, structproto.JavaScriptValue>));
    return response;
  }

  /** Prior resources that no registration matched: the engine deletes them. */
  deletions(): Decision[] {
    const out: Decision[] = [];
    for (const r of this.options.prior?.resources ?? []) {
      if (this.matched.has(r.urn) || r.type === "pulumi:pulumi:StackReference") continue;
      out.push({ urn: r.urn, type: r.type, name: r.name, op: "delete", changed: [], reasons: r.retainOnDelete ? ["retainOnDelete: Pulumi forgets it, the object stays"] : [] });
    }
    return out;
  }

  /** Engine errors, deletions of protected resources included. */
  engineErrors(): EngineError[] {
    const protectedDeletes = this.deletions()
      .filter((d) => this.prior(d.urn)?.protect)
      .map((d) => ({ urn: d.urn, message: `resource ${d.urn} cannot be deleted because it is protected` }));
    return [...this.errors, ...protectedDeletes];
  }

  /**
   * The state this run leaves (meaningful after an apply-mode run). `outputs` are the stack's
   * outputs revealed, `redactedOutputs` the same with "[secret]" where they are secret.
   */
  state(outputs: Record<string, unknown>, redactedOutputs: Record<string, unknown>): DeploymentState {
    return {
      stack: this.stack,
      resources: this.list().map((r) => ({
        urn: r.urn,
        type: r.type,
        name: r.name,
        custom: r.custom,
        parent: r.parent,
        providerUrn: r.providerUrn,
        id: r.id,
        inputs: r.revealedInputs,
        outputs: r.outputs,
        secretPaths: r.secretPaths,
        protect: r.protect,
        retainOnDelete: r.retainOnDelete,
      })),
      outputs,
      outputSecretPaths: placeholderPaths(redactedOutputs, SECRET_PLACEHOLDER),
    };
  }

  /** All recorded resources, in URN order so output is deterministic. */
  list(): RecordedResource[] {
    return [...this.resources.values()].sort((a, b) => a.urn.localeCompare(b.urn));
  }

  ofType(type: string): RecordedResource[] {
    return this.list().filter((r) => r.type === type);
  }

  byName(type: string, name: string): RecordedResource {
    const found = this.list().find((r) => r.type === type && r.name === name);
    if (!found) throw new Error(`no ${type} named ${name}; have: ${this.ofType(type).map((r) => r.name).join(", ")}`);
    return found;
  }
}

/** Paths at which a redacted value holds `placeholder`. */
export function placeholderPaths(value: unknown, placeholder: string, path = "", out: string[] = []): string[] {
  if (value === placeholder) out.push(path);
  else if (Array.isArray(value)) value.forEach((v, i) => placeholderPaths(v, placeholder, childPath(path, i), out));
  else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) placeholderPaths(v, placeholder, childPath(path, k), out);
  }
  return out;
}

/**
 * The engine's answer to a registration, as the SDK reads it (runtime/resource.js registerResource:
 * these getters, and `toJavaScript()` on the outputs). A protobuf Struct would only be built to be
 * read back (and formatted whole into a debug line the SDK never prints); what it gives back, the
 * outputs with every object's keys sorted, is built directly: the order in which the program's
 * applies see an output's keys and its properties resolve stays the engine's.
 */
export function registerResponse(urn: string, id: string, outputs: Record<string, unknown>) {
  return {
    getUrn: () => urn,
    getId: () => id,
    getObject: () => ({ toJavaScript: () => withSortedKeys(outputs) }),
    getPropertydependenciesMap: () => undefined,
    getResult: () => resproto.Result.SUCCESS,
    getUnknown: () => false,
  };
}

/** A JSON value with every object's keys in sorted order, as protobuf's Struct.toJavaScript() returns it. */
function withSortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withSortedKeys);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = withSortedKeys((value as Record<string, unknown>)[key]);
  return out;
}

function pick(values: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([key]) => keys.includes(key)));
}

// The slices of the mock monitor and of its requests the recorder uses.
interface MockMonitorSlice {
  mocks: pulumi.runtime.Mocks;
  resources: Map<string, { urn: string; id: string | null; state: unknown }>;
  registerResource: (req: RegisterRequest, cb: (err: unknown, res: unknown) => void) => unknown;
  readResource: (req: ReadRequest, cb: (err: unknown, res: unknown) => void) => unknown;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
  getRemote(): boolean;
  getProvider(): string;
  getProvidersMap(): { getLength(): number; entries(): Iterable<[string, string]> };
  getObject(): { toJavaScript(): unknown };
  getDependenciesList(): string[];
  getPropertydependenciesMap(): { forEach(cb: (deps: { getUrnsList(): string[] }) => void): void };
  getProtect(): boolean | undefined;
  getRetainondelete(): boolean | undefined;
  getAdditionalsecretoutputsList(): string[];
  getDeletebeforereplace(): boolean;
  getIgnorechangesList(): string[];
  getReplaceonchangesList(): string[];
  getAliasesList(): Array<{
    getUrn(): string;
    getSpec(): { getName(): string; getType(): string; getStack(): string; getProject(): string; getParenturn(): string; getNoparent(): boolean } | undefined;
  }>;
}

interface ReadRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getId(): string;
}

/**
 * Resolves a stack output to plain JSON, secrets replaced by "[secret]". `reveal` keeps secret values
 * (for the state a plan hands to the next run; never printed).
 */
export async function resolveOutput(value: unknown, reveal = false): Promise<unknown> {
  if (pulumi.Output.isInstance(value)) {
    const output = value as pulumi.Output<unknown> & { isSecret: Promise<boolean>; isKnown: Promise<boolean>; promise(): Promise<unknown> };
    if (!reveal && (await output.isSecret)) return SECRET_PLACEHOLDER;
    if (!(await output.isKnown)) return UNKNOWN_PLACEHOLDER;
    return resolveOutput(await output.promise(), reveal);
  }
  if (value instanceof Promise) return resolveOutput(await value, reveal);
  if (Array.isArray(value)) return Promise.all(value.map((item) => resolveOutput(item, reveal)));
  if (value !== null && typeof value === "object") {
    if (pulumi.Resource.isInstance(value)) return { urn: await resolveOutput((value as pulumi.Resource).urn, reveal) };
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = await resolveOutput((value as Record<string, unknown>)[key], reveal);
    return out;
  }
  return value;
}
