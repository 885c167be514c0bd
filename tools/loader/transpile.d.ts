// Types for transpile.js (plain JavaScript: tools/register.js loads it before TypeScript can be).

/** A syntax error in a module, named and worded as ts-node's. */
export class TSError extends Error {
  readonly diagnosticText: string;
  constructor(diagnosticText: string);
}

/** A transpiler for one project: the JavaScript for a .ts module, from the cache or compiled and cached. */
export function createTranspiler(options: { tsconfig: string; cacheDir: string }): (filename: string, source: string) => string;
