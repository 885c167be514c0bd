// Optional secrets are declared in Pulumi.yaml (secret, default ""): the CLI hands the program ""
// for an unset one, which must stay unset, in `pulumi up` and in the offline plan alike.
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { isUnsetOptional, loadConfig, OPTIONAL_SECRET_KEYS, SECRET_KEYS } from "../../components/config";
import { loadStackConfig } from "../../tools/lib/stack-config";
import { isSecret, mockRuntime } from "../helpers/runtime";
import { validRaw } from "./fixtures";

const ROOT = path.resolve(__dirname, "../..");
const required = Object.fromEntries(Object.keys(SECRET_KEYS).map((key) => [`homelab:${key}`, `value-of-${key}`]));
const settings = Object.fromEntries(Object.entries(validRaw()).map(([key, value]) => [`homelab:${key}`, JSON.stringify(value)]));
// With the SSH agent, every optional secret (the SSH key among them) may be unset.
const withAgent = { ...settings, "homelab:ssh": JSON.stringify({ agent: true }) };
const optional = (value: string) => Object.fromEntries(Object.keys(OPTIONAL_SECRET_KEYS).map((key) => [`homelab:${key}`, value]));

beforeAll(async () => {
  await mockRuntime("optional-secrets");
});

describe("optional secrets", () => {
  it("treat Pulumi.yaml's default \"\" as unset: no feature turns on with an empty value", () => {
    pulumi.runtime.setAllConfig({ ...withAgent, ...required, ...optional("") }, [...Object.keys(required), ...Object.keys(optional(""))]);
    const config = loadConfig();
    for (const key of Object.keys(OPTIONAL_SECRET_KEYS)) expect([key, key in config.secrets]).toEqual([key, false]);
  });

  it("load a set one as a secret Output", async () => {
    pulumi.runtime.setAllConfig({ ...withAgent, ...required, "homelab:alertWebhookUrl": "https://ntfy.lan/topic" }, [...Object.keys(required), "homelab:alertWebhookUrl"]);
    const config = loadConfig();
    expect(await isSecret(config.secrets.alertWebhookUrl!)).toBe(true);
  });

  it("read unset the same way in the offline plan's stack-config loader (no placeholder turns them on)", () => {
    for (const stack of ["dev", "staging"]) {
      const loaded = loadStackConfig(ROOT, stack);
      for (const key of Object.keys(OPTIONAL_SECRET_KEYS).filter((k) => k !== "sshPrivateKey")) {
        const name = `homelab:${key}`;
        expect([name, isUnsetOptional(loaded.values[name]), loaded.secretKeys.includes(name), loaded.placeholders.includes(name)]).toEqual([name, true, true, false]);
      }
    }
    const set = loadStackConfig(ROOT, "dev", undefined, [{ key: "alertWebhookUrl", value: "https://ntfy.lan/t", secret: true }]);
    expect(isUnsetOptional(set.values["homelab:alertWebhookUrl"])).toBe(false);
  });

  it("get a placeholder in the offline plan when the stack's settings require them (the SSH key, unless the agent logs in)", () => {
    const byKey = loadStackConfig(ROOT, "dev");
    expect(byKey.placeholders).toContain("homelab:sshPrivateKey");
    expect(isUnsetOptional(byKey.values["homelab:sshPrivateKey"])).toBe(false);
    const byAgent = loadStackConfig(ROOT, "dev", undefined, [{ key: "ssh", value: '{"agent":true}', secret: false }]);
    expect(byAgent.placeholders).not.toContain("homelab:sshPrivateKey");
    expect(isUnsetOptional(byAgent.values["homelab:sshPrivateKey"])).toBe(true);
    const withS3 = loadStackConfig(ROOT, "staging", undefined, [{ key: "k3s", value: JSON.stringify({ ...JSON.parse(loadStackConfig(ROOT, "staging").values["homelab:k3s"]), etcdSnapshots: { s3: { bucket: "lab-etcd", region: "eu-west-1" } } }), secret: false }]);
    expect(withS3.placeholders).toEqual(expect.arrayContaining(["homelab:etcdS3AccessKeyId", "homelab:etcdS3SecretAccessKey"]));
  });
});
