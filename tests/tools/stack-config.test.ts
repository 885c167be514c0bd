// The offline plan reads stack files as the Pulumi CLI does, and refuses what the CLI refuses:
// YAML it cannot parse (with file, line and column) and secrets stored in plain text.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadStackConfig, placeholderFor, readYamlFile, StackConfigError } from "../../tools/lib/stack-config";

const ROOT = path.resolve(__dirname, "../..");
const dev = fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8");
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-config-"));
function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}
function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(StackConfigError);
    return (err as Error).message;
  }
  throw new Error("expected a StackConfigError");
}

describe("readYamlFile", () => {
  it("reports a tab used as indentation at its line and column, with the line and a caret", () => {
    const file = write("Pulumi.tab.yaml", dev.replace("      retention: 7", "\t  retention: 7"));
    const line = dev.split("\n").indexOf("      retention: 7") + 1;
    expect(errorOf(() => readYamlFile(file))).toBe(`${file}:${line}:1: Tabs are not allowed as indentation\n    →  retention: 7\n    ^`);
  });

  it("refuses every duplicated key, as the CLI's parser does", () => {
    const file = write("Pulumi.dup.yaml", "config:\n  homelab:k3s:\n    clusterName: a\n  homelab:aws: {}\n  homelab:k3s:\n    clusterName: b\n  homelab:aws: {}\n");
    expect(errorOf(() => readYamlFile(file)).split("\n").filter((l) => !l.startsWith("    "))).toEqual([
      `${file}:5:3: Map keys must be unique`,
      `${file}:7:3: Map keys must be unique`,
    ]);
  });

  it("reports an unclosed flow mapping once, not the lines it swallows", () => {
    const file = write("Pulumi.flow.yaml", "config:\n  homelab:k3s: {clusterName: x\n  homelab:aws: {}\n  homelab:ai: {}\n");
    expect(errorOf(() => readYamlFile(file)).split("\n")).toEqual([
      `${file}:3:3: Flow map in block collection must be sufficiently indented and end with a }`,
      "      homelab:aws: {}",
      "      ^",
    ]);
  });
});

describe("loadStackConfig", () => {
  it("stands in a placeholder for the SSH key unless the stack logs in through the agent, and for no optional secret", () => {
    const byKey = loadStackConfig(ROOT, "dev");
    expect(byKey.placeholders).toContain("homelab:sshPrivateKey");
    for (const key of ["alertWebhookUrl", "etcdS3AccessKeyId", "etcdS3SecretAccessKey", "acmeCloudflareApiToken"]) {
      expect([key, byKey.values[`homelab:${key}`]]).toEqual([key, undefined]);
    }
    const byAgent = loadStackConfig(ROOT, "dev", undefined, [{ key: "ssh", value: '{"agent":true}', secret: false }]);
    expect(byAgent.placeholders).not.toContain("homelab:sshPrivateKey");
    expect(byAgent.values["homelab:sshPrivateKey"]).toBeUndefined();
  });

  it("refuses secrets Pulumi.yaml declares secret when the stack file holds them in plain text, naming the command, never the value", () => {
    const file = write("Pulumi.plain.yaml", dev.replace("config:\n", "config:\n  homelab:sshPrivateKey: |\n    -----BEGIN OPENSSH PRIVATE KEY-----\n    b3BlbnNzaC1rZXktdjE=\n  homelab:nfsServer: nas.example.invalid\n"));
    const message = errorOf(() => loadStackConfig(ROOT, "dev", file));
    expect(message.split("\n")).toEqual([
      `${file}: homelab:nfsServer is in plain text, but Pulumi.yaml declares it secret; delete that line and store the value encrypted: pulumi config set --stack dev --secret homelab:nfsServer <value>`,
    ]);
    expect(message).not.toContain("b3BlbnNzaC1rZXktdjE");
    expect(message).not.toContain("nas.example.invalid");
  });

  it("takes encrypted values and --set-secret overrides as secrets", () => {
    const file = write("Pulumi.enc.yaml", dev.replace("config:\n", "config:\n  homelab:nfsServer:\n    secure: v1:ZW5jcnlwdGVk\n"));
    const config = loadStackConfig(ROOT, "dev", file, [{ key: "nfsShareGeneral", value: "/export/general", secret: true }]);
    expect(config.values["homelab:nfsServer"]).toBe(placeholderFor("homelab:nfsServer"));
    expect(config.values["homelab:nfsShareGeneral"]).toBe("/export/general");
    expect(config.secretKeys).toEqual(expect.arrayContaining(["homelab:nfsServer", "homelab:nfsShareGeneral"]));
  });

  it("refuses a plain --set of a key Pulumi.yaml declares secret, as pulumi up would refuse the stored value", () => {
    const message = errorOf(() => loadStackConfig(ROOT, "dev", undefined, [{ key: "nfsServer", value: "nas.example.invalid", secret: false }]));
    expect(message).toBe("--set nfsServer: Pulumi.yaml declares homelab:nfsServer secret; pass it with --set-secret");
  });

  it("refuses a config: that is not key: value pairs", () => {
    const file = write("Pulumi.list.yaml", "config:\n  - homelab:nodes\n");
    expect(errorOf(() => loadStackConfig(ROOT, "dev", file))).toBe(`${file}: "config:" must hold key: value pairs such as homelab:nodes`);
  });
});
