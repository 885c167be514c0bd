// Loads the project's TypeScript, for every tool (`node -r ./tools/register.js tools/<tool>.ts`)
// and for `pulumi up`, whose Node.js runtime preloads it (Pulumi.yaml: `typescript: false`,
// `nodeargs`). Modules are transpiled with tsconfig.json's compiler options and no type-checking
// (`npm test` type-checks), and cached in node_modules/.cache/homelab-ts. In the tools nothing
// rewrites stack traces while the program runs; an error reported as uncaught gets its frames
// mapped to the .ts lines then (tools/loader/stack-traces.js), and tools/lib/cli.ts does the same
// for the errors a tool reports itself. Under Pulumi's runner, its source-map-support maps them.
// Three more things make every run cheaper: V8's compile cache; the SDK's heavy dependencies for
// features the program never uses load on first use (tools/loader/deferred-modules.js); and no
// stack is captured for each promise the SDK tracks while nothing will print it
// (tools/loader/promise-stacks.js).
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..");
// V8's compiled code for every module this process loads (the SDKs' ~1,200 first), kept on disk
// and keyed by each file's content: a run whose files did not change skips compiling them.
// NODE_COMPILE_CACHE chooses another directory, NODE_DISABLE_COMPILE_CACHE turns it off; a Node
// older than 22.1 (an operator's own, under `pulumi up`) runs without it.
require("node:module").enableCompileCache?.(process.env.NODE_COMPILE_CACHE || path.join(ROOT, "node_modules", ".cache", "homelab-v8"));
const { createTranspiler } = require("./loader/transpile");
const stackTraces = require("./loader/stack-traces");
const deferredModules = require("./loader/deferred-modules");
const promiseStacks = require("./loader/promise-stacks");
const transpile = createTranspiler({
  tsconfig: path.join(ROOT, "tsconfig.json"),
  cacheDir: path.join(ROOT, "node_modules", ".cache", "homelab-ts"),
});

// JavaScript modules load as usual, but for the Pulumi SDK's: what it loads only for features the
// program never uses waits until used, and its promise tracker keeps no stack nothing will read.
const loadJavaScript = require.extensions[".js"];
require.extensions[".js"] = function loadJavaScriptModule(module, filename) {
  if (deferredModules.loadDeferred(loadJavaScript, module, filename)) return;
  loadJavaScript(module, filename);
  if (promiseStacks.isPromiseTracker(filename, module.exports)) promiseStacks.skipUnreadStacks(module.exports);
};

// TypeScript published inside packages is theirs to load (as ts-node left it).
const theirs = require.extensions[".ts"] ?? require.extensions[".js"];
require.extensions[".ts"] = function loadTypeScript(module, filename) {
  if (filename.split(path.sep).includes("node_modules")) return theirs(module, filename);
  const code = transpile(filename, fs.readFileSync(filename, "utf8"));
  stackTraces.remember(filename, code);
  module._compile(code, filename);
};

/** The source-map-support of Pulumi's Node.js runner, when this process is that runner. */
function pulumiRunnerSourceMapSupport() {
  try {
    const main = process.argv[1] && require.resolve(path.resolve(process.argv[1]));
    if (main !== require.resolve("@pulumi/pulumi/cmd/run", { paths: [ROOT] })) return undefined;
    // The copy the runner itself loads (@pulumi/pulumi cmd/run/index.js: "source-map-support/register").
    return require(require.resolve("source-map-support", { paths: [path.dirname(main)] }));
  } catch {
    return undefined;
  }
}

const runnerSourceMapSupport = pulumiRunnerSourceMapSupport();
if (runnerSourceMapSupport) stackTraces.shareWithSourceMapSupport(runnerSourceMapSupport);
else stackTraces.mapReportedErrors();
