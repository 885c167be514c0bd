// What the CI roles of a lab stack are scoped to, read from that stack's own file
// (Pulumi.<stack>.yaml at the repository's root) with the lab's own schema: the roles and the lab
// program cannot disagree about a region or a secret prefix.
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { AwsSchema, defaultSecretPrefix } from "../../components/config";
import type { StackScope } from "./policies";

export const REPOSITORY_ROOT = path.resolve(__dirname, "../..");

export function stackScope(stack: string, accountId: string, stateBucket?: string, root = REPOSITORY_ROOT): StackScope {
  const file = path.join(root, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) throw new Error(`no stack file ${file}: homelab-ci-roles:stacks names the lab's stacks (dev, staging, ...)`);
  const doc = (YAML.parse(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  const raw = doc.config?.["homelab:aws"];
  const parsed = AwsSchema.safeParse(raw);
  if (!parsed.success) throw new Error(`${file}: homelab:aws is not valid (${parsed.error.issues.map((i) => i.message).join("; ")})`);
  return {
    stack,
    region: parsed.data.region,
    accountId,
    secretPrefix: parsed.data.secretPrefix ?? defaultSecretPrefix(stack),
    ...(stateBucket ? { stateBucket } : {}),
  };
}
