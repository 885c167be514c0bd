// Checks Helm values against a checked-in list of a chart version's key paths (one per line, `#`
// comments; `a.b.*` marks an open map or list under which anything goes). Offline twin of
// `npm run check:charts`: a misspelt key, which Helm would ignore silently, fails a unit test.
import * as fs from "node:fs";

export function readKeyList(file: string): Set<string> {
  return new Set(fs.readFileSync(file, "utf8").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#")));
}

/** Every key path in `values` the chart does not have (lists are not entered). */
export function unknownKeyPaths(values: unknown, known: Set<string>, prefix = ""): string[] {
  if (values === null || typeof values !== "object" || Array.isArray(values)) return [];
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(values)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (known.has(`${path}.*`)) continue;
    if (!known.has(path)) {
      unknown.push(path);
      continue;
    }
    unknown.push(...unknownKeyPaths(value, known, path));
  }
  return unknown;
}
