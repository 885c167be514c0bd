// loadConfig through the Pulumi runtime: an optional secret that a setting makes mandatory can only
// be checked here, where config.getSecret tells an unset key from a set one.
import * as pulumi from "@pulumi/pulumi";
import { isSecret, mockRuntime } from "../helpers/runtime";
import { ConfigError, loadConfig, SECRET_KEYS } from "../../components/config";
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
