// Access key generations: names that leave an existing lab's keys alone, at most AWS's two keys per
// user, and the newest key handed to the consumer.
import * as aws from "@pulumi/aws";
import { accessKeyResourceName, currentGeneration, rotatingAccessKeys } from "../components/access-keys";
import { ACCESS_KEY_IDENTITIES, parseSettings } from "../components/config";
import { accessKeyGenerationsProblem } from "../components/config/validators";
import { catalogue, catalogueNamespaces, esoIdentity } from "../components/secrets";
import { validRaw } from "./config/fixtures";
import { mockRuntime, Recorder, settle } from "./helpers/runtime";
import { testConfig } from "./secrets/fixtures";

describe("access key generations", () => {
  it("keeps generation 1 under the name keys had before rotation existed", () => {
    expect(accessKeyResourceName("secrets-database-eso", 1)).toBe("secrets-database-eso");
    expect(accessKeyResourceName("secrets-database-eso", 2)).toBe("secrets-database-eso-key2");
    expect(accessKeyResourceName("database-backup", 7)).toBe("database-backup-key7");
  });

  it("hands out the newest generation", () => {
    expect(currentGeneration([1])).toBe(1);
    expect(currentGeneration([1, 2])).toBe(2);
    expect(currentGeneration([5])).toBe(5);
  });

  it("refuses no key, three keys (AWS allows two per user) and unordered or repeated generations", () => {
    expect(accessKeyGenerationsProblem([1])).toBeUndefined();
    expect(accessKeyGenerationsProblem([3, 4])).toBeUndefined();
    expect(accessKeyGenerationsProblem([])).toMatch(/at least one/);
    expect(accessKeyGenerationsProblem([1, 2, 3])).toMatch(/AWS allows 2 access keys/);
    expect(accessKeyGenerationsProblem([2, 1])).toMatch(/ascending/);
    expect(accessKeyGenerationsProblem([2, 2])).toMatch(/ascending/);
  });

  it("names an identity for every IAM user the program creates: one per namespace with synced secrets, and the backup's", () => {
    // With ACME DNS-01, cert-manager's namespace syncs the DNS provider's token too.
    const acme = { email: "ops@example.org", server: "https://acme-v02.api.letsencrypt.org/directory", dns01: { provider: "cloudflare" as const } };
    const withAcme = { ...testConfig(), ingress: { domain: "lab.example.org", hosts: {}, allowedCidrs: ["192.168.0.0/16"], acme } };
    const eso = catalogueNamespaces(catalogue(withAcme)).map(esoIdentity);
    expect(eso).toContain("eso-cert-manager");
    expect([...ACCESS_KEY_IDENTITIES].sort()).toEqual([...eso, "pg-backup"].sort());
  });

  it("is validated as stack config, by key path", () => {
    const raw = validRaw();
    raw.aws = { ...raw.aws, accessKeyGenerations: { "eso-database": [1, 2], "pg-backup": [3] } };
    expect(parseSettings(raw).aws.accessKeyGenerations).toEqual({ "eso-database": [1, 2], "pg-backup": [3] });
    raw.aws.accessKeyGenerations = { "eso-database": [1, 2, 3], "eso-nfs-csi": [1] };
    expect(() => parseSettings(raw)).toThrow(/homelab:aws\.accessKeyGenerations\.eso-nfs-csi: unknown key/);
    raw.aws.accessKeyGenerations = { "eso-database": [1, 2, 3] };
    expect(() => parseSettings(raw)).toThrow(/homelab:aws\.accessKeyGenerations\.eso-database: AWS allows 2 access keys/);
    raw.aws.accessKeyGenerations = { "eso-database": [2, 1] };
    expect(() => parseSettings(raw)).toThrow(/homelab:aws\.accessKeyGenerations\.eso-database: list the generations in ascending order/);
  });
});

describe("rotatingAccessKeys", () => {
  let recorder: Recorder;
  let current: aws.iam.AccessKey;

  beforeAll(async () => {
    recorder = await mockRuntime("test");
    const provider = new aws.Provider("aws", { region: "eu-west-1" });
    current = rotatingAccessKeys("secrets-database-eso", "homelab-test-eso-database", [1, 2], { provider });
    await settle();
  });

  it("keeps one key per generation, both secret, and returns the newest", async () => {
    const keys = recorder.ofType("aws:iam/accessKey:AccessKey");
    expect(keys.map((k) => k.name)).toEqual(["secrets-database-eso", "secrets-database-eso-key2"]);
    for (const key of keys) expect(key.additionalSecretOutputs).toEqual(expect.arrayContaining(["secret", "sesSmtpPasswordV4"]));
    expect(await new Promise((resolve) => current.urn.apply(resolve))).toMatch(/::secrets-database-eso-key2$/);
  });

  it("refuses a third key before registering anything", () => {
    const before = recorder.ofType("aws:iam/accessKey:AccessKey").length;
    expect(() => rotatingAccessKeys("x", "u", [1, 2, 3], {})).toThrow(/x: AWS allows 2 access keys/);
    expect(recorder.ofType("aws:iam/accessKey:AccessKey")).toHaveLength(before);
  });
});
