// Runs validate-eso.mjs (ESM) from CommonJS tests; see that file for why it is a child process.
import { execFileSync } from "node:child_process";
import * as path from "node:path";

export interface SchemaResult {
  kind: string;
  name: string;
  error: string | null;
}

export function validateEso(objects: unknown[]): SchemaResult[] {
  const out = execFileSync(process.execPath, [path.join(__dirname, "validate-eso.mjs")], {
    input: JSON.stringify(objects),
    cwd: path.join(__dirname, "..", ".."),
    encoding: "utf8",
  });
  return JSON.parse(out) as SchemaResult[];
}
