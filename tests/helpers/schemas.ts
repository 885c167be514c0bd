// Schema checks for CR objects the program builds, through validate-models.mjs (ESM) in a child process.
import { execFileSync } from "node:child_process";
import * as path from "node:path";

export interface SchemaResult {
  kind: string;
  name: string;
  error: string | null;
}

export function validateModels(objects: unknown[]): SchemaResult[] {
  const out = execFileSync(process.execPath, [path.join(__dirname, "validate-models.mjs")], {
    input: JSON.stringify(objects),
    cwd: path.resolve(__dirname, "../.."),
    encoding: "utf8",
  });
  return JSON.parse(out) as SchemaResult[];
}
