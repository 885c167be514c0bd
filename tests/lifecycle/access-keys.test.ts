// Lifecycle: rotating a long-lived IAM access key, as two `pulumi up`s of a deployed staging lab.
// The first adds the new key and points the consumer's Secret at it: the new key's secret is
// unknown in preview and flows into that Secret alone, never into the Kubernetes provider; a
// Secret's data is immutable to pulumi-kubernetes, so the Secret is replaced (deleted and created
// again under its name, while the old key still works). The second deletes the old key.
import type { DeploymentState } from "../../tools/lib/engine/state";
import { preview } from "../../tools/lib/lifecycle";
import { applied, deployed, stackConfig, summary, withSetting } from "../helpers/lifecycle";

const config = stackConfig("staging");
const rotate = (identity: string, generations: number[]) =>
  withSetting<Record<string, unknown>>(config, "aws", (aws) => ({ ...aws, accessKeyGenerations: { [identity]: generations } }));
let state: DeploymentState;

beforeAll(async () => {
  state = await deployed(config);
});

describe("lifecycle: access key rotation", () => {
  it.each([
    ["eso-database", "secrets-database-eso", "secrets-database-aws-credentials"],
    ["pg-backup", "database-backup", "database-backup-credentials"],
  ])("%s: add the new generation (consumer switches), then drop the old one", async (identity, key, consumer) => {
    const add = await preview(rotate(identity, [1, 2]), { prior: state });
    expect(add.errors).toEqual([]);
    expect(summary(add.decisions)).toEqual([
      `create aws:iam/accessKey:AccessKey ${key}-key2`,
      `replace kubernetes:core/v1:Secret ${consumer}`,
    ]);
    expect(add.decisions.find((d) => d.type === "pulumi:providers:kubernetes")?.op).toBe("same");
    expect(add.decisions.find((d) => d.name === consumer)?.reasons).toEqual([expect.stringMatching(/^stringData changes/)]);

    const both = await applied(rotate(identity, [1, 2]), state);
    const drop = await preview(rotate(identity, [2]), { prior: both });
    expect(drop.errors).toEqual([]);
    expect(summary(drop.decisions)).toEqual([`delete aws:iam/accessKey:AccessKey ${key}`]);
  });
});
