// The database settings and inventory of the real stack files, parsed by the config schema, so
// tests check what `dev` and `staging` will actually deploy.
import * as path from "node:path";
import { DatabaseSchema, DatabaseSettings, NodeSchema, NodeSpec } from "../../components/config";
import { loadStackConfig } from "../../tools/lib/stack-config";

const ROOT = path.resolve(__dirname, "../..");

export function stackDatabase(stack: "dev" | "staging"): { settings: DatabaseSettings; nodes: NodeSpec[] } {
  const { values } = loadStackConfig(ROOT, stack);
  const settings = DatabaseSchema.parse(JSON.parse(values["homelab:database"] ?? "{}"));
  const nodes = (JSON.parse(values["homelab:nodes"]) as unknown[]).map((n) => NodeSchema.parse(n));
  return { settings, nodes };
}

/** The defaults with a few keys changed. */
export function databaseSettings(overrides: Partial<DatabaseSettings> = {}): DatabaseSettings {
  return { ...DatabaseSchema.parse({}), ...overrides };
}
