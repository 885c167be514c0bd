// Turns the project's TypeScript into the JavaScript Node runs: TypeScript's own transpileModule
// with the compiler options of tsconfig.json (no type-checking: `npm test` runs tsc), cached on
// disk so a run whose sources did not change never loads the compiler.
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

/** Options the loader sets over tsconfig.json's: emit JavaScript with its source map inline. */
const EMIT = { noEmit: false, declaration: false, sourceMap: false, inlineSourceMap: true, inlineSources: false };
// What ts-node ignores too: diagnostics about the config's file list, which a single file cannot have.
const IGNORED_DIAGNOSTICS = new Set([6059, 18002, 18003]);

/** A syntax error in a module: named and worded as ts-node's, which `pulumi up` prints without a stack. */
class TSError extends Error {
  constructor(diagnosticText) {
    super(`⨯ Unable to compile TypeScript:\n${diagnosticText}`);
    this.name = "TSError";
    this.diagnosticText = diagnosticText;
  }
}

/**
 * A transpiler for one project. `cacheDir` holds one file per (compiler, tsconfig.json, file name,
 * source); an entry is never rewritten, so concurrent processes cannot read a half-written one.
 */
function createTranspiler({ tsconfig, cacheDir }) {
  let keyPrefix; // what every output depends on besides the file: compiler version and settings
  let compiler; // { ts, options }, loaded on the first cache miss only

  function keyOf(filename, source) {
    if (keyPrefix === undefined) {
      const version = require("typescript/package.json").version;
      keyPrefix = `${version}\0${fs.readFileSync(tsconfig, "utf8")}\0${JSON.stringify(EMIT)}\0`;
    }
    // The output depends on the file's base name (its source map names it), not on its directory:
    // a copy of the tree elsewhere (the plan diff's base) shares the entries.
    return crypto.createHash("sha256").update(keyPrefix).update(path.basename(filename)).update("\0").update(source).digest("hex");
  }

  function load() {
    if (compiler === undefined) {
      const ts = require("typescript");
      const read = ts.readConfigFile(tsconfig, ts.sys.readFile);
      if (read.error) throw new TSError(format(ts, [read.error]));
      const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, path.dirname(tsconfig), undefined, tsconfig);
      const errors = parsed.errors.filter((d) => !IGNORED_DIAGNOSTICS.has(d.code));
      if (errors.length) throw new TSError(format(ts, errors));
      compiler = { ts, options: { ...parsed.options, ...EMIT } };
    }
    return compiler;
  }

  function compile(filename, source) {
    const { ts, options } = load();
    const result = ts.transpileModule(source, { fileName: filename, compilerOptions: options, reportDiagnostics: true });
    const diagnostics = (result.diagnostics ?? []).filter((d) => !IGNORED_DIAGNOSTICS.has(d.code));
    if (diagnostics.length) throw new TSError(format(ts, diagnostics));
    return result.outputText;
  }

  /** The JavaScript for a TypeScript module, from the cache or compiled (and then cached). */
  return function transpile(filename, source) {
    const entry = path.join(cacheDir, `${keyOf(filename, source)}.js`);
    try {
      return fs.readFileSync(entry, "utf8");
    } catch {
      // not cached yet
    }
    const output = compile(filename, source);
    try {
      fs.mkdirSync(cacheDir, { recursive: true });
      const partial = `${entry}.${process.pid}.tmp`;
      fs.writeFileSync(partial, output);
      fs.renameSync(partial, entry);
    } catch {
      // A read-only tree still runs; it compiles every time.
    }
    return output;
  };
}

function format(ts, diagnostics) {
  return ts.formatDiagnostics(diagnostics, {
    getCanonicalFileName: (f) => f,
    getCurrentDirectory: () => process.cwd(),
    getNewLine: () => os.EOL,
  });
}

module.exports = { createTranspiler, TSError };
