// Runs the program under Pulumi's mock runtime and records every registration the engine would see:
// type, name, parent, provider, dependencies and inputs (secrets kept apart). The plan, the tests
// and the benchmarks all use it, so they all see the very registrations `pulumi up` makes.
import * as pulumi from "@pulumi/pulumi";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import * as settings from "@pulumi/pulumi/runtime/settings";

/** What a plan prints in place of any secret value. */
export const SECRET_PLACEHOLDER = "[secret]";
export const UNKNOWN_PLACEHOLDER = "[unknown]";

export interface RecordedResource {
  urn: string;
  type: string;
  name: string;
  custom: boolean;
  parent?: string;
  /** The provider reference (`urn::id`) for custom resources, or the providers map for components. */
  provider?: string;
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
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Walks a serialized property value; `reveal` decides whether secrets keep their value. */
function decode(value: Json, path: string, reveal: boolean, secretPaths: string[] | undefined): unknown {
  if (value === rpc.unknownValue) return UNKNOWN_PLACEHOLDER;
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((item, i) => decode(item, `${path}[${i}]`, reveal, secretPaths));
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
    out[key] = decode(value[key], path ? `${path}.${key}` : key, reveal, secretPaths);
  }
  return out;
}

/** Outputs mocked resources return: their inputs, plus an id and a few well-known computed fields. */
function mockState(args: pulumi.runtime.MockResourceArgs): Record<string, unknown> {
  const state: Record<string, unknown> = { ...args.inputs };
  if (args.type === "command:remote:Command") state.stdout = state.stdout ?? "";
  if (args.type.startsWith("aws:")) state.arn = `arn:aws:mock:::${args.name}`;
  // AWS completes a bucketPrefix with a random suffix; the plan shows where it goes.
  if (args.type === "aws:s3/bucket:Bucket" && state.bucket === undefined) {
    state.bucket = `${state.bucketPrefix ?? `${args.name}-`}<suffix>`;
  }
  return state;
}

export class Recorder {
  readonly resources = new Map<string, RecordedResource>();

  /** Installs the mock runtime with this recorder watching the monitor. */
  async install(project: string, stack: string, preview = true): Promise<void> {
    const mocks: pulumi.runtime.Mocks = {
      newResource: (args) => ({ id: args.custom ? `${args.name}-id` : undefined, state: mockState(args) }),
      call: (args) => (args.token === "pulumi:pulumi:getStack" ? { stack } : args.inputs),
    };
    await pulumi.runtime.setMocks(mocks, project, stack, preview);
    const monitor = settings.getMonitor() as unknown as {
      registerResource: (req: RegisterRequest, cb: (err: unknown, res: unknown) => void) => unknown;
    };
    const register = monitor.registerResource.bind(monitor);
    monitor.registerResource = (req, cb) =>
      register(req, (err, res) => {
        if (!err && res) this.record(req, (res as { getUrn(): string }).getUrn());
        cb(err, res);
      });
  }

  private record(req: RegisterRequest, urn: string): void {
    const object = req.getObject().toJavaScript() as Record<string, Json>;
    const secretPaths: string[] = [];
    const inputs = decode(object, "", false, secretPaths) as Record<string, unknown>;
    const revealedInputs = decode(object, "", true, undefined) as Record<string, unknown>;
    const dependencies = new Set<string>(req.getDependenciesList());
    req.getPropertydependenciesMap().forEach((deps) => deps.getUrnsList().forEach((d) => dependencies.add(d)));
    const providers = req.getProvidersMap();
    const provider = req.getProvider() || (providers.getLength() > 0 ? JSON.stringify(Object.fromEntries(providers.entries())) : undefined);
    this.resources.set(urn, {
      urn,
      type: req.getType(),
      name: req.getName(),
      custom: req.getCustom(),
      parent: req.getParent() || undefined,
      provider,
      dependencies: [...dependencies].sort(),
      inputs,
      revealedInputs,
      secretPaths: secretPaths.sort(),
      protect: req.getProtect() ?? false,
      retainOnDelete: req.getRetainondelete() ?? false,
      additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
      deleteBeforeReplace: req.getDeletebeforereplace(),
      ignoreChanges: req.getIgnorechangesList(),
      replaceOnChanges: req.getReplaceonchangesList(),
    });
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

// The slice of the monitor's RegisterResourceRequest the recorder reads.
interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getCustom(): boolean;
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
}

/**
 * Resolves a stack output to plain JSON, secrets replaced by "[secret]". `reveal` keeps secret values
 * (only for the plan diff's secret digests; never printed).
 */
export async function resolveOutput(value: unknown, reveal = false): Promise<unknown> {
  if (pulumi.Output.isInstance(value)) {
    const output = value as pulumi.Output<unknown> & { isSecret: Promise<boolean>; promise(): Promise<unknown> };
    if (!reveal && (await output.isSecret)) return SECRET_PLACEHOLDER;
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
