// Pure AWS documents for the program's own backup buckets (etcd snapshots, Velero): a bucket name
// prefix per stack and purpose, and the least-privilege policy of the identity that writes there.
// The bucket policy (TLS only) and lifecycle rules are the database bucket's (../database/iam.ts).
import type { PolicyDocument } from "../database/iam";

export type BackupPurpose = "etcd" | "velero";

/** Bucket name prefix (AWS adds a 26-character suffix): homelab-<stack>-<purpose>-, at most 37 characters. */
export function backupBucketPrefix(stack: string, purpose: BackupPurpose): string {
  const slug = stack.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "") || "stack";
  return `homelab-${slug.slice(0, 16).replace(/-+$/, "")}-${purpose}-`;
}

/**
 * What each writer calls on its bucket, and nothing else.
 * - K3s (minio-go): HeadBucket before every upload (s3:ListBucket), uploads, downloads on restore,
 *   lists and deletes what etcd-snapshot-retention prunes.
 * - Velero and its kopia repository: the same, plus aborting failed multipart uploads and listing
 *   their parts (velero-plugin-for-aws's documented policy, without the EC2 snapshot actions: this
 *   lab takes no volume snapshots).
 * No s3:DeleteObjectVersion and no bucket-level write: with versioning on, a leaked key can only
 * add delete markers, and the previous versions stay until the lifecycle rule expires them.
 */
export const WRITER_ACTIONS: Record<BackupPurpose, { objects: string[]; bucket: string[] }> = {
  etcd: {
    objects: ["s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:AbortMultipartUpload"],
    bucket: ["s3:ListBucket", "s3:GetBucketLocation"],
  },
  velero: {
    objects: ["s3:PutObject", "s3:GetObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
    bucket: ["s3:ListBucket", "s3:GetBucketLocation"],
  },
};

function requireBucketArn(bucketArn: string): void {
  if (!/^arn:[a-z-]+:[a-z0-9-]+:::[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucketArn)) {
    throw new Error(`expected one S3 bucket's ARN such as arn:aws:s3:::my-bucket, got "${bucketArn}"`);
  }
}

/** The writer identity's policy: its purpose's actions on this one bucket. */
export function writerPolicyDocument(bucketArn: string, purpose: BackupPurpose): PolicyDocument {
  requireBucketArn(bucketArn);
  const actions = WRITER_ACTIONS[purpose];
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "BackupObjects", Effect: "Allow", Action: [...actions.objects], Resource: [`${bucketArn}/*`] },
      { Sid: "BackupBucket", Effect: "Allow", Action: [...actions.bucket], Resource: [bucketArn] },
    ],
  };
}
