import fc from "fast-check";
import {
  arnPatternMatches,
  esoUserName,
  namespaceReadPolicy,
  namespaceSecretsArn,
  partitionOf,
  SECRETS_READ_ACTIONS,
} from "../../components/secrets";

const ACCOUNT = "123456789012";
const label = fc.stringMatching(/^[a-z]([a-z0-9-]{0,20}[a-z0-9])?$/);
const prefix = fc.array(fc.stringMatching(/^[A-Za-z0-9_+=.@-]{1,12}$/), { minLength: 1, maxLength: 3 }).map((parts) => parts.join("/"));
const region = fc.constantFrom("eu-west-1", "us-east-2", "ap-southeast-2", "cn-north-1", "us-gov-west-1");
// Secrets Manager appends "-" and six random characters to every secret's ARN.
const arnOf = (r: string, p: string, ns: string, name: string) => `arn:${partitionOf(r)}:secretsmanager:${r}:${ACCOUNT}:secret:${p}/${ns}/${name}-AbC123`;

describe("IAM documents for External Secrets", () => {
  it("allow exactly the three read actions on the namespace's own prefix, nothing else", () => {
    fc.assert(fc.property(region, prefix, label, (r, p, ns) => {
      const doc = namespaceReadPolicy({ region: r, accountId: ACCOUNT, prefix: p, namespace: ns });
      expect(doc.Version).toBe("2012-10-17");
      expect(doc.Statement).toHaveLength(1);
      const [statement] = doc.Statement;
      expect(statement.Effect).toBe("Allow");
      expect([...statement.Action].sort()).toEqual([
        "secretsmanager:DescribeSecret",
        "secretsmanager:GetSecretValue",
        "secretsmanager:ListSecretVersionIds",
      ]);
      expect(statement.Resource).toEqual([`arn:${partitionOf(r)}:secretsmanager:${r}:${ACCOUNT}:secret:${p}/${ns}/*`]);
      const text = JSON.stringify(doc);
      expect(doc.Statement.flatMap((s) => s.Action).some((a) => a.includes("*"))).toBe(false);
      expect(doc.Statement.flatMap((s) => s.Resource).some((res) => res === "*" || res.endsWith(":*"))).toBe(false);
      expect(text).not.toMatch(/"\*"/);
    }));
  });

  it("reach the namespace's own secrets and never another namespace's, even with a shared name prefix", () => {
    fc.assert(fc.property(region, prefix, label, label, label, (r, p, own, other, name) => {
      fc.pre(own !== other);
      const [statement] = namespaceReadPolicy({ region: r, accountId: ACCOUNT, prefix: p, namespace: own }).Statement;
      const pattern = statement.Resource[0];
      expect(arnPatternMatches(pattern, arnOf(r, p, own, name))).toBe(true);
      expect(arnPatternMatches(pattern, arnOf(r, p, other, name))).toBe(false);
      // `database` must not reach `database-backup/...` nor another stack's prefix.
      expect(arnPatternMatches(pattern, arnOf(r, p, `${own}-x`, name))).toBe(false);
      expect(arnPatternMatches(pattern, arnOf(r, `${p}2`, own, name))).toBe(false);
      expect(arnPatternMatches(pattern, arnOf(r, p, own, name).replace(ACCOUNT, "999999999999"))).toBe(false);
    }));
  });

  it("add kms:Decrypt on the customer-managed key only, and only through Secrets Manager", () => {
    const kmsKeyArn = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
    const doc = namespaceReadPolicy({ region: "eu-west-1", accountId: ACCOUNT, prefix: "homelab/dev", namespace: "database", kmsKeyArn });
    expect(doc.Statement).toHaveLength(2);
    expect(doc.Statement[1]).toEqual({
      Sid: "DecryptThroughSecretsManager",
      Effect: "Allow",
      Action: ["kms:Decrypt"],
      Resource: [kmsKeyArn],
      Condition: { StringEquals: { "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" } },
    });
    expect(namespaceReadPolicy({ region: "eu-west-1", accountId: ACCOUNT, prefix: "homelab/dev", namespace: "database" }).Statement
      .flatMap((s) => s.Action)).not.toContain("kms:Decrypt");
  });

  it("refuse wildcards smuggled in through the prefix or namespace, and malformed account ids", () => {
    const scope = { region: "eu-west-1", accountId: ACCOUNT, prefix: "homelab/dev", namespace: "database" };
    expect(() => namespaceSecretsArn({ ...scope, prefix: "homelab/*" })).toThrow(/wildcards/);
    expect(() => namespaceSecretsArn({ ...scope, namespace: "a/b" })).toThrow(/wildcards/);
    expect(() => namespaceSecretsArn({ ...scope, accountId: "" })).toThrow(/12-digit/);
  });

  it("uses the right partition per region", () => {
    expect(partitionOf("eu-west-1")).toBe("aws");
    expect(partitionOf("cn-northwest-1")).toBe("aws-cn");
    expect(partitionOf("us-gov-east-1")).toBe("aws-us-gov");
  });

  it("names one IAM user per stack and namespace within IAM's limits", () => {
    expect(esoUserName("staging", "open-webui")).toBe("homelab-staging-eso-open-webui");
    expect(() => esoUserName("s".repeat(40), "n".repeat(30))).toThrow(/64 characters/);
    expect(SECRETS_READ_ACTIONS).toHaveLength(3);
  });
});
