// Runs a program the way `pulumi up` does, minus the engine: Pulumi's own Node.js runner
// (@pulumi/pulumi/cmd/run) in a child process, started as the nodejs language host starts it from
// Pulumi.yaml's runtime options (pulumi/pulumi sdk/nodejs/cmd/pulumi-language-nodejs/main.go,
// execRuntime and constructArguments: `node <nodeargs> <runner> --monitor … --pwd <project> … .`
// in the project directory, PULUMI_NODEJS_TYPESCRIPT only when `typescript` is true), against a
// resource monitor served here that answers like the SDK's mocks. The tests check what the runner
// loads and registers with it (tests/tools/pulumi-up.test.ts); the bench times it.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import * as resproto from "@pulumi/pulumi/proto/resource_pb";
import { ResourceMonitorService } from "@pulumi/pulumi/proto/resource_grpc_pb";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import { computedOutputs } from "./engine/outputs";

// The gRPC library the SDK's generated services are built for (a dependency of @pulumi/pulumi).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const grpc = require(require.resolve("@grpc/grpc-js", { paths: [path.dirname(require.resolve("@pulumi/pulumi"))] })) as typeof import("@grpc/grpc-js");
type ServiceDefinition = import("@grpc/grpc-js").ServiceDefinition;
type Unary = import("@grpc/grpc-js").handleUnaryCall<unknown, unknown>;

export interface RunnerResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Every registration the monitor received: type, name, and where the program made it. */
  registered: { type: string; name: string; source?: { uri: string; line: number; column: number } }[];
}

export interface RunnerOptions {
  /** The project directory (Pulumi.yaml's); the runner starts there, as the language host does. */
  projectDir: string;
  project: string;
  stack: string;
  config: Record<string, string>;
  secretKeys: string[];
  /** The program to run (Pulumi.yaml's `main`); package.json's main by default. */
  entryPoint?: string;
  /** What a StackReference to this stack reads (its outputs). */
  stackOutputs?: Record<string, unknown>;
}

/** Pulumi.yaml's nodejs runtime options, as the language host parses them (parseOptions). */
export function runtimeOptions(projectDir: string): { typescript: boolean; nodeargs: string } {
  const doc = YAML.parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) as { runtime?: string | { options?: Record<string, unknown> } };
  const options = typeof doc.runtime === "object" ? doc.runtime.options ?? {} : {};
  return { typescript: options.typescript !== false, nodeargs: typeof options.nodeargs === "string" ? options.nodeargs : "" };
}

export async function runUnderPulumiRunner(options: RunnerOptions): Promise<RunnerResult> {
  const registered: RunnerResult["registered"] = [];
  const outputs = options.stackOutputs ?? {};
  const mocks = new MockMonitor({
    newResource: (args) => {
      // What the offline plan's engine answers with (tools/lib/recorder.ts): the inputs plus what the provider computes.
      const state = args.type === "pulumi:pulumi:StackReference"
        ? { name: args.id, outputs, secretOutputNames: [] }
        : { ...args.inputs, ...computedOutputs(args.type, args.name, args.inputs) };
      return { id: `${args.name}-id`, state };
    },
    call: (args) => (args.token === "pulumi:pulumi:getStack" ? { stack: options.stack } : args.inputs),
  }) as unknown as Record<string, (req: unknown, cb: (err: unknown, res?: unknown) => void) => void>;
  const forward = (method: string): Unary => (call, cb) => mocks[method](call.request, cb as (err: unknown, res?: unknown) => void);
  const empty: Unary = (_call, cb) => cb(null, new emptyproto.Empty());
  const supportsFeature: Unary = (call, cb) => {
    const response = new resproto.SupportsFeatureResponse();
    response.setHassupport((call.request as resproto.SupportsFeatureRequest).getId() !== "outputValues");
    cb(null, response);
  };
  const server = new grpc.Server();
  server.addService(ResourceMonitorService as unknown as ServiceDefinition, {
    getDeploymentInfo: forward("getDeploymentInfo"),
    supportsFeature,
    registerResource: ((call, cb) => {
      const req = call.request as resproto.RegisterResourceRequest;
      const position = req.getSourceposition();
      registered.push({ type: req.getType(), name: req.getName(), ...(position ? { source: { uri: position.getUri(), line: position.getLine(), column: position.getColumn() } } : {}) });
      forward("registerResource")(call, cb);
    }) as Unary,
    readResource: ((call, cb) => {
      const req = call.request as resproto.ReadResourceRequest;
      registered.push({ type: req.getType(), name: req.getName() });
      forward("readResource")(call, cb);
    }) as Unary,
    invoke: forward("invoke"),
    registerPackage: forward("registerPackage"),
    registerResourceOutputs: empty,
    signalAndWaitForShutdown: empty,
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  try {
    const { typescript, nodeargs } = runtimeOptions(options.projectDir);
    const runner = require.resolve("@pulumi/pulumi/cmd/run", { paths: [options.projectDir] });
    const args = [
      ...nodeargs.split(/\s+/).filter(Boolean),
      runner,
      "--monitor", `127.0.0.1:${port}`,
      "--project", options.project,
      "--stack", options.stack,
      "--pwd", options.projectDir,
      "--organization", "organization",
      options.entryPoint ?? ".",
    ];
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      PULUMI_CONFIG: JSON.stringify(options.config),
      PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(options.secretKeys),
    };
    delete env.PULUMI_NODEJS_TYPESCRIPT;
    if (typescript) env.PULUMI_NODEJS_TYPESCRIPT = "true";
    const child = spawn(process.execPath, args, { cwd: options.projectDir, env, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    const status = await new Promise<number | null>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", resolve);
    });
    return { status, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), registered };
  } finally {
    server.forceShutdown();
  }
}
