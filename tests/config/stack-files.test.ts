// Copies of Pulumi.dev.yaml and Pulumi.staging.yaml with the mistakes a new user makes, each refused
// before anything is registered with every problem named (key path, what is wrong, what is
// expected), and unusual but valid files that load. The classes are those of issue 15:
//   1 keys silently ignored          5 crashes with a stack trace
//   2 not every problem at once      6 valid configs refused (the valid table below)
//   3 wrong "expected" text          7 a secret in plain text
//   4 accepted, then broken at deploy 8 YAML 1.1 readers (K3s, client-go)
// The plan CLI runs a few of these end to end (tests/stacks/stack-files-cli.test.ts).
import * as YAML from "yaml";
import type { HomelabConfig } from "../../components/config";
import { scheduledBackupSpec } from "../../components/database/manifests";
import { k3sConfigYaml } from "../../components/k3s";
import type { Override } from "../../tools/lib/stack-config";
import { mockRuntime } from "../helpers/runtime";
import { configOf, lineOf, problemsWith, StackChange, StackName, UNUSUAL_SHAPES, writeStackFile } from "../helpers/stack-files";
import { ECDSA_P256_HOST_KEY, RSA_HOST_KEY } from "./fixtures";

interface BrokenFile extends StackChange {
  name: string;
  issueClass: 1 | 2 | 3 | 4 | 5 | 7 | 8;
  stack: StackName;
  overrides?: Override[];
  expected: string[];
}

