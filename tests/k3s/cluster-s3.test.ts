// K3sCluster with etcd snapshots to S3 under the mock runtime: the credentials reach servers only
// on stdin, their rotation re-applies servers through a secret trigger, and no value shows.
import * as pulumi from "@pulumi/pulumi";
import { mockRuntime, settle, Recorder } from "../helpers/runtime";
import type { RecordedResource } from "../../tools/lib/recorder";
import { K3sCluster, etcdS3CredentialsDigest, etcdS3CredentialsFrom, etcdS3CredentialsYaml } from "../../components/k3s";
import { node, settings } from "./fixtures";

const CMD = "command:remote:Command";
const ACCESS_KEY_ID = "AKIA-canary-access-key-id";
const SECRET_ACCESS_KEY = "canary-secret-access-key-9f8e7d";
const PROGRAM_BUCKET = "homelab-staging-etcd-20261129abcdef";
const nodes = [node("solo", "server"), node("solo-a", "agent")];
const k3s = settings({ etcdSnapshots: { s3: { bucket: "lab-etcd", region: "eu-west-1" } } });
let recorder: Recorder;

beforeAll(async () => {
  recorder = await mockRuntime();
  new K3sCluster("s3", {
    nodes,
    k3s,
    sshPrivateKey: pulumi.secret("k"),
    etcdS3Credentials: etcdS3CredentialsFrom({ etcdS3AccessKeyId: pulumi.secret(ACCESS_KEY_ID), etcdS3SecretAccessKey: pulumi.secret(SECRET_ACCESS_KEY) }),
  });
  // Snapshots to the program's own bucket: AWS names it on creation, so the name is an input.
  new K3sCluster("own", {
    nodes: [node("o1", "server"), node("o2", "server"), node("o3", "server")],
    k3s: settings({ etcdSnapshots: { programBucket: true } }),
    sshPrivateKey: pulumi.secret("k"),
    etcdS3Bucket: {
      placement: { region: "eu-west-1", folder: "k3s" },
      bucket: pulumi.output(PROGRAM_BUCKET),
      credentials: pulumi.secret({ accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY }),
    },
  });
  // The same cluster without S3: credentials given anyway go nowhere.
  new K3sCluster("plain", {
    nodes: [node("p1", "server")],
    k3s: settings(),
    sshPrivateKey: pulumi.secret("k"),
    etcdS3Credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY },
  });
  await settle();
});

/** The script a step runs, unwrapped from `[sudo -n] bash -c '<script>'`. */
const scriptOf = (r: RecordedResource, field = "create") =>
  String(r.inputs[field]).replace(/^(sudo -n )?bash -c '/, "").replace(/'$/, "").replace(/'\\''/g, "'");
const step = (nodeName: string, suffix: string, clusterName = "s3"): RecordedResource => recorder.byName(CMD, `${clusterName}-${nodeName}-${suffix}`);
const credentialsDigest = etcdS3CredentialsDigest(etcdS3CredentialsYaml({ accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY }));

describe("K3sCluster with etcd snapshots to S3", () => {
  it("configures the server for S3 in config.yaml and expects the credentials drop-in on stdin, secret", () => {
    const configure = step("solo", "configure");
    expect(configure.secretPaths).toContain("stdin");
    expect(configure.inputs.stdin).toBe("[secret]");
    const script = scriptOf(configure);
    expect(script).toContain("want_credentials='yes'");
    expect(script).toMatch(/\netcd-s3: true\netcd-s3-endpoint: "s3\.eu-west-1\.amazonaws\.com"\netcd-s3-region: "eu-west-1"\netcd-s3-bucket: "lab-etcd"\n/);
    // A lone server initialises embedded etcd, or K3s would take no snapshots at all.
    expect(script).toContain("\ncluster-init: true\n");
  });

  it("gives agents neither S3 settings nor credentials", () => {
    const configure = step("solo-a", "configure");
    expect(scriptOf(configure)).toContain("want_credentials='no'");
    expect(scriptOf(configure)).not.toMatch(/\netcd-s3/);
    expect(step("solo-a", "install").inputs.stdin).toBeUndefined();
  });

  it("re-applies the server when the credentials change, through secret inputs only", () => {
    // configure: the credentials are on its stdin; install: a digest of them is its stdin, so a
    // rotation updates both in place (never a replacement, which would run the uninstaller).
    const configure = step("solo", "configure");
    expect(configure.secretPaths).toContain("stdin");
    const install = step("solo", "install");
    expect(install.secretPaths).toContain("stdin");
    expect(install.inputs.stdin).toBe("[secret]");
    expect(install.revealedInputs.stdin).toBe(credentialsDigest);
    expect(install.inputs.triggers).toBeUndefined();
    // The Ready wait does not depend on the credentials.
    expect(step("solo", "ready").inputs.stdin).toBeUndefined();
  });

  it("ignores credentials when S3 is not configured", () => {
    const configure = step("p1", "configure", "plain");
    expect(scriptOf(configure)).toContain("want_credentials='no'");
    expect(step("p1", "install", "plain").inputs.stdin).toBeUndefined();
  });

  it("puts no credential in any input, command text or environment", () => {
    const dump = JSON.stringify(recorder.list().map((r) => r.inputs));
    expect(dump).not.toContain(ACCESS_KEY_ID);
    expect(dump).not.toContain(SECRET_ACCESS_KEY);
    for (const r of recorder.ofType(CMD)) {
      for (const field of ["create", "update", "delete", "environment"]) {
        expect(JSON.stringify(r.revealedInputs[field] ?? "")).not.toContain(SECRET_ACCESS_KEY);
      }
    }
  });

  it("to the program's bucket: where in plain config.yaml, the bucket's name with the key in the secret drop-in", () => {
    for (const server of ["o1", "o2", "o3"]) {
      const configure = step(server, "configure", "own");
      const script = scriptOf(configure);
      expect(script).toContain("want_credentials='yes'");
      expect(script).toMatch(/\netcd-s3: true\netcd-s3-endpoint: "s3\.eu-west-1\.amazonaws\.com"\netcd-s3-region: "eu-west-1"\netcd-s3-folder: "k3s"\n/);
      expect(script).not.toContain("etcd-s3-bucket");
      expect(configure.inputs.stdin).toBe("[secret]");
      const dropIn = String(configure.revealedInputs.stdin).split("\n").find((l) => l.startsWith("etcd-s3-credentials "))!;
      const text = Buffer.from(dropIn.split(" ")[1], "base64").toString("utf8");
      expect(text).toContain(`etcd-s3-bucket: "${PROGRAM_BUCKET}"\n`);
      expect(text).toContain(`etcd-s3-access-key: "${ACCESS_KEY_ID}"\n`);
    }
  });

  it("refuses a program bucket setting without the bucket", () => {
    expect(() => new K3sCluster("own-missing", { nodes, k3s: settings({ etcdSnapshots: { programBucket: true } }), sshPrivateKey: "k" }))
      .toThrow(/programBucket is set but no etcdS3Bucket/);
  });

  it("refuses S3 snapshots without credentials, and builds none from half a key pair", () => {
    expect(() => new K3sCluster("s3-missing", { nodes, k3s, sshPrivateKey: "k" })).toThrow(/k3s\.etcdSnapshots\.s3 is set but no etcdS3Credentials/);
    expect(etcdS3CredentialsFrom({ etcdS3AccessKeyId: "a" })).toBeUndefined();
    expect(etcdS3CredentialsFrom({ etcdS3SecretAccessKey: "b" })).toBeUndefined();
  });
});
