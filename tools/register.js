// Loads the project's TypeScript, for every tool (`node -r ./tools/register.js tools/<tool>.ts`)
// and for `pulumi up`, whose Node.js runtime preloads it (Pulumi.yaml: `typescript: false`,
// `nodeargs`). Modules are transpiled with tsconfig.json's compiler options and no type-checking
// (`npm test` type-checks), and cached in node_modules/.cache/homelab-ts. Nothing rewrites stack
// traces while the program runs; an error reported as uncaught gets its frames mapped to the .ts
// lines then (tools/loader/stack-traces.js), and tools/lib/cli.ts does the same for the errors a
// tool reports itself.
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { createTranspiler } = require("./loader/transpile");
const stackTraces = require("./loader/stack-traces");

const ROOT = path.resolve(__dirname, "..");
const transpile = createTranspiler({
  tsconfig: path.join(ROOT, "tsconfig.json"),
  cacheDir: path.join(ROOT, "node_modules", ".cache", "homelab-ts"),
});

// TypeScript published inside packages is theirs to load (as ts-node left it).
const theirs = require.extensions[".ts"] ?? require.extensions[".js"];
require.extensions[".ts"] = function loadTypeScript(module, filename) {
  if (filename.split(path.sep).includes("node_modules")) return theirs(module, filename);
  const code = transpile(filename, fs.readFileSync(filename, "utf8"));
  stackTraces.remember(filename, code);
  module._compile(code, filename);
};

stackTraces.mapReportedErrors();
