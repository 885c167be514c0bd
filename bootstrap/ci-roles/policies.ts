// Pure IAM documents for CI: the trust of a role assumed with GitHub's OIDC token, the read-only
// policy of a stack's preview role, the policy of its deploy role, and the permissions boundary
// every IAM user the lab program creates carries. Scoped by the same names the lab program uses
// (secret prefix, IAM user names and paths, backup bucket prefix, KMS alias), so a role of one
// stack can touch nothing of another.
import { backupUserName, bucketPrefix } from "../../components/database/iam";
import { esoUserPath, partitionOf, SECRETS_READ_ACTIONS } from "../../components/secrets/iam";

/** GitHub's OIDC issuer, as the IAM identity provider's URL and condition-key prefix. */
export const GITHUB_OIDC_HOST = "token.actions.githubusercontent.com";
export const GITHUB_OIDC_AUDIENCE = "sts.amazonaws.com";

export interface Statement {
  Sid: string;
  Effect: "Allow" | "Deny";
  Action: string | string[];
  Resource?: string | string[];
  Principal?: Record<string, string>;
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface Document {
  Version: "2012-10-17";
  Statement: Statement[];
}

/** What the roles of one lab stack may touch: read from the stack's own settings. */
export interface StackScope {
  stack: string;
  region: string;
  accountId: string;
  /** The stack's Secrets Manager prefix (homelab:aws.secretPrefix, default homelab/<stack>). */
  secretPrefix: string;
  /** The S3 bucket of a self-managed Pulumi backend (PULUMI_BACKEND_URL s3://...), if any. */
  stateBucket?: string;
}

/** owner/name, as GitHub spells a repository. */
export function checkRepository(repository: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}$/.test(repository)) {
    throw new Error(`expected a GitHub repository as owner/name, got "${repository}"`);
  }
  return repository;
}

/** The GitHub environment a stack's preview runs in (preview.yml) and the one it deploys in (deploy-stack.yml). */
export const previewEnvironment = (stack: string) => `preview-${stack}`;
export const deployEnvironment = (stack: string) => stack;

/**
 * Who may assume a role: a job of this repository that runs in this GitHub environment, and
 * nothing else. The `sub` claim of a job with an environment is repo:<owner>/<name>:environment:<env>
 * (GitHub's default subject format); a job without one (any pull request, any branch) has another
 * subject and is refused. StringEquals, never StringLike: no wildcard in who gets in.
 */
