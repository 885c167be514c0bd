// AWS: Secrets Manager entries under the stack's prefix with a real recovery window, least-privilege
// IAM documents, and S3 buckets that are private, encrypted and versioned. In @pulumi/aws v7 the
// bucket settings are separate resources, so the S3 rule is a stack policy matching companions.
import { asArray, asObject, exemptionsSchema, isExempt, isObject, knownString } from "./lib/k8s";
import { Exemption, Finding, HomelabPolicy, PlainResource, ResourcePolicy, SECRET, StackPolicy, UNKNOWN } from "./lib/types";

export const SECRET_TYPE = "aws:secretsmanager/secret:Secret";

export interface SecretNamingConfig {
  prefix: string;
  minimumRecoveryWindowInDays: number;
  exemptions: Exemption[];
}

export function secretNamingProblems(props: Record<string, unknown>, config: SecretNamingConfig): string[] {
  const problems: string[] = [];
  const name = knownString(props.name) ?? knownString(props.namePrefix);
  if (name === undefined) {
    if (props.name === undefined && props.namePrefix === undefined) problems.push(`the secret has no name; name it under "${config.prefix}"`);
  } else if (!name.startsWith(config.prefix)) {
    problems.push(`secret name "${name}" is not under the stack prefix "${config.prefix}"`);
  }
  const window = props.recoveryWindowInDays;
  if (typeof window === "number" && window < config.minimumRecoveryWindowInDays) {
    problems.push(`recoveryWindowInDays is ${window}${window === 0 ? " (immediate, unrecoverable deletion)" : ""}; at least ${config.minimumRecoveryWindowInDays} is required`);
  }
  return problems;
}

export const secretNamingPolicy: ResourcePolicy<SecretNamingConfig> = {
  scope: "resource",
  name: "aws-secret-naming",
  description: "Secrets Manager secrets are named under the stack's prefix (so per-namespace IAM can scope to it) and keep a recovery window of at least 7 days.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Name the secret `<prefix><namespace>/<name>` (prefix from homelab:aws.secretPrefix, default homelab/<stack>/) and set recoveryWindowInDays to 7 or more (or leave it unset for AWS's 30).",
  tags: ["aws", "secrets"],
  types: [SECRET_TYPE],
  configSchema: {
    properties: {
      prefix: { type: "string", minLength: 1, default: "homelab/", description: "Every secret name starts with this (include the trailing /)." },
      minimumRecoveryWindowInDays: { type: "integer", minimum: 7, maximum: 30, default: 7 },
      exemptions: exemptionsSchema,
    },
  },
  check(r, config) {
    return isExempt(r, config.exemptions) ? [] : secretNamingProblems(r.props, config);
  },
};

// ---- IAM -----------------------------------------------------------------------------------------

export const IAM_DOCUMENT_TYPES = ["aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy", "aws:iam/userPolicy:UserPolicy", "aws:iam/groupPolicy:GroupPolicy"];
export const IAM_ATTACHMENT_TYPES = [
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  "aws:iam/userPolicyAttachment:UserPolicyAttachment",
  "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
  "aws:iam/policyAttachment:PolicyAttachment",
];
export const IAM_ROLE_TYPE = "aws:iam/role:Role";

/** AWS-managed policies that amount to administrator access. */
export const ADMIN_POLICY_ARNS = [
  "arn:aws:iam::aws:policy/AdministratorAccess",
  "arn:aws:iam::aws:policy/IAMFullAccess",
  "arn:aws:iam::aws:policy/PowerUserAccess",
];

const toList = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : v === undefined || v === null ? [] : [String(v)]);

/** Every least-privilege problem in an IAM policy document (a JSON string or an object). */
export function iamDocumentProblems(document: unknown): string[] {
  if (document === undefined || document === UNKNOWN || document === SECRET) return [];
  let doc: unknown = document;
  if (typeof document === "string") {
    try {
      doc = JSON.parse(document);
    } catch {
      return ["the policy document is not valid JSON"];
    }
  }
  const problems: string[] = [];
  const statements = asArray(Array.isArray(asObject(doc).Statement) ? asObject(doc).Statement : [asObject(doc).Statement]).map(asObject);
  statements.forEach((s, i) => {
    if (s.Effect !== "Allow") return;
    const where = `statement ${s.Sid ? `"${s.Sid}"` : i}`;
    if (s.NotAction !== undefined) problems.push(`${where} allows NotAction, which grants every other action`);
    const actions = toList(s.Action);
    const resources = toList(s.Resource);
    if (actions.some((a) => a === "*" || a === "*:*")) problems.push(`${where} allows every action ("*")`);
    if (actions.some((a) => a.toLowerCase() === "iam:*")) problems.push(`${where} grants iam:*, which is administrator access`);
    const scopedServices = [...new Set(actions.map((a) => a.split(":")[0].toLowerCase()).filter((svc) => svc === "secretsmanager" || svc === "s3"))];
    if (scopedServices.length && (resources.includes("*") || s.NotResource !== undefined)) {
      problems.push(`${where} allows ${scopedServices.join("/")} actions on every resource; scope Resource to the ARNs it needs`);
    }
  });
  return problems;
}

export interface ExemptionsConfig {
  exemptions: Exemption[];
}

