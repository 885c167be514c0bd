// Where tests/fixtures/crashing-program.ts throws, and how a stack trace names that place.
import * as fs from "node:fs";
import * as path from "node:path";
import * as ts from "typescript";

export const CRASHING_PROGRAM = path.resolve(__dirname, "..", "fixtures", "crashing-program.ts");

/** The line of the fixture's throw, in its source and in what it transpiles to. */
export function crashLine(): { source: number; transpiled: number } {
  const source = fs.readFileSync(CRASHING_PROGRAM, "utf8");
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const lineOf = (text: string) => text.split("\n").findIndex((l) => l.includes("throw new Error(`deliberate crash")) + 1;
  return { source: lineOf(source), transpiled: lineOf(js) };
}

/** The stack frame of the throw, at its .ts line. */
export function crashFrame(): RegExp {
  const file = CRASHING_PROGRAM.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return new RegExp(`at explode \\(${file}:${crashLine().source}:\\d+\\)`);
}
