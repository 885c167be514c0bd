// The pack as the Pulumi CLI runs it: @pulumi/pulumi's run-policy-pack entry point, started in
// policies/ (PulumiPolicy.yaml, version from policies/package.json), serving the analyzer over gRPC.
// The test speaks the same protocol as the engine: GetAnalyzerInfo, Configure, AnalyzeStack.
import { ChildProcess, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { ALL_POLICIES, PACK_NAME } from "../../policies/registry";

/* eslint-disable @typescript-eslint/no-require-imports */
const grpc = require("@grpc/grpc-js");
const analyzerProto = require("@pulumi/pulumi/proto/analyzer_pb");
const analyzerRpc = require("@pulumi/pulumi/proto/analyzer_grpc_pb");
const emptyProto = require("google-protobuf/google/protobuf/empty_pb");
const structProto = require("google-protobuf/google/protobuf/struct_pb");
/* eslint-enable @typescript-eslint/no-require-imports */

const ROOT = path.resolve(__dirname, "../..");
const PACK_DIR = path.join(ROOT, "policies");

describe("the pack's files", () => {
  it("PulumiPolicy.yaml declares the nodejs runtime and a description", () => {
    const project = YAML.parse(fs.readFileSync(path.join(PACK_DIR, "PulumiPolicy.yaml"), "utf8"));
    expect(project.runtime).toBe("nodejs");
    expect(project.description).toEqual(expect.any(String));
  });

  it("policies/package.json pins the SDKs exactly as the root does", () => {
    const pack = JSON.parse(fs.readFileSync(path.join(PACK_DIR, "package.json"), "utf8"));
    const root = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    expect(pack.name).toBe("homelab-policies");
    expect(pack.version).toMatch(/^\d+\.\d+\.\d+$/);
    for (const dep of ["@pulumi/policy", "@pulumi/pulumi"]) {
      expect(pack.dependencies[dep]).toMatch(/^\d+\.\d+\.\d+$/);
      expect(pack.dependencies[dep]).toBe(root.dependencies[dep]);
    }
  });

  it("every policy has a unique valid name and complete metadata", () => {
    const names = ALL_POLICIES.map((p) => p.name);
    expect(new Set(names).size).toBe(names.length);
    for (const p of ALL_POLICIES) {
      expect(p.name).toMatch(/^[a-z0-9-]+$/);
      expect(p.name).not.toBe("all");
      expect(p.description.length).toBeGreaterThan(20);
      expect(p.remediationSteps.length).toBeGreaterThan(20);
      expect(["low", "medium", "high", "critical"]).toContain(p.severity);
      expect(p.configSchema.properties).not.toHaveProperty("enforcementLevel");
      if (p.severity === "critical") expect(p.enforcementLevel).toBe("mandatory");
    }
  });
});

describe("the pack served by the Pulumi runtime", () => {
  let child: ChildProcess;
  let client: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  let stderr = "";

  beforeAll(async () => {
    // Exactly what the CLI runs for a Node.js policy pack (with type-checking ts-node).
    child = spawn(process.execPath, [require.resolve("@pulumi/pulumi/cmd/run-policy-pack"), "127.0.0.1:1", "."], { cwd: PACK_DIR, stdio: ["ignore", "pipe", "pipe"] });
    child.stderr!.on("data", (d) => (stderr += d));
    const port = await new Promise<string>((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (d) => {
        out += d;
        const m = /^(\d+)\s*$/m.exec(out);
        if (m) resolve(m[1]);
      });
      child.on("exit", (code) => reject(new Error(`pack exited with ${code}: ${stderr}`)));
    });
    client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  }, 120000);

  afterAll(() => {
    client?.close();
    child?.kill();
  });

  const call = <T>(method: string, req: unknown): Promise<T> =>
    new Promise((resolve, reject) => client[method](req, (err: Error | null, res: T) => (err ? reject(err) : resolve(res))));

  it("reports its name, the version from policies/package.json and every policy", async () => {
    const info = await call<any>("getAnalyzerInfo", new emptyProto.Empty()); // eslint-disable-line @typescript-eslint/no-explicit-any
    const pkg = JSON.parse(fs.readFileSync(path.join(PACK_DIR, "package.json"), "utf8"));
    expect(info.getName()).toBe(PACK_NAME);
    expect(info.getVersion()).toBe(pkg.version);
    const policies = info.getPoliciesList();
    expect(policies.map((p: any) => p.getName())).toEqual(ALL_POLICIES.map((p) => p.name)); // eslint-disable-line @typescript-eslint/no-explicit-any
    const priv = policies.find((p: any) => p.getName() === "pss-privileged"); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(priv.getFramework().getSpecification()).toBe("privileged");
    expect(priv.getRemediationSteps()).toContain("privileged");
    expect(priv.getSeverity()).not.toBe(0);
    expect(priv.getEnforcementlevel()).toBe(analyzerProto.EnforcementLevel.MANDATORY);
  });

  it("reports an insecure Deployment from the stack's resources with the right policy", async () => {
    const resource = (type: string, name: string, props: unknown) => {
      const r = new analyzerProto.AnalyzerResource();
      r.setType(type);
      r.setName(name);
      r.setUrn(`urn:pulumi:dev::homelab::${type}::${name}`);
      r.setProperties(structProto.Struct.fromJavaScript(props));
      r.setOptions(new analyzerProto.AnalyzerResourceOptions());
      return r;
    };
    const req = new analyzerProto.AnalyzeStackRequest();
    req.setResourcesList([
      resource("kubernetes:core/v1:Namespace", "apps", { metadata: { name: "apps", labels: { "pod-security.kubernetes.io/enforce": "baseline" } } }),
      resource("kubernetes:apps/v1:Deployment", "web", {
        metadata: { name: "web", namespace: "apps" },
        spec: { template: { spec: { containers: [{ name: "web", image: "nginx:1.27", securityContext: { privileged: true } }] } } },
      }),
    ]);
    const res = await call<any>("analyzeStack", req); // eslint-disable-line @typescript-eslint/no-explicit-any
    const diags = res.getDiagnosticsList().map((d: any) => ({ policy: d.getPolicyname(), urn: d.getUrn(), message: d.getMessage() })); // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(diags).toContainEqual(expect.objectContaining({ policy: "pss-privileged", urn: "urn:pulumi:dev::homelab::kubernetes:apps/v1:Deployment::web" }));
    // baseline namespace: restricted checks do not run
    expect(diags.map((d: { policy: string }) => d.policy)).not.toContain("pss-run-as-non-root");
  });
});
