// A private, versioned, encrypted, TLS-only S3 bucket for one kind of backup, and the IAM user
// whose access key is the only thing allowed to write there. The database layer's bucket is the
// model (components/database/index.ts); this one serves the etcd snapshots and Velero.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { bucketPolicyDocument, lifecycleRules } from "../database/iam";
import { BackupPurpose, backupBucketPrefix, writerPolicyDocument } from "./iam";

export interface BackupBucketArgs {
  stack: string;
  purpose: BackupPurpose;
  /** Days a pruned or overwritten object stays recoverable before the lifecycle rule expires it. */
  keepPrunedDays: number;
}

export class BackupBucket extends pulumi.ComponentResource {
  readonly bucketName: pulumi.Output<string>;
  readonly bucketArn: pulumi.Output<string>;
  readonly accessKeyId: pulumi.Output<string>;
  /** Secret from creation (additionalSecretOutputs). */
  readonly secretAccessKey: pulumi.Output<string>;
  readonly userArn: pulumi.Output<string>;

  constructor(name: string, args: BackupBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:backups:BackupBucket", name, {}, opts);
    const childOpts = { parent: this };
    const tags = { "homelab:stack": args.stack, "homelab:backup": args.purpose };

    // protect: the only copy of these backups outside the lab; forceDestroy stays false so even an
    // unprotected delete fails on a non-empty bucket.
    const bucket = new aws.s3.Bucket(`${name}`, {
      bucketPrefix: backupBucketPrefix(args.stack, args.purpose),
      forceDestroy: false,
      tags,
    }, { ...childOpts, protect: true });
    const ownership = new aws.s3.BucketOwnershipControls(`${name}-ownership`, {
      bucket: bucket.id,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    }, childOpts);
    const publicAccess = new aws.s3.BucketPublicAccessBlock(`${name}-public-access`, {
      bucket: bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    }, childOpts);
    const versioning = new aws.s3.BucketVersioning(`${name}-versioning`, {
      bucket: bucket.id,
      versioningConfiguration: { status: "Enabled" },
    }, childOpts);
    new aws.s3.BucketServerSideEncryptionConfiguration(`${name}-encryption`, {
      bucket: bucket.id,
      rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
    }, childOpts);
    new aws.s3.BucketLifecycleConfiguration(`${name}-lifecycle`, {
      bucket: bucket.id,
      rules: lifecycleRules(args.keepPrunedDays),
    }, { ...childOpts, dependsOn: [versioning] });
    new aws.s3.BucketPolicy(`${name}-tls-only`, {
      bucket: bucket.id,
      policy: bucket.arn.apply((arn) => JSON.stringify(bucketPolicyDocument(arn))),
    }, { ...childOpts, dependsOn: [publicAccess, ownership] });

    const user = new aws.iam.User(`${name}-writer`, {
      name: `homelab-${args.stack}-${args.purpose}-backup`,
      path: "/homelab/",
      tags,
    }, childOpts);
    new aws.iam.UserPolicy(`${name}-writer`, {
      user: user.name,
      policy: bucket.arn.apply((arn) => JSON.stringify(writerPolicyDocument(arn, args.purpose))),
    }, childOpts);
    const accessKey = new aws.iam.AccessKey(`${name}-writer`, { user: user.name }, {
      ...childOpts,
      additionalSecretOutputs: ["secret"],
    });

    this.bucketName = bucket.bucket;
    this.bucketArn = bucket.arn;
    this.accessKeyId = accessKey.id;
    this.secretAccessKey = pulumi.secret(accessKey.secret);
    this.userArn = user.arn;
    this.registerOutputs({ bucketName: this.bucketName, bucketArn: this.bucketArn, userArn: this.userArn });
  }
}
