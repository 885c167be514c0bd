// SecretsLayer with a customer-managed key and a custom prefix, under the plain mock runtime the
// offline plan uses (getCallerIdentity answers without an account id there).
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import { createNamespaces, NamespaceSpec } from "../../components/namespaces";
import { catalogue, catalogueNamespaces, SecretsLayer, secretsNamespaces, syncedEntries } from "../../components/secrets";
import { mockRuntime, Recorder, settle } from "../helpers/runtime";
import { testConfig } from "./fixtures";
import { stagingNetworks } from "../helpers/networks";

const quota = { requestsCpu: "1", requestsMemory: "1Gi", limitsCpu: "2", limitsMemory: "2Gi", storage: "10Gi", pods: 10 };
const config = testConfig({ stack: "dev", aws: { customerManagedKey: true, secretPrefix: "lab/dev", recoveryWindowDays: 30 } });
const cat = catalogue(config);
let recorder: Recorder;

beforeAll(async () => {
  recorder = await mockRuntime("dev");
  const k8sProvider = new k8s.Provider("k8s", { kubeconfig: "{}" });
  const awsProvider = new aws.Provider("aws", { region: config.aws.region });
  const specs: NamespaceSpec[] = ["database", "open-webui", "monitoring", "nfs-csi"]
    .map((name) => ({ name, podSecurity: "restricted", quota, ingress: [], egress: [] }));
  const namespaces = createNamespaces(k8sProvider, [...secretsNamespaces(config), ...specs], stagingNetworks());
  new SecretsLayer("lab", { config, awsProvider, k8sProvider, namespaces });
  await settle();
});

describe("SecretsLayer with a customer-managed key", () => {
  it("creates one protected, rotating key and encrypts every secret with it", () => {
    const keys = recorder.ofType("aws:kms/key:Key");
    expect(keys).toHaveLength(1);
    expect(keys[0].protect).toBe(true);
    expect(keys[0].inputs.enableKeyRotation).toBe(true);
    const keyArn = "arn:aws:mock:::lab-kms";
    const secrets = recorder.ofType("aws:secretsmanager/secret:Secret");
    expect(secrets).toHaveLength(cat.entries.length);
    for (const secret of secrets) {
      expect(secret.inputs.kmsKeyId).toBe(keyArn);
      expect(secret.inputs.recoveryWindowInDays).toBe(30);
      expect(secret.inputs.name).toMatch(/^lab\/dev\/[a-z-]+\/[a-z-]+$/);
    }
    expect(recorder.byName("aws:kms/alias:Alias", "lab-kms-alias").inputs.name).toBe("alias/homelab-dev-secrets");
  });

  it("lets each identity decrypt with that key, only through Secrets Manager, on its own prefix", () => {
    for (const ns of catalogueNamespaces(cat)) {
      const doc = JSON.parse(recorder.byName("aws:iam/userPolicy:UserPolicy", `lab-${ns}-eso-read`).inputs.policy as string);
      expect(doc.Statement.map((s: { Action: string[] }) => s.Action)).toEqual([
        ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret", "secretsmanager:ListSecretVersionIds"],
        ["kms:Decrypt"],
      ]);
      // The mock runtime has no account id: the documented placeholder keeps the ARN well-formed.
      expect(doc.Statement[0].Resource).toEqual([`arn:aws:secretsmanager:eu-west-1:000000000000:secret:lab/dev/${ns}/*`]);
      expect(doc.Statement[1].Resource).toEqual(["arn:aws:mock:::lab-kms"]);
      expect(doc.Statement[1].Condition).toEqual({ StringEquals: { "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" } });
    }
  });

  it("leaves the Alertmanager webhook out when the operator has not set one", () => {
    expect(recorder.ofType("aws:secretsmanager/secret:Secret").map((r) => r.name)).not.toContain("lab-monitoring-alertmanager-webhook");
    expect(recorder.ofType("kubernetes:external-secrets.io/v1:ExternalSecret")).toHaveLength(syncedEntries(cat).length);
  });
});
