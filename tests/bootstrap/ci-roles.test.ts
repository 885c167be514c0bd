// The AWS side of CI (bootstrap/ci-roles): who may assume each role, what each role may do, and
// that both fit the names the lab program really uses, for its stack and no other.
import * as pulumi from "@pulumi/pulumi";
import { backupPolicyDocument, backupUserName, bucketPrefix } from "../../components/database/iam";
import { arnPatternMatches, esoUserName, esoUserPath, namespaceReadPolicy } from "../../components/secrets/iam";
import {
  deployPolicy,
  Document,
  githubTrustPolicy,
  previewPolicy,
  roleName,
  StackScope,
  Statement,
  workloadBoundaryPolicy,
} from "../../bootstrap/ci-roles/policies";
import { stackScope } from "../../bootstrap/ci-roles/scope";

const ACCOUNT = "123456789012";
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`;
const BOUNDARY = `arn:aws:iam::${ACCOUNT}:policy/homelab-dev-workload-boundary`;
const dev: StackScope = { stack: "dev", region: "eu-west-1", accountId: ACCOUNT, secretPrefix: "homelab/dev" };
const staging: StackScope = { ...dev, stack: "staging", secretPrefix: "homelab/staging" };

const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
const allows = (doc: Document) => doc.Statement.filter((s) => s.Effect === "Allow");

/** Whether some Allow statement grants `action` on `arn` (IAM wildcards in both; conditions ignored). */
function grants(doc: Document, action: string, arn: string): Statement | undefined {
  return allows(doc).find((s) => list(s.Action).some((a) => arnPatternMatches(a, action)) && list(s.Resource).some((r) => arnPatternMatches(r, arn)));
}

/** Real ARNs of what the lab program makes for a stack. */
function labArns(scope: StackScope) {
  return {
    secret: `arn:aws:secretsmanager:${scope.region}:${ACCOUNT}:secret:${scope.secretPrefix}/database/postgres-superuser-AbCdEf`,
    esoUser: `arn:aws:iam::${ACCOUNT}:user${esoUserPath(scope.stack)}${esoUserName(scope.stack, "database")}`,
    backupUser: `arn:aws:iam::${ACCOUNT}:user/homelab/${backupUserName(scope.stack)}`,
    bucket: `arn:aws:s3:::${bucketPrefix(scope.stack)}20260101abcdef`,
  };
}

describe("githubTrustPolicy", () => {
  it("trusts exactly one repository's jobs in one GitHub environment, for STS's audience", () => {
    const doc = githubTrustPolicy(PROVIDER, "octo/homelab", "preview-dev");
    expect(doc.Statement).toEqual([{
      Sid: "GitHubActionsEnvironment",
      Effect: "Allow",
      Principal: { Federated: PROVIDER },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: {
          "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
          "token.actions.githubusercontent.com:sub": "repo:octo/homelab:environment:preview-dev",
        },
      },
    }]);
    expect(JSON.stringify(doc)).not.toMatch(/StringLike|\*/);
  });

  it("refuses a repository or environment that would widen the subject", () => {
    expect(() => githubTrustPolicy(PROVIDER, "octo/*", "dev")).toThrow(/owner\/name/);
    expect(() => githubTrustPolicy(PROVIDER, "octo", "dev")).toThrow(/owner\/name/);
    expect(() => githubTrustPolicy(PROVIDER, "octo/homelab", "dev:*")).toThrow(/environment/);
  });
});

describe("previewPolicy", () => {
  it.each([false, true])("only reads, and never a secret value, a backup or a key's plaintext (state bucket: %s)", (withState) => {
    const doc = previewPolicy({ ...dev, ...(withState ? { stateBucket: "pulumi-state" } : {}) });
    for (const s of doc.Statement) {
      expect(s.Effect).toBe("Allow");
      for (const action of list(s.Action)) expect(action).toMatch(/^[a-z0-9]+:(Get|List|Describe)/);
    }
    const arns = labArns(dev);
    expect(grants(doc, "secretsmanager:GetSecretValue", arns.secret)).toBeUndefined();
    expect(grants(doc, "s3:GetObject", `${arns.bucket}/base/backup.tar`)).toBeUndefined();
    expect(JSON.stringify(doc)).not.toMatch(/kms:Decrypt|GenerateDataKey/);
    expect(Boolean(grants(doc, "s3:GetObject", "arn:aws:s3:::pulumi-state/.pulumi/stacks/dev.json"))).toBe(withState);
  });

  it("reads the stack's resources as the lab names them, and none of another stack's", () => {
    const doc = previewPolicy(dev);
    const own = labArns(dev);
    const other = labArns(staging);
    expect(grants(doc, "secretsmanager:DescribeSecret", own.secret)).toBeDefined();
    expect(grants(doc, "iam:GetUser", own.esoUser)).toBeDefined();
    expect(grants(doc, "iam:GetUser", own.backupUser)).toBeDefined();
    expect(grants(doc, "s3:GetBucketPolicy", own.bucket)).toBeDefined();
    expect(grants(doc, "secretsmanager:DescribeSecret", other.secret)).toBeUndefined();
    expect(grants(doc, "iam:GetUser", other.esoUser)).toBeUndefined();
    expect(grants(doc, "iam:GetUser", other.backupUser)).toBeUndefined();
    expect(grants(doc, "s3:GetBucketPolicy", other.bucket)).toBeUndefined();
  });
});

describe("deployPolicy", () => {
  const doc = deployPolicy(dev, BOUNDARY);

  it("creates users, writes their policies and boundaries only with the workload boundary, and can never remove it", () => {
    for (const action of ["iam:CreateUser", "iam:PutUserPolicy", "iam:PutUserPermissionsBoundary"]) {
      const statements = allows(doc).filter((s) => list(s.Action).includes(action));
      expect(statements.length).toBeGreaterThan(0);
      for (const s of statements) expect(s.Condition).toEqual({ StringEquals: { "iam:PermissionsBoundary": BOUNDARY } });
    }
    expect(doc.Statement).toContainEqual(expect.objectContaining({ Effect: "Deny", Action: "iam:DeleteUserPermissionsBoundary", Resource: "*" }));
  });

  it("has no IAM right on roles, groups or managed policies (so none on itself or the boundary)", () => {
    const iamActions = allows(doc).flatMap((s) => list(s.Action)).filter((a) => a.startsWith("iam:"));
    expect(iamActions.length).toBeGreaterThan(5);
    for (const a of iamActions) expect(a).not.toMatch(/Role|UserToGroup|CreateGroup|PolicyVersion|CreatePolicy|DeletePolicy|AttachUserPolicy|\*/);
    // ...and only on the stack's users.
    for (const s of allows(doc).filter((st) => list(st.Action).some((a) => a.startsWith("iam:")))) {
      for (const r of list(s.Resource)) expect(r).toMatch(/^arn:aws:iam::123456789012:user\/homelab\/(dev\/\*|homelab-dev-pg-backup)$/);
    }
  });

  it("cannot delete the backup bucket, read backups, or schedule a key's deletion", () => {
    const own = labArns(dev);
    expect(grants(doc, "s3:DeleteBucket", own.bucket)).toBeUndefined();
    expect(grants(doc, "s3:GetObject", `${own.bucket}/wals/0001`)).toBeUndefined();
    expect(JSON.stringify(doc)).not.toMatch(/ScheduleKeyDeletion|DisableKey"|s3:\*|kms:\*|secretsmanager:\*/);
  });

  it("manages what the lab program makes for this stack, and nothing of another stack", () => {
    const own = labArns(dev);
    const other = labArns(staging);
    for (const [action, arn] of [["secretsmanager:CreateSecret", own.secret], ["iam:CreateAccessKey", own.esoUser], ["iam:DeleteAccessKey", own.backupUser], ["s3:PutBucketVersioning", own.bucket]]) {
      expect([action, grants(doc, action, arn) !== undefined]).toEqual([action, true]);
    }
    for (const [action, arn] of [["secretsmanager:CreateSecret", other.secret], ["iam:CreateAccessKey", other.esoUser], ["iam:DeleteAccessKey", other.backupUser], ["s3:PutBucketVersioning", other.bucket]]) {
      expect([action, grants(doc, action, arn) !== undefined]).toEqual([action, false]);
    }
  });

  it("uses a wildcard resource only with a condition that ties it to the stack, or for listing aliases", () => {
    for (const s of allows(doc)) {
      if (!list(s.Resource).includes("*")) continue;
      if (list(s.Action).join() === "kms:ListAliases") continue;
      expect(s.Condition).toEqual({ StringEquals: { "aws:RequestTag/homelab:stack": "dev" } });
    }
  });
});

describe("workloadBoundaryPolicy", () => {
  const boundary = workloadBoundaryPolicy(dev);

  it("lets every user the lab creates do what its own policy grants (the boundary never breaks a layer)", () => {
    const kmsKeyArn = `arn:aws:kms:eu-west-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    const bucketArn = labArns(dev).bucket;
    const docs = [
      namespaceReadPolicy({ region: "eu-west-1", accountId: ACCOUNT, prefix: "homelab/dev", namespace: "database", kmsKeyArn }),
      backupPolicyDocument(bucketArn),
    ];
    for (const doc of docs) {
      for (const s of doc.Statement) {
        for (const action of s.Action) {
          for (const resource of s.Resource) {
            const concrete = resource.replace(/\*$/, "x");
            expect([action, concrete, grants(boundary, action, concrete) !== undefined]).toEqual([action, concrete, true]);
          }
        }
      }
    }
  });

  it("grants nothing outside the stack and nothing but reads on secrets", () => {
    const other = labArns(staging);
    expect(grants(boundary, "secretsmanager:GetSecretValue", other.secret)).toBeUndefined();
    expect(grants(boundary, "s3:PutObject", `${other.bucket}/x`)).toBeUndefined();
    expect(JSON.stringify(boundary)).not.toMatch(/iam:|sts:|PutSecretValue|CreateSecret/);
  });
});

