// Modules the Pulumi SDK loads with itself for features this program never uses: function
// serialization (runtime/closure) and the component-provider analyzer parse JavaScript with the
// TypeScript compiler, and packaging a serialized function walks node_modules with npm's Arborist.
// Loading them is about half of what importing the SDKs costs (the compiler is a 9 MB file,
// Arborist brings ~400 modules). Here each loads the first time something reads it, so a run that
// never serializes a function never pays for them, and one that does gets the real module.
"use strict";
const path = require("node:path");

/**
 * The deferred modules: file (path suffix inside node_modules); whether its exports are a class
 * (the stand-in must be callable and constructible too); and whether its importers read it through
 * TypeScript's `__importStar`, which copies every export (so loads the module at once) unless the
 * module says it is an ES module: then it is used as it is, named exports only.
 */
const DEFERRED = [
  // @pulumi/pulumi's own `require("typescript")` (runtime/closure/parseFunction.js and others: `require`).
  { file: path.join("@pulumi", "pulumi", "typescript-shim.js"), callable: false, esModule: false },
  // The Arborist class, required by @pulumi/pulumi runtime/closure/codePaths.js (`__importStar`,
  // then `arborist.Arborist`).
  { file: path.join("@npmcli", "arborist", "lib", "index.js"), callable: true, esModule: true },
];

/** The deferred module a file is, if any. */
function deferredModule(filename) {
  return DEFERRED.find((d) => filename.endsWith(path.sep + d.file));
}

/**
 * Exports that stand for a module until it is used: reading, testing, listing, writing, calling or
 * constructing anything on them loads it (`load()` returns its real exports) and forwards there.
 */
function lazyExports(load, { callable, esModule }) {
  let real;
  const target = () => (real ??= load());
  // A bound function has no `prototype` and only configurable own properties: nothing it holds can
  // contradict what the real module reports.
  const standIn = new Proxy(callable ? function standIn() {}.bind(null) : Object.create(null), {
    get: (_, key) => (esModule && key === "__esModule" ? true : Reflect.get(target(), key)),
    has: (_, key) => Reflect.has(target(), key),
    ownKeys: () => Reflect.ownKeys(target()),
    getOwnPropertyDescriptor: (_, key) => {
      const descriptor = Reflect.getOwnPropertyDescriptor(target(), key);
      // A proxy may report a property its target lacks (or holds configurable) only as configurable.
      return descriptor && { ...descriptor, configurable: true };
    },
    set: (_, key, value) => Reflect.set(target(), key, value),
    defineProperty: (_, key, descriptor) => Reflect.defineProperty(target(), key, descriptor),
    deleteProperty: (_, key) => Reflect.deleteProperty(target(), key),
    apply: (_, self, args) => Reflect.apply(target(), self, args),
    construct: (_, args, newTarget) => Reflect.construct(target(), args, newTarget === standIn ? target() : newTarget),
  });
  return standIn;
}

/**
 * Loads a module file: a deferred one as lazy exports, compiled and run by `loadJavaScript` on
 * first use (with fresh `exports`, so what it assigns lands on the real object). If that first
 * load throws, the stand-in stays in place and the next use tries again, as a failed `require`
 * leaves nothing half-loaded behind.
 */
function loadDeferred(loadJavaScript, module, filename) {
  const deferred = deferredModule(filename);
  if (!deferred) return false;
  const standIn = lazyExports(() => {
    module.exports = {};
    try {
      loadJavaScript(module, filename);
    } catch (err) {
      module.exports = standIn;
      throw err;
    }
    return module.exports;
  }, deferred);
  module.exports = standIn;
  return true;
}

module.exports = { deferredModule, lazyExports, loadDeferred };