export function githubTrustPolicy(providerArn: string, repository: string, environment: string): Document {
  checkRepository(repository);
  if (!/^[A-Za-z0-9._-]+$/.test(environment)) throw new Error(`unexpected GitHub environment name "${environment}"`);
  return {
    Version: "2012-10-17",
    Statement: [{
      Sid: "GitHubActionsEnvironment",
      Effect: "Allow",
      Principal: { Federated: providerArn },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: {
        StringEquals: {
          [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
          [`${GITHUB_OIDC_HOST}:sub`]: `repo:${repository}:environment:${environment}`,
        },
      },
    }],
  };
}

/** ARNs of what one stack owns, named as the lab program names them. */
export function stackArns(scope: StackScope) {
  const p = partitionOf(scope.region);
  const iam = `arn:${p}:iam::${scope.accountId}`;
  if (!/^\d{12}$/.test(scope.accountId)) throw new Error(`expected a 12-digit AWS account id, got "${scope.accountId}"`);
  if (/[*?]/.test(scope.secretPrefix)) throw new Error(`secret prefix "${scope.secretPrefix}" must not contain wildcards`);
  return {
    secrets: `arn:${p}:secretsmanager:${scope.region}:${scope.accountId}:secret:${scope.secretPrefix}/*`,
    // External Secrets' users live under /homelab/<stack>/; the backup user is one exact name.
    users: [`${iam}:user${esoUserPath(scope.stack)}*`, `${iam}:user/homelab/${backupUserName(scope.stack)}`],
    backupBuckets: `arn:${p}:s3:::${bucketPrefix(scope.stack)}*`,
    kmsAlias: `arn:${p}:kms:${scope.region}:${scope.accountId}:alias/homelab-${scope.stack}-secrets`,
    kmsKeys: `arn:${p}:kms:${scope.region}:${scope.accountId}:key/*`,
    stateBucket: scope.stateBucket ? `arn:${p}:s3:::${scope.stateBucket}` : undefined,
  };
}

/** The tag the lab's AWS provider puts on everything (index.ts defaultTags). */
const STACK_TAG = "homelab:stack";

/** Reads that bucket-level refreshes make; object contents (backups) are not among them. */
const BUCKET_READS = [
  "s3:GetBucket*",
  "s3:GetAccelerateConfiguration",
  "s3:GetEncryptionConfiguration",
  "s3:GetLifecycleConfiguration",
  "s3:GetReplicationConfiguration",
];
const USER_READS = [
  "iam:GetUser",
  "iam:GetUserPolicy",
  "iam:GetLoginProfile",
  "iam:ListAccessKeys",
  "iam:ListAttachedUserPolicies",
  "iam:ListGroupsForUser",
  "iam:ListMFADevices",
  "iam:ListSSHPublicKeys",
  "iam:ListServiceSpecificCredentials",
  "iam:ListSigningCertificates",
  "iam:ListUserPolicies",
  "iam:ListUserTags",
];
const KEY_READS = ["kms:DescribeKey", "kms:GetKeyPolicy", "kms:GetKeyRotationStatus", "kms:ListResourceTags"];

function stateBucketStatements(arns: ReturnType<typeof stackArns>, write: boolean): Statement[] {
  if (!arns.stateBucket) return [];
  return [
    { Sid: "PulumiStateList", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: arns.stateBucket },
    {
      Sid: "PulumiStateObjects",
      Effect: "Allow",
      Action: write ? ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"] : ["s3:GetObject"],
      Resource: `${arns.stateBucket}/*`,
    },
  ];
}

/**
 * The preview role: what `pulumi preview` (and `--refresh`) reads, and no secret value: no
 * secretsmanager:GetSecretValue, no s3:GetObject on backups, no kms:Decrypt. A preview writes
 * nothing, not even the state, so the role has no write at all.
 */
export function previewPolicy(scope: StackScope): Document {
  const arns = stackArns(scope);
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "SecretMetadata", Effect: "Allow", Action: ["secretsmanager:DescribeSecret", "secretsmanager:GetResourcePolicy", "secretsmanager:ListSecretVersionIds"], Resource: arns.secrets },
      { Sid: "Users", Effect: "Allow", Action: USER_READS, Resource: arns.users },
      { Sid: "BackupBucketSettings", Effect: "Allow", Action: BUCKET_READS, Resource: arns.backupBuckets },
      { Sid: "KeyMetadata", Effect: "Allow", Action: KEY_READS, Resource: arns.kmsKeys, Condition: { StringEquals: { [`aws:ResourceTag/${STACK_TAG}`]: scope.stack } } },
      { Sid: "KeyAliases", Effect: "Allow", Action: "kms:ListAliases", Resource: "*" },
      ...stateBucketStatements(arns, false),
    ],
  };
}

/**
 * The ceiling of every IAM user the lab program creates (homelab:aws.permissionsBoundary): the
 * union of what External Secrets' users and the backup user need, on this stack's resources. A
 * user's own inline policy narrows it further; the boundary is what keeps the deploy role, which
 * creates those users and writes their policies, from minting a user with more rights than that.
 */