const node = (config: Record<string, any>, name: string) => config["homelab:nodes"].find((n: { name: string }) => n.name === name);
const S3_SECRETS: Override[] = [
  { key: "etcdS3AccessKeyId", value: "AKIAIOSFODNN7EXAMPLE", secret: true },
  { key: "etcdS3SecretAccessKey", value: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", secret: true },
];

const BROKEN: BrokenFile[] = [
  // 1. Keys silently ignored
  {
    name: "a misspelt block: staging's database would drop to one instance", issueClass: 1, stack: "staging",
    config: (c) => { c["homelab:databse"] = c["homelab:database"]; delete c["homelab:database"]; },
    expected: [
      "homelab:databse: unknown key (it would be ignored); did you mean homelab:database?",
    ],
  },
  {
    name: "a misspelt observability block", issueClass: 1, stack: "staging",
    config: (c) => { c["homelab:observabilty"] = c["homelab:observability"]; delete c["homelab:observability"]; },
    expected: [
      "homelab:observabilty: unknown key (it would be ignored); did you mean homelab:observability?",
    ],
  },
  {
    name: "a plural block name", issueClass: 1, stack: "staging",
    config: (c) => { c["homelab:gpus"] = c["homelab:gpu"]; delete c["homelab:gpu"]; },
    expected: [
      "homelab:gpus: unknown key (it would be ignored); did you mean homelab:gpu?",
    ],
  },
  {
    name: "lanExposure at the top level instead of under ai", issueClass: 1, stack: "staging",
    config: (c) => { c["homelab:lanExposure"] = c["homelab:ai"].lanExposure; delete c["homelab:ai"].lanExposure; },
    expected: [
      "homelab:lanExposure: unknown key (it would be ignored); it belongs in another block: homelab:ai.lanExposure",
    ],
  },
  {
    name: "a misspelt node key", issueClass: 1, stack: "dev",
    config: (c) => { c["homelab:nodes"][0].lables = { "homelab.dev/class": "desktop" }; },
    expected: [
      'homelab:nodes[0].lables: unknown key (it would be ignored); did you mean "labels"?',
    ],
  },
  {
    name: "a misspelt key in a nested block", issueClass: 1, stack: "dev",
    config: (c) => { c["homelab:k3s"].etcdSnapshots.schedual = "0 3 * * *"; },
    expected: [
      'homelab:k3s.etcdSnapshots.schedual: unknown key (it would be ignored); did you mean "schedule"?',
    ],
  },
  {
    name: "a key in the wrong case", issueClass: 1, stack: "staging",
    config: (c) => { c["homelab:ai"].ollama.nodeport = c["homelab:ai"].ollama.nodePort; delete c["homelab:ai"].ollama.nodePort; },
    expected: [
      'homelab:ai.ollama.nodeport: unknown key (it would be ignored); did you mean "nodePort"?',
    ],
  },
  {
    name: "a key one level too high", issueClass: 1, stack: "dev",
    config: (c) => { c["homelab:ai"].models = c["homelab:ai"].ollama.models; delete c["homelab:ai"].ollama.models; },
    expected: [
      "homelab:ai.models: unknown key (it would be ignored); it belongs in another block: homelab:ai.ollama.models",
    ],
  },
  {
    name: "the AWS region in the AWS provider's namespace", issueClass: 1, stack: "dev",
    config: (c) => { c["aws:region"] = "eu-central-1"; },
    expected: [
      "aws:region: would be ignored: the program's AWS provider is explicit and configured from homelab:aws; set homelab:aws.region instead",
    ],
  },
  {
    name: "a misspelt namespace", issueClass: 1, stack: "dev",
    config: (c) => { c["homelb:gpu"] = { timeSlicingReplicas: 2 }; },
    expected: [
      'homelb:gpu: would be ignored: unknown namespace "homelb"; did you mean homelab:gpu?',
    ],
  },
  {
    name: "a kubeconfig context for the Kubernetes provider", issueClass: 1, stack: "dev",
    config: (c) => { c["kubernetes:context"] = "homelab"; },
    expected: [
      "kubernetes:context: would be ignored: the program's Kubernetes provider is explicit and built from the cluster's kubeconfig; remove it",
    ],
  },

  // 2. Not every problem at once
  {
    name: "an even number of servers, a duplicate name and a bad architecture", issueClass: 2, stack: "staging",
    config: (c) => { node(c, "thinkpad01").role = "server"; node(c, "pgmac02").name = "pgmac01"; node(c, "rpi01").arch = "aarch64"; },
    expected: [
      'homelab:nodes[7].arch: expected "amd64" or "arm64", got the string "aarch64"; aarch64 is called "arm64" here, as in Kubernetes and K3s',
      'homelab:nodes[5].name: duplicate node name "pgmac01" (also nodes[1])',
      "homelab:nodes: 4 servers cannot keep etcd quorum through a failure; use an odd number (1 or 3)",
    ],
  },
  {
    name: "mistakes in four blocks, one of them across keys", issueClass: 2, stack: "dev",
    config: (c) => { c["homelab:nodes"][0].arch = "x86_64"; c["homelab:k3s"].version = "latest"; c["homelab:aws"].region = "europe"; c["homelab:database"].instances = 3; },
    expected: [
      'homelab:nodes[0].arch: expected "amd64" or "arm64", got the string "x86_64"; x86_64 is called "amd64" here, as in Kubernetes and K3s',
      'homelab:k3s.version: expected a pinned K3s release such as "v1.33.5+k3s1", got the string "latest"; channels like "stable" or "latest" are not reproducible',
      'homelab:aws.region: expected an AWS region such as eu-west-1, got the string "europe"',
      "homelab:database.instances: 3 instances with anti-affinity need at least 3 nodes; the inventory has 2",
    ],
  },
  {
    name: "a truncated host key, two nodes on one SSH address and a bad schedule", issueClass: 2, stack: "staging",
    config: (c) => { node(c, "pgmac01").hostKey = node(c, "pgmac01").hostKey.slice(0, -8); node(c, "pgmac02").host = "pgmac01.home.arpa"; c["homelab:database"].backup.schedule = "0 2 * *"; },
    expected: [
      'homelab:database.backup.schedule: "0 2 * *": has 4 fields; expected five cron fields (minute hour day-of-month month day-of-week) such as "30 2 * * *", or @daily, @weekly, @monthly',
      "homelab:nodes[1].hostKey: the key data ends early (truncated when copied?); copy it again from ssh-keyscan -t ed25519 pgmac01.home.arpa",
      "homelab:nodes[5].host: pgmac01.home.arpa:22 is already nodes[1]'s SSH address",
    ],
  },

  // 3. Wrong "expected" text
  {
    name: "a YAML 1.1 boolean", issueClass: 3, stack: "dev",
    config: (c) => { c["homelab:k3s"].secretsEncryption = "yes"; },
    expected: [
      'homelab:k3s.secretsEncryption: expected true or false, got the string "yes"; write true or false (YAML 1.2 reads yes as a string)',
    ],
  },
  {
    name: "a quoted boolean", issueClass: 3, stack: "staging",
    config: (c) => { c["homelab:gpu"].profilingMetrics = "false"; },
    expected: [
      'homelab:gpu.profilingMetrics: expected true or false, got the string "false"; remove the quotes (a quoted true or false is a string)',
    ],
  },
  {
    name: "a quoted number", issueClass: 3, stack: "dev",
    config: (c) => { c["homelab:database"].instances = "1"; },
    expected: [
      'homelab:database.instances: expected a whole number from 1 to 9, got the string "1"; remove the quotes (a quoted number is a string)',
    ],
  },
  {
    name: "a recovery window under AWS's minimum", issueClass: 3, stack: "staging",
    config: (c) => { c["homelab:aws"].recoveryWindowDays = 3; },
    expected: [
      "homelab:aws.recoveryWindowDays: must be between 7 and 30 (got 3), the window AWS Secrets Manager allows",
    ],
  },
  {
    name: "Ollama's container port as its NodePort", issueClass: 3, stack: "staging",
    config: (c) => { c["homelab:ai"].ollama.nodePort = 11434; },
    expected: [
      "homelab:ai.ollama.nodePort: must be between 30000 and 32767 (got 11434), the NodePort range (Ollama itself listens on 11434; the reference lab exposes 31434)",
    ],
  },
  {
    name: "a negative pooler count", issueClass: 3, stack: "staging",
    config: (c) => { c["homelab:database"].poolerInstances = -1; },
    expected: [
      "homelab:database.poolerInstances: must be between 0 and 5 (got -1); 0 turns the pooler off",
    ],
  },
  {
    name: "too many time-slicing replicas", issueClass: 3, stack: "staging",
    config: (c) => { c["homelab:gpu"].timeSlicingReplicas = 32; },
    expected: [
      "homelab:gpu.timeSlicingReplicas: must be between 1 and 16 (got 32); 1 turns time-slicing off",
    ],
  },
  {
    name: "a storage class by a short name", issueClass: 3, stack: "dev",
    config: (c) => { c["homelab:storage"] = { defaultClass: "nfs" }; },
    expected: [
      'homelab:storage.defaultClass: expected "local-path" or "nfs-csi-v2", got the string "nfs"',
    ],
  },
  {
    name: "a Whisper model with '_' for '-'", issueClass: 3, stack: "staging",
    config: (c) => { c["homelab:ai"].whisper.model = "base_int8"; },
    expected: [
      'homelab:ai.whisper.model: expected "tiny", "tiny-int8", "base", "base-int8", "small", "small-int8", "medium" or "medium-int8", got the string "base_int8"; did you mean "base-int8"?',
    ],
  },
  {
    name: "a role by another distribution's name", issueClass: 3, stack: "dev",
    config: (c) => { c["homelab:nodes"][1].role = "worker"; },
    expected: [
      'homelab:nodes[1].role: expected "server" or "agent", got the string "worker"; K3s calls a worker "agent"',
    ],
  },

  // 4. Accepted, then broken at deploy
  {
    name: "an etcd snapshot hour out of range", issueClass: 4, stack: "staging",
    config: (c) => { c["homelab:k3s"].etcdSnapshots.schedule = "0 24 * * *"; },
    expected: [
      'homelab:k3s.etcdSnapshots.schedule: "0 24 * * *": hour 24 is out of range 0-23; expected five cron fields (minute hour day-of-month month day-of-week) such as "30 2 * * *", or @daily, @weekly, @monthly',
    ],
  },
  {
    name: "a backup minute out of range", issueClass: 4, stack: "staging",
    config: (c) => { c["homelab:database"].backup.schedule = "60 1 * * *"; },
    expected: [
      'homelab:database.backup.schedule: "60 1 * * *": minute 60 is out of range 0-59; expected five cron fields (minute hour day-of-month month day-of-week) such as "30 2 * * *", or @daily, @weekly, @monthly',
    ],
  },
  {
    name: "a backup that never fires", issueClass: 4, stack: "staging",
    config: (c) => { c["homelab:database"].backup.schedule = "0 2 30 2 *"; },
    expected: [
      'homelab:database.backup.schedule: "0 2 30 2 *": never fires: no month it names has day 30; expected five cron fields (minute hour day-of-month month day-of-week) such as "30 2 * * *", or @daily, @weekly, @monthly',
    ],
  },
  {
    name: "a truncated host key", issueClass: 4, stack: "dev",
    config: (c) => { c["homelab:nodes"][0].hostKey = c["homelab:nodes"][0].hostKey.slice(0, -4); },
    expected: [
      "homelab:nodes[0].hostKey: the key data ends early (truncated when copied?); copy it again from ssh-keyscan -t ed25519 devbox.home.arpa",
    ],
  },
  {
    name: "an ssh-rsa host key", issueClass: 4, stack: "staging",
    config: (c) => { node(c, "pglenovo01").hostKey = RSA_HOST_KEY; },
    expected: [
      "homelab:nodes[2].hostKey: an ssh-rsa host key cannot be pinned: @pulumi/command then offers only SHA-1 \"ssh-rsa\" signatures, which OpenSSH 8.8 and later refuse by default (no common host key algorithm); pin the node's ed25519 key: ssh-keyscan -t ed25519 pglenovo01.home.arpa",
    ],
  },
  {
    name: "a bastion host key pasted with the host name ssh-keyscan prints", issueClass: 4, stack: "dev",
    config: (c) => { c["homelab:k3s"].bastion = { host: "jump.home.arpa", user: "homelab", hostKey: `jump.home.arpa ${c["homelab:nodes"][0].hostKey}` }; },
    expected: [
      'homelab:k3s.bastion.hostKey: starts with "jump.home.arpa", the host name ssh-keyscan prints first; keep only "ssh-ed25519 AAAA..."',
    ],
  },
  {
    name: "a Loki retention under its 24h minimum", issueClass: 4, stack: "dev",
    config: (c) => { c["homelab:observability"].loki.retention = "12h"; },
    expected: [
      "homelab:observability.loki.retention: must be at least 24h (got 12h): Loki's compactor keeps logs by the day",
    ],
  },
  {
    name: "the same database twice", issueClass: 4, stack: "staging",
    config: (c) => { c["homelab:database"].databases = ["openwebui", "openwebui"]; },
    expected: [
      'homelab:database.databases[1]: duplicate database "openwebui" (also databases[0])',
    ],
  },
  {
    name: "etcd S3 credentials with a trailing newline", issueClass: 4, stack: "dev",
    config: (c) => { c["homelab:k3s"].etcdSnapshots.s3 = { bucket: "lab-etcd", region: "eu-west-1" }; },
    overrides: [{ ...S3_SECRETS[0], value: `${S3_SECRETS[0].value}\n` }, S3_SECRETS[1]],
    expected: [
      "homelab:etcdS3AccessKeyId: contains whitespace or control characters (a trailing newline from a file or echo?); set it again with `pulumi config set --secret homelab:etcdS3AccessKeyId <value>`",
    ],
  },

  // 5. Crashes with a stack trace
  {
    name: "a weekday range through 7 with a step", issueClass: 5, stack: "staging",
    config: (c) => { c["homelab:database"].backup.schedule = "0 2 * * 1-7/2"; },
    expected: [
      'homelab:database.backup.schedule: "0 2 * * 1-7/2": day of week 7 is out of range 0-6 (robfig/cron, which K3s and CloudNative-PG use, has no 7 for Sunday); write Sunday as 0 or SUN; expected five cron fields (minute hour day-of-month month day-of-week) such as "30 2 * * *", or @daily, @weekly, @monthly',
    ],
  },
  {
    name: "a tab used as indentation", issueClass: 5, stack: "dev",
    text: (yaml) => yaml.replace("      retention: 7", "\t  retention: 7"),
    expected: [
      `Pulumi.dev.yaml:${lineOf("dev", "      retention: 7")}:1: Tabs are not allowed as indentation`,
    ],
  },
  {
    name: "a key block pasted twice", issueClass: 5, stack: "staging",
    text: (yaml) => yaml.replace("  homelab:aws:\n", "  homelab:gpu:\n    timeSlicingReplicas: 2\n  homelab:aws:\n"),
    expected: [
      // The first homelab:gpu block, two lines further down after the paste.
      `Pulumi.staging.yaml:${lineOf("staging", "  homelab:gpu:") + 2}:3: Map keys must be unique`,
    ],
  },
  {
    name: "an unclosed flow mapping", issueClass: 5, stack: "dev",
    text: (yaml) => yaml.replace("loki: { retention: 72h, storageSize: 5Gi }", "loki: { retention: 72h, storageSize: 5Gi"),
    expected: [
      // Reported where the next key starts, the line after the unclosed mapping.
      `Pulumi.dev.yaml:${lineOf("dev", "loki: { retention: 72h") + 1}:3: Flow map in block collection must be sufficiently indented and end with a }`,
    ],
  },

  // 7. A secret in plain text
  {
    name: "the SSH private key pasted into the stack file", issueClass: 7, stack: "dev",
    text: (yaml) => yaml.replace("config:\n", "config:\n  homelab:sshPrivateKey: |\n    -----BEGIN OPENSSH PRIVATE KEY-----\n    b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n    -----END OPENSSH PRIVATE KEY-----\n"),
    expected: [
      // Optional (homelab:ssh.agent), so undeclared in Pulumi.yaml: the program refuses it.
      "homelab:sshPrivateKey: is stored in plain text (in the stack file, or set without --secret); store it encrypted: pulumi config set --secret homelab:sshPrivateKey < ~/.ssh/<private key file>",
    ],
  },
  {
    name: "the NAS address and an export in plain text", issueClass: 7, stack: "staging",
    config: (c) => { c["homelab:nfsServer"] = "nas.home.arpa"; c["homelab:nfsShareBackup"] = "/volume1/backup"; },
    expected: [
      "Pulumi.staging.yaml: homelab:nfsServer is in plain text, but Pulumi.yaml declares it secret; delete that line and store the value encrypted: pulumi config set --stack staging --secret homelab:nfsServer <value>",
      "Pulumi.staging.yaml: homelab:nfsShareBackup is in plain text, but Pulumi.yaml declares it secret; delete that line and store the value encrypted: pulumi config set --stack staging --secret homelab:nfsShareBackup <value>",
    ],
  },
  {
    name: "an optional secret (not declared in Pulumi.yaml) in plain text", issueClass: 7, stack: "dev",
    config: (c) => { c["homelab:alertWebhookUrl"] = "https://ntfy.sh/homelab-alerts"; },
    expected: [
      "homelab:alertWebhookUrl: is stored in plain text (in the stack file, or set without --secret); store it encrypted: pulumi config set --secret homelab:alertWebhookUrl <value>",
    ],
  },
  {
    name: "a secret set without --secret", issueClass: 7, stack: "dev",
    overrides: [{ key: "nfsServer", value: "nas.home.arpa", secret: false }],
    expected: [
      "--set nfsServer: Pulumi.yaml declares homelab:nfsServer secret; pass it with --set-secret",
    ],
  },

  // 8. YAML 1.1 readers
  {
    name: "a cluster name client-go's YAML 1.1 reader takes for a boolean", issueClass: 8, stack: "dev",
    config: (c) => { c["homelab:k3s"].clusterName = "on"; },
    expected: [
      'homelab:k3s.clusterName: "on" is read as a boolean or number by the YAML 1.1 parser that reads the kubeconfig; add a word (e.g. "lab-on")',
    ],
  },
];

beforeAll(async () => {
  await mockRuntime("stack-files");
});

describe("broken stack files", () => {
  it.each(BROKEN.map((b) => [`${b.issueClass}. ${b.name}`, b] as const))("%s", (_, broken) => {
    const file = writeStackFile(broken.stack, broken);
    const problems = problemsWith(broken.stack, file, broken.overrides);
    expect(problems).toEqual(broken.expected);
  });

  it("cover every class the issue names but the valid files' (6)", () => {
    expect([...new Set(BROKEN.map((b) => b.issueClass))].sort()).toEqual([1, 2, 3, 4, 5, 7, 8]);
  });
});

interface ValidFile extends StackChange {
  name: string;
  issueClass: 6 | 8;
  stack: StackName;
  check: (config: HomelabConfig) => void;
}

const VALID: ValidFile[] = [
  {
    name: "a backup weekday by name", issueClass: 6, stack: "staging",
    config: (c) => { c["homelab:database"].backup.schedule = "0 2 * * SUN"; },
    check: (config) => expect(scheduledBackupSpec(config.database.backup.schedule).schedule).toBe("0 0 2 * * SUN"),
  },
  {
    name: "nfsVersion 4.2 written unquoted, as the README shows it", issueClass: 6, stack: "dev",
    text: (yaml) => yaml.replace("  homelab:aws:\n", "  homelab:storage:\n    nfsVersion: 4.2\n  homelab:aws:\n"),
    check: (config) => expect(config.storage.nfsVersion).toBe("4.2"),
  },
  {
    name: "weekdays as a range of names, and a descriptor for the snapshots", issueClass: 6, stack: "staging",
    config: (c) => { c["homelab:database"].backup.schedule = "30 2 * * MON-FRI"; c["homelab:k3s"].etcdSnapshots.schedule = "@daily"; },
    check: (config) => expect([config.k3s.etcdSnapshots.schedule, config.database.backup.schedule]).toEqual(["@daily", "30 2 * * MON-FRI"]),
  },
  {
    name: "an ECDSA host key, and an ed25519 key with ssh-keyscan's comment", issueClass: 6, stack: "dev",
    config: (c) => { c["homelab:nodes"][0].hostKey = ECDSA_P256_HOST_KEY; c["homelab:nodes"][1].hostKey += " root@devpi"; },
    check: (config) => expect(config.nodes[0].hostKey).toBe(ECDSA_P256_HOST_KEY),
  },
  {
    name: "nodes named on and no reach K3s as those names", issueClass: 8, stack: "dev",
    config: (c) => { c["homelab:nodes"][0].name = "on"; c["homelab:nodes"][1].name = "no"; c["homelab:nodes"][1].flannelIface = "off"; },
    check: (config) => {
      const read = (i: number) => YAML.parse(k3sConfigYaml(config.nodes[i], config.nodes, config.k3s), { version: "1.1" });
      expect(read(0)["node-name"]).toBe("on");
      expect(read(1)).toMatchObject({ "node-name": "no", "flannel-iface": "off" });
    },
  },
];

describe("unusual but valid stack files", () => {
  it.each(VALID.map((v) => [`${v.issueClass}. ${v.name}`, v] as const))("%s", (_, valid) => {
    valid.check(configOf(valid.stack, writeStackFile(valid.stack, valid)));
  });

  it.each(UNUSUAL_SHAPES.map((u) => [u.name, u] as const))("%s (planned end to end in tests/stacks/stack-files-cli.test.ts)", (_, shape) => {
    expect(problemsWith(shape.stack, writeStackFile(shape.stack, shape))).toEqual([]);
  });
});