describe("stackScope and roleName", () => {
  it("reads each lab stack's region and secret prefix from its own stack file", () => {
    expect(stackScope("dev", ACCOUNT)).toEqual({ stack: "dev", region: "eu-west-1", accountId: ACCOUNT, secretPrefix: "homelab/dev" });
    expect(stackScope("staging", ACCOUNT, "state")).toMatchObject({ region: "eu-west-1", secretPrefix: "homelab/staging", stateBucket: "state" });
    expect(() => stackScope("prod", ACCOUNT)).toThrow(/no stack file .*Pulumi\.prod\.yaml/);
  });

  it("names roles per stack and purpose within IAM's 64 characters", () => {
    expect(roleName("staging", "deploy")).toBe("homelab-staging-ci-deploy");
    expect(() => roleName("x".repeat(60), "preview")).toThrow(/64 characters/);
  });
});

describe("the bootstrap program", () => {
  const registered: { type: string; name: string; inputs: Record<string, unknown> }[] = [];
  let outputs: Record<string, unknown>;

  beforeAll(async () => {
    await pulumi.runtime.setMocks({
      newResource: (args) => {
        registered.push({ type: args.type, name: args.name, inputs: args.inputs });
        return { id: `${args.name}-id`, state: { ...args.inputs, arn: `arn:aws:iam::${ACCOUNT}:x/${args.inputs.name ?? args.name}` } };
      },
      call: (args) => (args.token === "aws:index/getCallerIdentity:getCallerIdentity" ? { accountId: ACCOUNT, arn: "arn", userId: "u", id: ACCOUNT } : args.inputs),
    }, "homelab-ci-roles", "ci", false);
    pulumi.runtime.setAllConfig({ "homelab-ci-roles:repository": "octo/homelab", "homelab-ci-roles:stacks": '["dev","staging"]' });
    type Main = () => Promise<Record<string, unknown>>;
    const mod = (await import("../../bootstrap/ci-roles/index")) as unknown as Main & { default?: Main };
    const result = await (mod.default ?? mod)();
    outputs = Object.fromEntries(await Promise.all(Object.entries(result).map(async ([k, v]) => [k, await new Promise((resolve) => (pulumi.output(v) as pulumi.Output<unknown>).apply(resolve))])));
  });

  it("makes GitHub's OIDC provider, and per stack a preview role, a deploy role and a workload boundary", () => {
    const names = registered.map((r) => `${r.type} ${r.inputs.name ?? r.name}`).sort();
    expect(names).toEqual([
      "aws:iam/openIdConnectProvider:OpenIdConnectProvider github",
      "aws:iam/policy:Policy homelab-dev-workload-boundary",
      "aws:iam/policy:Policy homelab-staging-workload-boundary",
      "aws:iam/role:Role homelab-dev-ci-deploy",
      "aws:iam/role:Role homelab-dev-ci-preview",
      "aws:iam/role:Role homelab-staging-ci-deploy",
      "aws:iam/role:Role homelab-staging-ci-preview",
      "aws:iam/rolePolicy:RolePolicy deploy",
      "aws:iam/rolePolicy:RolePolicy deploy",
      "aws:iam/rolePolicy:RolePolicy preview",
      "aws:iam/rolePolicy:RolePolicy preview",
      "pulumi:providers:aws aws",
    ]);
    expect(registered.find((r) => r.type.endsWith("OpenIdConnectProvider"))?.inputs).toMatchObject({ url: "https://token.actions.githubusercontent.com", clientIdLists: ["sts.amazonaws.com"] });
  });

  it("trusts each role only from its own GitHub environment", () => {
    const subject = (name: string) => {
      const role = registered.find((r) => r.inputs.name === name)!;
      return (JSON.parse(role.inputs.assumeRolePolicy as string) as Document).Statement[0].Condition!.StringEquals["token.actions.githubusercontent.com:sub"];
    };
    expect(subject("homelab-dev-ci-preview")).toBe("repo:octo/homelab:environment:preview-dev");
    expect(subject("homelab-dev-ci-deploy")).toBe("repo:octo/homelab:environment:dev");
    expect(subject("homelab-staging-ci-deploy")).toBe("repo:octo/homelab:environment:staging");
  });

  it("exports each stack's role and boundary ARNs for the GitHub environments and homelab:aws.permissionsBoundary", () => {
    expect(outputs.roles).toMatchObject({
      dev: { previewRoleArn: expect.stringContaining("homelab-dev-ci-preview"), deployRoleArn: expect.stringContaining("homelab-dev-ci-deploy"), permissionsBoundaryArn: expect.stringContaining("homelab-dev-workload-boundary") },
      staging: { deployRoleArn: expect.stringContaining("homelab-staging-ci-deploy") },
    });
  });
});
