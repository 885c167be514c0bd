// Types for deferred-modules.js (plain JavaScript: tools/register.js loads it before TypeScript can be).

export interface DeferredModule {
  /** The module's file, as a path suffix inside node_modules. */
  file: string;
  /** Whether its exports are a class: the stand-in can be called and constructed too. */
  callable: boolean;
  /** Whether its lazy exports say they are an ES module (for importers that use `__importStar`). */
  esModule: boolean;
}

/** The deferred module a file is, if any. */
export function deferredModule(filename: string): DeferredModule | undefined;
/** Exports that load the module (`load()` returns its real exports) the first time anything uses them. */
export function lazyExports<T extends object>(load: () => T, options: { callable: boolean; esModule: boolean }): T;
/** Gives a deferred module lazy exports that `loadJavaScript` fills on first use; false for any other file. */
export function loadDeferred(
  loadJavaScript: (module: { exports: unknown }, filename: string) => void,
  module: { exports: unknown },
  filename: string,
): boolean;
