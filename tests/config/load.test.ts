// loadConfig through the Pulumi runtime: it reads every key of the stack (unknown and foreign keys,
// secrets stored in plain text), and an optional secret that a setting makes mandatory is checked here.
import * as pulumi from "@pulumi/pulumi";
import { isSecret, mockRuntime } from "../helpers/runtime";
import { ConfigError, loadConfig, SECRET_KEYS } from "../../components/config";
import { sortStackKeys } from "../../components/config/stack-keys";
import { validRaw } from "./fixtures";

const secretConfig = Object.fromEntries([...Object.keys(SECRET_KEYS), "sshPrivateKey"].map((key) => [`homelab:${key}`, `value-of-${key}`]));

function stackConfig(raw: Record<string, unknown>, extraSecrets: Record<string, string> = {}): Record<string, string> {
  return {
    ...Object.fromEntries(Object.entries(raw).map(([key, value]) => [`homelab:${key}`, JSON.stringify(value)])),
    ...secretConfig,
    ...Object.fromEntries(Object.entries(extraSecrets).map(([key, value]) => [`homelab:${key}`, value])),
  };
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems.map((p) => p.path);
  }
  return [];
}

beforeAll(async () => {
  await mockRuntime("s3-test");
});

describe("loadConfig with etcd snapshots to S3", () => {
  const raw = validRaw();
  raw.k3s.etcdSnapshots = { s3: { bucket: "lab-etcd", region: "eu-west-1" } };

  it("refuses S3 without the credentials, naming each missing secret key", () => {
    const secrets = Object.keys(secretConfig);
    pulumi.runtime.setAllConfig(stackConfig(raw), secrets);
    expect(problemsOf(loadConfig)).toEqual(["homelab:etcdS3AccessKeyId", "homelab:etcdS3SecretAccessKey"]);
    pulumi.runtime.setAllConfig(stackConfig(raw, { etcdS3AccessKeyId: "AKIA" }), [...secrets, "homelab:etcdS3AccessKeyId"]);
    expect(problemsOf(loadConfig)).toEqual(["homelab:etcdS3SecretAccessKey"]);
  });

  it("loads S3 with both credentials as secret Outputs", async () => {
    const keys = ["homelab:etcdS3AccessKeyId", "homelab:etcdS3SecretAccessKey"];
    pulumi.runtime.setAllConfig(stackConfig(raw, { etcdS3AccessKeyId: "AKIA", etcdS3SecretAccessKey: "s3cr3t" }), [...Object.keys(secretConfig), ...keys]);
    const config = loadConfig();
    expect(config.k3s.etcdSnapshots.s3).toEqual({ bucket: "lab-etcd", region: "eu-west-1" });
    expect(await isSecret(config.secrets.etcdS3AccessKeyId!)).toBe(true);
    expect(await isSecret(config.secrets.etcdS3SecretAccessKey!)).toBe(true);
  });
});

describe("sortStackKeys", () => {
  const secret = new Set(["homelab:sshPrivateKey"]);
  const sort = (all: Record<string, string>) => sortStackKeys(all, (key) => secret.has(key));

  it("parses settings as the runtime passes them and keeps secrets out of them", () => {
    expect(sort({ "homelab:nodes": "[]", "homelab:storage": '{"nfsVersion":4.2}', "homelab:k3s": "plain text", "homelab:sshPrivateKey": "key" })).toEqual({
      settings: { nodes: [], storage: { nfsVersion: 4.2 }, k3s: "plain text" },
      problems: [],
    });
  });

  it.each([
    ["pulumi:disable-default-providers", undefined],
    ["aws:region", "would be ignored: the program's AWS provider is explicit and configured from homelab:aws; set homelab:aws.region instead"],
    ["aws:skipCredentialsValidation", "would be ignored: the program's AWS provider is explicit and configured from homelab:aws; remove it"],
    ["kubernetes:context", "would be ignored: the program's Kubernetes provider is explicit and built from the cluster's kubeconfig; remove it"],
    ["homelb:nodes", 'would be ignored: unknown namespace "homelb"; did you mean homelab:nodes?'],
    ["grafana:url", "would be ignored: this program reads homelab:* settings only (and leaves pulumi:* to the engine); remove it"],
    ["homelab:alertWebhookUrl", "is stored in plain text (in the stack file, or set without --secret); store it encrypted: pulumi config set --secret homelab:alertWebhookUrl <value>"],
    ["homelab:sshPrivateKey", undefined],
  ])("%s", (key, message) => {
    expect(sort({ [key]: "x" }).problems).toEqual(message ? [{ path: key, message }] : []);
  });

  it("refuses an empty secret and etcd S3 credentials with a stray newline, without repeating them", () => {
    const all = { "homelab:nfsServer": " ", "homelab:etcdS3AccessKeyId": "AKIAEXAMPLE\n", "homelab:etcdS3SecretAccessKey": "s3cr3t" };
    const { problems } = sortStackKeys(all, () => true);
    expect(problems).toEqual([
      { path: "homelab:etcdS3AccessKeyId", message: "contains whitespace or control characters (a trailing newline from a file or echo?); set it again with `pulumi config set --secret homelab:etcdS3AccessKeyId <value>`" },
      { path: "homelab:nfsServer", message: "is empty; set it with `pulumi config set --secret homelab:nfsServer <value>`" },
    ]);
    expect(JSON.stringify(problems)).not.toContain("AKIAEXAMPLE");
  });

  it("asks for the private key file, not a value on the command line", () => {
    expect(sortStackKeys({ "homelab:sshPrivateKey": "-----BEGIN" }, () => false).problems[0].message)
      .toMatch(/pulumi config set --secret homelab:sshPrivateKey < ~\/\.ssh\/<private key file>$/);
  });
});

describe("loadConfig reads every key of the stack", () => {
  it("refuses unknown top-level keys, foreign keys and plain-text secrets together with the settings' problems", () => {
    const raw = validRaw();
    raw.nodes[0].arch = "x86_64";
    const config = { ...stackConfig(raw), "homelab:databse": '{"instances":3}', "aws:region": "eu-west-1", "homelab:alertWebhookUrl": "https://ntfy.sh/x" };
    pulumi.runtime.setAllConfig(config, Object.keys(secretConfig));
    expect(problemsOf(loadConfig)).toEqual(["homelab:nodes[0].arch", "homelab:databse", "aws:region", "homelab:alertWebhookUrl"]);
  });

  it("refuses a required secret the engine did not pass as secret", () => {
    pulumi.runtime.setAllConfig(stackConfig(validRaw()), Object.keys(secretConfig).filter((key) => key !== "homelab:nfsServer"));
    expect(problemsOf(loadConfig)).toEqual(["homelab:nfsServer"]);
  });
});
