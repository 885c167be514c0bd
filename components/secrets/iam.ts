// Least-privilege IAM documents for External Secrets: one identity per namespace, reading only the
// Secrets Manager entries under that namespace's prefix. Pure, so tests check every document.

/**
 * What ESO's AWS Secrets Manager provider calls for `data[].remoteRef` / `dataFrom[].extract`:
 * GetSecretValue; DescribeSecret (metadata and version lookups) and ListSecretVersionIds (version
 * pinning by stage) complete the read-only set ESO documents. `find` (ListSecrets, BatchGetSecretValue)
 * would need Resource "*", so the lab never uses it.
 */
export const SECRETS_READ_ACTIONS = [
  "secretsmanager:GetSecretValue",
  "secretsmanager:DescribeSecret",
  "secretsmanager:ListSecretVersionIds",
] as const;

export interface PolicyStatement {
  Sid: string;
  Effect: "Allow";
  Action: string[];
  Resource: string[];
  Condition?: Record<string, Record<string, string>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

export interface NamespaceScope {
  region: string;
  accountId: string;
  /** The stack's Secrets Manager name prefix, e.g. homelab/staging. */
  prefix: string;
  namespace: string;
}

/** The AWS partition a region belongs to (ARNs differ in China and GovCloud). */
export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

/**
 * The ARN pattern of a namespace's secrets. Secrets Manager appends "-XXXXXX" to every ARN, so the
 * pattern must end in a wildcard; the "/" before it keeps `database` from matching `database-x`.
 */
export function namespaceSecretsArn(scope: NamespaceScope): string {
  if (!/^\d{12}$/.test(scope.accountId)) throw new Error(`expected a 12-digit AWS account id, got "${scope.accountId}"`);
  if (/[*?]/.test(scope.prefix) || /[*?/]/.test(scope.namespace)) {
    throw new Error(`secret prefix "${scope.prefix}" and namespace "${scope.namespace}" must not contain wildcards`);
  }
  return `arn:${partitionOf(scope.region)}:secretsmanager:${scope.region}:${scope.accountId}:secret:${scope.prefix}/${scope.namespace}/*`;
}

/** The policy of one namespace's ESO identity. */
export function namespaceReadPolicy(scope: NamespaceScope & { kmsKeyArn?: string }): PolicyDocument {
  const statements: PolicyStatement[] = [{
    Sid: "ReadNamespaceSecrets",
    Effect: "Allow",
    Action: [...SECRETS_READ_ACTIONS],
    Resource: [namespaceSecretsArn(scope)],
  }];
  if (scope.kmsKeyArn !== undefined) {
    // With a customer-managed key, Secrets Manager decrypts on the caller's behalf and needs the caller
    // to hold kms:Decrypt on that key (the AWS-managed key needs no grant). ViaService limits the
    // grant to decryption through Secrets Manager in this region: the identity cannot use the key directly.
    statements.push({
      Sid: "DecryptThroughSecretsManager",
      Effect: "Allow",
      Action: ["kms:Decrypt"],
      Resource: [scope.kmsKeyArn],
      Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${scope.region}.amazonaws.com` } },
    });
  }
  return { Version: "2012-10-17", Statement: statements };
}

/** Does an IAM resource pattern (`*` any run of characters, `?` one) match an ARN? */
export function arnPatternMatches(pattern: string, arn: string): boolean {
  const regex = pattern
    .split("")
    .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\/-]/g, "\\$&")))
    .join("");
  return new RegExp(`^${regex}$`).test(arn);
}

/** The identity's name in homelab:aws.accessKeyGenerations: eso-<namespace>. */
export function esoIdentity(namespace: string): string {
  return `eso-${namespace}`;
}

/** The IAM path of a stack's External Secrets users; CI's deploy role is scoped to it. */
export function esoUserPath(stack: string): string {
  return `/homelab/${stack}/`;
}

/** IAM user names: at most 64 characters of [A-Za-z0-9+=,.@_-]. */
export function esoUserName(stack: string, namespace: string): string {
  const name = `homelab-${stack}-eso-${namespace}`.replace(/[^A-Za-z0-9+=,.@_-]/g, "-");
  if (name.length > 64) throw new Error(`IAM user name "${name}" is longer than 64 characters; shorten the stack or namespace name`);
  return name;
}
