// Pure AWS documents for the backup bucket: the backup identity's policy (this bucket only, only
// what Barman Cloud calls), the bucket policy (TLS only) and the lifecycle rules.

export interface PolicyStatement {
  Sid: string;
  Effect: "Allow" | "Deny";
  Action: string[];
  Resource: string[];
  Principal?: string | Record<string, string>;
  Condition?: Record<string, Record<string, string>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

/** Refuses anything but one bucket's ARN: a wildcard here would grant every bucket in the account. */
function requireBucketArn(bucketArn: string): void {
  if (!/^arn:[a-z-]+:[a-z0-9-]+:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucketArn)) {
    throw new Error(`expected one S3 bucket's ARN such as arn:aws:s3:::my-bucket, got "${bucketArn}"`);
  }
}

/**
 * The backup bucket's name prefix (AWS adds a unique suffix): bucket names are global, so a fixed
 * name would collide with any other lab built from this program. At most 37 characters.
 */
export function bucketPrefix(stack: string): string {
  const slug = stack.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "") || "stack";
  return `homelab-${slug.slice(0, 14).replace(/-+$/, "")}-pg-backups-`;
}

/** The backup identity's IAM user name (path /homelab/); CI's deploy role is scoped to it. */
export function backupUserName(stack: string): string {
  return `homelab-${stack}-pg-backup`;
}

/**
 * What the Barman Cloud sidecar needs, on this bucket and nothing else: write WAL and base
 * backups, read them back (restore, WAL checks), delete what the retention policy expires, list
 * (HeadBucket, which barman calls before every upload, is authorised by s3:ListBucket).
 * s3:AbortMultipartUpload: base backups go up as multipart uploads, and when one fails barman
 * aborts it (S3CloudInterface._abort_multipart_upload); without the grant that cleanup is denied,
 * the AccessDenied replaces the real upload error in the logs, and the parts are billed until the
 * lifecycle rule aborts them. It is not covered by s3:PutObject.
 * No s3:DeleteObjectVersion: with versioning on, a leaked key can only add delete markers, and
 * the previous versions stay recoverable until the lifecycle rule expires them.
 */
export function backupPolicyDocument(bucketArn: string): PolicyDocument {
  requireBucketArn(bucketArn);
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "BackupObjects",
        Effect: "Allow",
        Action: ["s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
        Resource: [`${bucketArn}/*`],
      },
      {
        Sid: "BackupBucket",
        Effect: "Allow",
        Action: ["s3:ListBucket", "s3:GetBucketLocation"],
        Resource: [bucketArn],
      },
    ],
  };
}

/** Refuses plain-HTTP access to the bucket, whoever asks. */
export function bucketPolicyDocument(bucketArn: string): PolicyDocument {
  requireBucketArn(bucketArn);
  return {
    Version: "2012-10-17",
    Statement: [{
      Sid: "DenyInsecureTransport",
      Effect: "Deny",
      Principal: "*",
      Action: ["s3:*"],
      Resource: [bucketArn, `${bucketArn}/*`],
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    }],
  };
}

/** Days a deleted or overwritten backup object stays recoverable after the retention policy drops it. */
export const NONCURRENT_GRACE_DAYS = 7;

export interface LifecycleRule {
  id: string;
  status: "Enabled";
  filter: Record<string, never>;
  noncurrentVersionExpiration?: { noncurrentDays: number };
  expiration?: { expiredObjectDeleteMarker: boolean };
  abortIncompleteMultipartUpload?: { daysAfterInitiation: number };
}

/**
 * Lifecycle for old backups. Barman Cloud owns retention: it deletes base backups and WAL outside
 * the recovery window (ObjectStore retentionPolicy). With versioning those deletions leave
 * noncurrent versions, which expire after the window plus a grace period. Current objects never
 * expire by age: if backups stopped, an age rule would delete the last good base backup and the
 * timeline history files that every restore needs.
 */
export function lifecycleRules(retentionDays: number): LifecycleRule[] {
  if (!Number.isInteger(retentionDays) || retentionDays < 1) {
    throw new Error(`backup retention: expected a whole number of days >= 1, got ${retentionDays}`);
  }
  return [
    {
      id: "expire-pruned-backups",
      status: "Enabled",
      filter: {},
      noncurrentVersionExpiration: { noncurrentDays: retentionDays + NONCURRENT_GRACE_DAYS },
    },
    {
      id: "clean-up-delete-markers",
      status: "Enabled",
      filter: {},
      expiration: { expiredObjectDeleteMarker: true },
    },
    {
      id: "abort-incomplete-uploads",
      status: "Enabled",
      filter: {},
      abortIncompleteMultipartUpload: { daysAfterInitiation: 7 },
    },
  ];
}
