// Modules the Pulumi SDK loads with itself for features this program never uses: function
// serialization (runtime/closure) and the component-provider analyzer parse JavaScript with the
// TypeScript compiler, and packaging a serialized function walks node_modules with npm's Arborist.
// Loading them is most of what importing @pulumi/pulumi costs (the compiler is a 9 MB file,
// Arborist brings ~400 modules). Here each loads the first time something reads it, so a run that
// never serializes a function never pays for them, and one that does gets the real module.
"use strict";
const path = require("node:path");

/**
 * The deferred modules: file (path suffix inside node_modules), and whether its importers read it
 * through TypeScript's `__importStar`, which copies every export (so loads the module at once)
 * unless the module says it is an ES module: then it is used as it is, named exports only.
 */
const DEFERRED = [
  // @pulumi/pulumi's own `require("typescript")` (runtime/closure/parseFunction.js: `require`).
  { file: path.join("@pulumi", "pulumi", "typescript-shim.js"), esModule: false },
  // Required by @pulumi/pulumi runtime/closure/codePaths.js (`__importStar`), for `arborist.Arborist`.
  { file: path.join("@npmcli", "arborist", "lib", "index.js"), esModule: true },
];

/** The deferred module a file is, if any. */
function deferredModule(filename) {
  return DEFERRED.find((d) => filename.endsWith(path.sep + d.file));
}

/**
 * Exports that stand for a module until it is used: reading, testing, listing or writing anything
 * on them loads it (`load()` returns its real exports) and forwards there.
 */
function lazyExports(load, { esModule }) {
  let real;
  const target = () => (real ??= load());
  return new Proxy(Object.create(null), {
    get: (_, key) => (esModule && key === "__esModule" ? true : Reflect.get(target(), key)),
    has: (_, key) => Reflect.has(target(), key),
    ownKeys: () => Reflect.ownKeys(target()),
    getOwnPropertyDescriptor: (_, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(target(), key);
      // A proxy may report a property its (empty) target lacks only as configurable.
      return descriptor && { ...descriptor, configurable: true };
    },
    set: (_, key, value) => Reflect.set(target(), key, value),
    defineProperty: (_, key, descriptor) => Reflect.defineProperty(target(), key, descriptor),
    deleteProperty: (_, key) => Reflect.deleteProperty(target(), key),
  });
}

/**
 * Loads a module file: a deferred one as lazy exports, compiled and run by `loadJavaScript` on
 * first use (with fresh `exports`, so what it assigns lands on the real object).
 */
function loadDeferred(loadJavaScript, module, filename) {
  const deferred = deferredModule(filename);
  if (!deferred) return false;
  module.exports = lazyExports(() => {
    module.exports = {};
    loadJavaScript(module, filename);
    return module.exports;
  }, deferred);
  return true;
}

module.exports = { deferredModule, lazyExports, loadDeferred };
