// The real dev and staging stack files, parsed exactly as the program parses them, so layer tests
// check what those stacks will actually deploy. Secrets are left out (the program's secret config).
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { deriveConfig, HomelabConfig, parseSettings } from "../../components/config";

const ROOT = path.resolve(__dirname, "../..");

export type StackName = "dev" | "staging";

/** The raw `homelab:*` settings of a stack file, keys without the namespace. */
export function rawStack(stack: StackName): Record<string, any> {
  const doc = YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8"));
  return Object.fromEntries(Object.entries(doc.config as Record<string, unknown>)
    .filter(([key]) => key.startsWith("homelab:"))
    .map(([key, value]) => [key.slice("homelab:".length), value]));
}

/** The validated, derived config of a stack, optionally edited before validation. */
export function stackConfig(stack: StackName, edit?: (raw: Record<string, any>) => void): HomelabConfig {
  const raw = rawStack(stack);
  edit?.(raw);
  return deriveConfig(parseSettings(raw), stack, {} as HomelabConfig["secrets"]);
}
