// The database settings and inventory of the real stack files, parsed by the config schema, so
// tests check what `dev` and `staging` will actually deploy.
import { DatabaseSchema, DatabaseSettings, NodeSpec } from "../../components/config";
import { stackConfig } from "../helpers/stacks";

export function stackDatabase(stack: "dev" | "staging"): { settings: DatabaseSettings; nodes: NodeSpec[] } {
  const { database, nodes } = stackConfig(stack);
  return { settings: database, nodes };
}

/** The defaults with a few keys changed. */
export function databaseSettings(overrides: Partial<DatabaseSettings> = {}): DatabaseSettings {
  return { ...DatabaseSchema.parse({}), ...overrides };
}
