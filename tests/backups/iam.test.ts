import { backupBucketPrefix, WRITER_ACTIONS, writerPolicyDocument } from "../../components/backups/iam";

const ARN = "arn:aws:s3:::homelab-staging-etcd-20261129abcdef";

describe("backup bucket names", () => {
  it("are per stack and purpose, short enough for AWS's 26-character suffix", () => {
    expect(backupBucketPrefix("staging", "etcd")).toBe("homelab-staging-etcd-");
    expect(backupBucketPrefix("Dev_Lab", "velero")).toBe("homelab-dev-lab-velero-");
    expect(backupBucketPrefix("a-very-long-stack-name-indeed", "velero").length + 26).toBeLessThanOrEqual(63);
  });
});

describe("the writer identities", () => {
  it.each(["etcd", "velero"] as const)("%s: its actions on this bucket only, no version deletion, no bucket writes", (purpose) => {
    const doc = writerPolicyDocument(ARN, purpose);
    expect(doc.Statement.map((s) => s.Resource)).toEqual([[`${ARN}/*`], [ARN]]);
    const actions = doc.Statement.flatMap((s) => s.Action);
    expect(actions).not.toContain("s3:DeleteObjectVersion");
    expect(actions.filter((a) => a.includes("*"))).toEqual([]);
    expect(actions.filter((a) => /^s3:(Put|Delete)Bucket/.test(a))).toEqual([]);
    expect(doc.Statement.every((s) => s.Effect === "Allow")).toBe(true);
  });

  it("let K3s prune old snapshots and Velero clean up failed uploads", () => {
    expect(WRITER_ACTIONS.etcd.objects).toContain("s3:DeleteObject");
    expect(WRITER_ACTIONS.velero.objects).toEqual(expect.arrayContaining(["s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]));
  });

  it("refuse a wildcard or another service's ARN", () => {
    expect(() => writerPolicyDocument("arn:aws:s3:::*", "etcd")).toThrow(/one S3 bucket's ARN/);
    expect(() => writerPolicyDocument("arn:aws:iam::123:user/x", "velero")).toThrow(/one S3 bucket's ARN/);
  });
});