export function workloadBoundaryPolicy(scope: StackScope): Document {
  const arns = stackArns(scope);
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "ReadStackSecrets", Effect: "Allow", Action: [...SECRETS_READ_ACTIONS], Resource: arns.secrets },
      {
        Sid: "DecryptThroughSecretsManager",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: arns.kmsKeys,
        Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${scope.region}.amazonaws.com`, [`aws:ResourceTag/${STACK_TAG}`]: scope.stack } },
      },
      { Sid: "BackupObjects", Effect: "Allow", Action: ["s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:AbortMultipartUpload"], Resource: `${arns.backupBuckets}/*` },
      { Sid: "BackupBucket", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: arns.backupBuckets },
    ],
  };
}

/**
 * The deploy role: what `pulumi up` of the lab program creates, updates and reads in AWS, on this
 * stack's resources only. It can create IAM users and write their policies only with the workload
 * boundary attached, and never remove it; it has no IAM right on roles or managed policies (so not
 * on itself), cannot delete the backup bucket or read backups, and cannot schedule a key's deletion.
 */
export function deployPolicy(scope: StackScope, boundaryArn: string): Document {
  const arns = stackArns(scope);
  const tagged = { StringEquals: { [`aws:ResourceTag/${STACK_TAG}`]: scope.stack } };
  const bounded = { StringEquals: { "iam:PermissionsBoundary": boundaryArn } };
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "StackSecrets",
        Effect: "Allow",
        Action: [
          "secretsmanager:CreateSecret", "secretsmanager:DeleteSecret", "secretsmanager:DescribeSecret",
          "secretsmanager:GetResourcePolicy", "secretsmanager:GetSecretValue", "secretsmanager:ListSecretVersionIds",
          "secretsmanager:PutSecretValue", "secretsmanager:RestoreSecret", "secretsmanager:TagResource",
          "secretsmanager:UntagResource", "secretsmanager:UpdateSecret", "secretsmanager:UpdateSecretVersionStage",
        ],
        Resource: arns.secrets,
      },
      // Users: created, given a policy and a boundary only when the boundary is the workload one.
      { Sid: "BoundedUsers", Effect: "Allow", Action: ["iam:CreateUser", "iam:PutUserPermissionsBoundary", "iam:PutUserPolicy"], Resource: arns.users, Condition: bounded },
      {
        Sid: "Users",
        Effect: "Allow",
        Action: [
          ...USER_READS, "iam:CreateAccessKey", "iam:DeleteAccessKey", "iam:UpdateAccessKey", "iam:DeleteUser",
          "iam:DeleteUserPolicy", "iam:TagUser", "iam:UntagUser",
        ],
        Resource: arns.users,
      },
      { Sid: "KeepTheBoundary", Effect: "Deny", Action: "iam:DeleteUserPermissionsBoundary", Resource: "*" },
      { Sid: "BackupBucket", Effect: "Allow", Action: ["s3:CreateBucket", "s3:ListBucket", ...BUCKET_READS, "s3:PutBucket*", "s3:DeleteBucketPolicy", "s3:PutEncryptionConfiguration", "s3:PutLifecycleConfiguration"], Resource: arns.backupBuckets },
      // The customer-managed key (homelab:aws.customerManagedKey): created tagged with the stack,
      // then managed only while it carries that tag; Secrets Manager encrypts with it on the
      // caller's behalf when secrets are written.
      { Sid: "CreateStackKey", Effect: "Allow", Action: ["kms:CreateKey", "kms:TagResource"], Resource: "*", Condition: { StringEquals: { [`aws:RequestTag/${STACK_TAG}`]: scope.stack } } },
      {
        Sid: "StackKey",
        Effect: "Allow",
        Action: [...KEY_READS, "kms:EnableKeyRotation", "kms:PutKeyPolicy", "kms:UpdateKeyDescription", "kms:UntagResource", "kms:TagResource", "kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"],
        Resource: arns.kmsKeys,
        Condition: tagged,
      },
      { Sid: "StackKeyAlias", Effect: "Allow", Action: ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"], Resource: arns.kmsAlias },
      {
        Sid: "EncryptThroughSecretsManager",
        Effect: "Allow",
        Action: ["kms:Decrypt", "kms:GenerateDataKey"],
        Resource: arns.kmsKeys,
        Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${scope.region}.amazonaws.com`, [`aws:ResourceTag/${STACK_TAG}`]: scope.stack } },
      },
      { Sid: "KeyAliases", Effect: "Allow", Action: "kms:ListAliases", Resource: "*" },
      ...stateBucketStatements(arns, true),
    ],
  };
}

/** IAM role names: homelab-<stack>-<purpose>, at most 64 characters. */
export function roleName(stack: string, purpose: "preview" | "deploy"): string {
  const name = `homelab-${stack}-ci-${purpose}`;
  if (!/^[\w+=,.@-]{1,64}$/.test(name)) throw new Error(`IAM role name "${name}" is invalid or longer than 64 characters; shorten the stack name`);
  return name;
}