export const iamLeastPrivilegePolicy: ResourcePolicy<ExemptionsConfig> = {
  scope: "resource",
  name: "aws-iam-least-privilege",
  description: "IAM policy documents grant no `*` action, no Secrets Manager or S3 action on `*` resources, and no administrator access (iam:*, NotAction, AdministratorAccess/IAMFullAccess/PowerUserAccess).",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps: "List the exact actions (e.g. secretsmanager:GetSecretValue, secretsmanager:DescribeSecret) and scope Resource to the secret ARNs under the namespace's prefix; attach no administrator managed policy.",
  tags: ["aws", "iam", "least-privilege"],
  types: [...IAM_DOCUMENT_TYPES, ...IAM_ATTACHMENT_TYPES, IAM_ROLE_TYPE],
  configSchema: { properties: { exemptions: exemptionsSchema } },
  check(r, config) {
    if (isExempt(r, config.exemptions)) return [];
    if (IAM_DOCUMENT_TYPES.includes(r.type)) return iamDocumentProblems(r.props.policy);
    if (IAM_ATTACHMENT_TYPES.includes(r.type)) {
      const arn = knownString(r.props.policyArn);
      return arn && ADMIN_POLICY_ARNS.includes(arn) ? [`attaches ${arn}, which is administrator access`] : [];
    }
    const problems = asArray(r.props.inlinePolicies).flatMap((p) =>
      iamDocumentProblems(asObject(p).policy).map((m) => `inline policy "${asObject(p).name ?? "?"}": ${m}`));
    for (const arn of toList(r.props.managedPolicyArns)) if (ADMIN_POLICY_ARNS.includes(arn)) problems.push(`attaches ${arn}, which is administrator access`);
    return problems;
  },
};

// ---- S3 ------------------------------------------------------------------------------------------

export const BUCKET_TYPES = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"];
export const PUBLIC_ACCESS_BLOCK_TYPES = ["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"];
export const ENCRYPTION_TYPES = [
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2",
];
export const VERSIONING_TYPES = ["aws:s3/bucketVersioning:BucketVersioning", "aws:s3/bucketVersioningV2:BucketVersioningV2"];

/** True when `companion` configures `bucket`: by property dependency, by the bucket's name/id, or by plain dependency. */
export function configuresBucket(companion: PlainResource, bucket: PlainResource): boolean {
  const byProperty = companion.propertyDependencies?.bucket;
  if (byProperty && byProperty.length) return byProperty.includes(bucket.urn);
  const target = knownString(companion.props.bucket);
  const identities = [bucket.props.bucket, bucket.props.id, bucket.props.arn].map(knownString).filter((v): v is string => v !== undefined);
  if (target !== undefined && identities.includes(target)) return true;
  return (companion.dependencies ?? []).includes(bucket.urn);
}

/** What a bucket lacks, given every resource in the stack. */
export function bucketProblems(bucket: PlainResource, resources: PlainResource[]): string[] {
  const companions = (types: string[]) => resources.filter((r) => types.includes(r.type) && configuresBucket(r, bucket));
  const problems: string[] = [];
  const blocks = companions(PUBLIC_ACCESS_BLOCK_TYPES);
  const flags = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
  if (!blocks.length) problems.push("no BucketPublicAccessBlock");
  else if (!blocks.some((b) => flags.every((f) => b.props[f] === true))) {
    problems.push(`its BucketPublicAccessBlock does not set all of ${flags.join(", ")} to true`);
  }
  const inlineEncryption = isObject(bucket.props.serverSideEncryptionConfiguration);
  const encrypted = companions(ENCRYPTION_TYPES).some((e) =>
    asArray(e.props.rules).some((rule) => asObject(asObject(rule).applyServerSideEncryptionByDefault).sseAlgorithm != null));
  if (!encrypted && !inlineEncryption) problems.push("no BucketServerSideEncryptionConfiguration with a default algorithm");
  const inlineVersioning = asObject(bucket.props.versioning).enabled === true;
  const versioned = companions(VERSIONING_TYPES).some((v) => asObject(v.props.versioningConfiguration).status === "Enabled");
  if (!versioned && !inlineVersioning) problems.push("no BucketVersioning with status Enabled");
  return problems;
}

export const s3BucketProtectionPolicy: StackPolicy<ExemptionsConfig> = {
  scope: "stack",
  name: "aws-s3-bucket-protection",
  description: "Every S3 bucket has public access blocked (all four flags), default server-side encryption and versioning enabled, each through its companion resource.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Next to the bucket, create aws.s3.BucketPublicAccessBlock (all four flags true), aws.s3.BucketServerSideEncryptionConfiguration (sseAlgorithm aws:kms or AES256) and aws.s3.BucketVersioning (status Enabled), each with bucket: bucket.id.",
  tags: ["aws", "s3", "data"],
  configSchema: { properties: { exemptions: exemptionsSchema } },
  check(resources, config) {
    const findings: Finding[] = [];
    for (const bucket of resources.filter((r) => BUCKET_TYPES.includes(r.type))) {
      if (isExempt(bucket, config.exemptions)) continue;
      const problems = bucketProblems(bucket, resources);
      if (problems.length) findings.push({ resource: bucket, message: `bucket "${knownString(bucket.props.bucket) ?? bucket.name}" has ${problems.join("; ")}` });
    }
    return findings;
  },
};

export const awsPolicies: HomelabPolicy[] = [secretNamingPolicy, iamLeastPrivilegePolicy, s3BucketProtectionPolicy];
