// The offline plan as users run it: a separate process, real stack files, JSON on stdout.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { planCommand, ROOT } from "../helpers/plan";

describe("npm run plan", () => {
  it("prints identical bytes for the same inputs", () => {
    const first = planCommand(["dev", "--json"]);
    const second = planCommand(["dev", "--json"]);
    expect(first.status).toBe(0);
    expect(() => JSON.parse(first.stdout)).not.toThrow();
    expect(second.stdout).toBe(first.stdout);
  });

  it("prints a tree grouped by component with a count by type, then the policy pack's finding", () => {
    const { status, stdout } = planCommand(["dev"]);
    expect(status).toBe(0);
    expect(stdout).toMatch(/^Plan for stack "dev"/);
    expect(stdout).toMatch(/\+ pulumi:pulumi:Stack {2}homelab-dev/);
    expect(stdout).toMatch(/Resources: \d+ to create/);
    // The last line says what the policy pack found: a clean run is visibly clean.
    expect(stdout.endsWith("\n\nPolicies: 0 mandatory, 0 advisory violations\n")).toBe(true);
  });

  it("keeps --set-secret values out of its output", () => {
    const secret = "s3cr3t-nas.example.invalid";
    const { status, stdout } = planCommand(["staging", "--json", "--set-secret", `nfsServer=${secret}`]);
    expect(status).toBe(0);
    expect(stdout).not.toContain(secret);
  });

  it("lists every config mistake with its key path, exits non-zero, no stack trace", () => {
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8"));
    doc.config["homelab:nodes"][0].arch = "x86";
    doc.config["homelab:nodes"][1].name = "devbox";
    doc.config["homelab:k3s"].version = "latest";
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plan-")), "Pulumi.broken.yaml");
    fs.writeFileSync(file, YAML.stringify(doc));

    const { status, stdout, stderr } = planCommand(["dev", "--config-file", file]);
    expect(status).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain("homelab:nodes[0].arch");
    expect(stderr).toContain("homelab:k3s.version");
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it("stands a placeholder in for secrets that are encrypted in the stack file", () => {
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8"));
    doc.config["homelab:nfsServer"] = { secure: "v1:ZW5jcnlwdGVkLWJ5LWEtcGFzc3BocmFzZQ==" };
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "plan-")), "Pulumi.enc.yaml");
    fs.writeFileSync(file, YAML.stringify(doc));
    const { status, stdout } = planCommand(["dev", "--json", "--config-file", file]);
    expect(status).toBe(0);
    expect(stdout).not.toContain("ZW5jcnlwdGVk");
    expect(stdout).not.toContain("plan-placeholder-homelab-nfsServer");
  });

  it("runs the cross-key checks on --set values", () => {
    const { status, stderr } = planCommand(["dev", "--set", 'nodes=[{"name":"a","host":"a.lan","user":"u","hostKey":"ssh-ed25519 AAAA","arch":"amd64","role":"agent"}]']);
    expect(status).toBe(1);
    expect(stderr).toContain('homelab:nodes: no node has role "server"');
  });

  it("refuses unknown options and a missing stack with its usage", () => {
    expect(planCommand([]).stderr).toContain("usage: npm run plan");
    expect(planCommand(["dev", "--frobnicate"]).stderr).toContain("unknown option --frobnicate");
  });
});
