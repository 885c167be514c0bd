import {
  backupPolicyDocument,
  bucketPolicyDocument,
  bucketPrefix,
  lifecycleRules,
  NONCURRENT_GRACE_DAYS,
} from "../../components/database/iam";
import { barmanPluginValues, cnpgOperatorValues } from "../../components/database/values";
import { charts } from "../../components/versions";
import * as path from "node:path";
import { readKeyList, unknownKeyPaths } from "../helpers/chart-keys";

const ARN = "arn:aws:s3:::homelab-staging-pg-backups-abc";

describe("backup identity policy", () => {
  const doc = backupPolicyDocument(ARN);
  const statements = doc.Statement;

  it("grants object read/write/delete on this bucket's objects and listing on the bucket, nothing else", () => {
    expect(statements.filter((s) => s.Effect === "Allow").flatMap((s) => s.Action.map((a) => `${a} ${s.Resource.join(",")}`)).sort()).toEqual([
      `s3:AbortMultipartUpload ${ARN}/*`,
      `s3:DeleteObject ${ARN}/*`,
      `s3:GetBucketLocation ${ARN}`,
      `s3:GetObject ${ARN}/*`,
      `s3:ListBucket ${ARN}`,
      `s3:PutObject ${ARN}/*`,
    ]);
  });

  it("lets barman abort its own failed multipart uploads (a separate permission from s3:PutObject)", () => {
    // barman-cloud uploads base backups in parts and calls AbortMultipartUpload when a part fails;
    // the action is authorised on the object ARN, not the bucket.
    const objects = statements.find((s) => s.Resource.includes(`${ARN}/*`));
    expect(objects?.Action).toEqual(expect.arrayContaining(["s3:PutObject", "s3:AbortMultipartUpload"]));
    const bucket = statements.find((s) => s.Resource.includes(ARN));
    expect(bucket?.Action ?? []).not.toContain("s3:AbortMultipartUpload");
  });

  it("has no wildcard action and no resource outside the bucket", () => {
    for (const s of statements) {
      for (const a of s.Action) expect(a).not.toMatch(/\*/);
      for (const r of s.Resource) expect(r === ARN || r === `${ARN}/*`).toBe(true);
    }
  });

  it("cannot delete object versions (versioning is the guard against a leaked key)", () => {
    expect(JSON.stringify(doc)).not.toMatch(/DeleteObjectVersion|PutBucket|PutLifecycle/);
  });

  it("refuses a wildcard or non-ARN bucket", () => {
    expect(() => backupPolicyDocument("*")).toThrow(/one S3 bucket's ARN/);
    expect(() => backupPolicyDocument("arn:aws:s3:::*")).toThrow(/one S3 bucket's ARN/);
    expect(() => backupPolicyDocument("my-bucket")).toThrow(/one S3 bucket's ARN/);
  });
});

describe("bucket policy and lifecycle", () => {
  it("denies any request without TLS, on the bucket and its objects", () => {
    const [deny] = bucketPolicyDocument(ARN).Statement;
    expect(deny).toMatchObject({ Effect: "Deny", Principal: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } });
    expect(deny.Resource).toEqual([ARN, `${ARN}/*`]);
  });

  it("expires pruned (noncurrent) backups after the window plus grace, never current objects by age", () => {
    const rules = lifecycleRules(30);
    const noncurrent = rules.find((r) => r.noncurrentVersionExpiration);
    expect(noncurrent?.noncurrentVersionExpiration?.noncurrentDays).toBe(30 + NONCURRENT_GRACE_DAYS);
    expect(rules.filter((r) => r.expiration && "days" in r.expiration)).toEqual([]);
    expect(rules.some((r) => r.abortIncompleteMultipartUpload)).toBe(true);
    expect(rules.every((r) => r.status === "Enabled")).toBe(true);
    expect(new Set(rules.map((r) => r.id)).size).toBe(rules.length);
    expect(() => lifecycleRules(0)).toThrow(/>= 1/);
  });

  it("prefixes bucket names per stack within S3's limits", () => {
    expect(bucketPrefix("staging")).toBe("homelab-staging-pg-backups-");
    for (const stack of ["dev", "Very_Long_Stack.Name-with-things", "---"]) {
      const prefix = bucketPrefix(stack);
      expect(prefix.length).toBeLessThanOrEqual(37);
      expect(prefix).toMatch(/^[a-z0-9][a-z0-9-]*-$/);
      expect(prefix).not.toMatch(/--/);
    }
  });
});

describe("chart values", () => {
  it("set only keys the pinned chart versions have (offline twin of check:charts)", () => {
    const cases = [
      ["cloudnative-pg", charts.cloudnativePg, cnpgOperatorValues()],
      ["plugin-barman-cloud", charts.barmanCloudPlugin, barmanPluginValues()],
    ] as const;
    for (const [chart, pin, values] of cases) {
      const keys = readKeyList(path.join(__dirname, `${chart}-${pin.valuesCheckedAgainst}.keys.txt`));
      expect({ chart, unknown: unknownKeyPaths(values, keys) }).toEqual({ chart, unknown: [] });
    }
    // The list is strict enough to catch a typo Helm would ignore.
    const cnpgKeys = readKeyList(path.join(__dirname, `cloudnative-pg-${charts.cloudnativePg.valuesCheckedAgainst}.keys.txt`));
    expect(unknownKeyPaths({ monitoring: { enablePodMonitor: true } }, cnpgKeys)).toEqual(["monitoring.enablePodMonitor"]);
  });

  it("the operator installs its CRDs and leaves monitors to this layer", () => {
    const v = cnpgOperatorValues() as any;
    expect(v.crds.create).toBe(true);
    expect(v.monitoring.podMonitorEnabled).toBe(false);
    expect(v.monitoring.grafanaDashboard.create).toBe(false);
    expect(v.resources.limits.memory).toBeDefined();
  });

  it("the plugin gets its certificates from cert-manager", () => {
    const v = barmanPluginValues() as any;
    expect(v.crds.create).toBe(true);
    expect(v.certificate).toEqual({ createClientCertificate: true, createServerCertificate: true });
  });

  it("every chart is pinned and its values were checked against the pinned version", () => {
    for (const pin of [charts.cloudnativePg, charts.barmanCloudPlugin]) {
      expect(pin.valuesCheckedAgainst).toBe(pin.version);
      expect(pin.repo).toMatch(/^https:\/\//);
    }
    expect(charts.cloudnativePg.repo).toBe(charts.barmanCloudPlugin.repo);
  });
});
