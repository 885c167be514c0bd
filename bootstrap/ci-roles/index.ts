// One-time bootstrap, run by an account administrator, never by CI: GitHub's OIDC identity
// provider and, per lab stack, the role `pulumi preview` assumes in CI (read-only), the role
// `pulumi up` assumes (deploy), and the permissions boundary that caps every IAM user the lab
// program creates. These live outside the lab program on purpose: a role the lab's own stack
// created could be widened by the very deployment it authorises, and it would have to exist
// before that stack's first deployment anyway (docs/security.md, "CI").
//
//   cd bootstrap/ci-roles && pulumi stack init ci
//   pulumi config set repository <owner>/<name>
//   pulumi config set --path 'stacks[0]' dev && pulumi config set --path 'stacks[1]' staging
//   pulumi up
// then set, per GitHub environment, AWS_PREVIEW_ROLE_ARN / AWS_DEPLOY_ROLE_ARN from the outputs,
// and in each lab stack `homelab:aws.permissionsBoundary` to its boundary's ARN.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  checkRepository,
  deployEnvironment,
  deployPolicy,
  GITHUB_OIDC_AUDIENCE,
  GITHUB_OIDC_HOST,
  githubTrustPolicy,
  previewEnvironment,
  previewPolicy,
  roleName,
  workloadBoundaryPolicy,
} from "./policies";
import { stackScope } from "./scope";

export = async () => {
  const config = new pulumi.Config();
  const repository = checkRepository(config.require("repository"));
  const stacks = config.requireObject<string[]>("stacks");
  const stateBucket = config.get("stateBucket");
  const provider = new aws.Provider("aws", { region: config.get("region") ?? "us-east-1" });
  const opts = { provider };

  // One GitHub provider per account; reuse it when another project made it already.
  const existing = config.get("oidcProviderArn");
  const providerArn = existing ?? new aws.iam.OpenIdConnectProvider("github", {
    url: `https://${GITHUB_OIDC_HOST}`,
    clientIdLists: [GITHUB_OIDC_AUDIENCE],
  }, { ...opts, protect: true }).arn;

  const { accountId } = await aws.getCallerIdentity({}, opts);
  const roles: Record<string, Record<string, pulumi.Output<string>>> = {};
  for (const stack of stacks) {
    const scope = stackScope(stack, accountId, stateBucket);
    const boundary = new aws.iam.Policy(`${stack}-workload-boundary`, {
      name: `homelab-${stack}-workload-boundary`,
      description: `Permissions boundary of every IAM user the homelab ${stack} stack creates`,
      policy: JSON.stringify(workloadBoundaryPolicy(scope)),
    }, opts);
    const role = (purpose: "preview" | "deploy", environment: string, policy: pulumi.Input<string>) => {
      const r = new aws.iam.Role(`${stack}-${purpose}`, {
        name: roleName(stack, purpose),
        description: `GitHub Actions, environment ${environment} of ${repository}: pulumi ${purpose === "preview" ? "preview" : "up"} of the homelab ${stack} stack`,
        assumeRolePolicy: pulumi.output(providerArn).apply((arn) => JSON.stringify(githubTrustPolicy(arn, repository, environment))),
        maxSessionDuration: 3600,
      }, opts);
      new aws.iam.RolePolicy(`${stack}-${purpose}`, { role: r.name, name: purpose, policy }, opts);
      return r;
    };
    const preview = role("preview", previewEnvironment(stack), JSON.stringify(previewPolicy(scope)));
    const deploy = role("deploy", deployEnvironment(stack), boundary.arn.apply((arn) => JSON.stringify(deployPolicy(scope, arn))));
    roles[stack] = { previewRoleArn: preview.arn, deployRoleArn: deploy.arn, permissionsBoundaryArn: boundary.arn };
  }
  return { oidcProviderArn: providerArn, roles };
};
