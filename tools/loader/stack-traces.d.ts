// Types for stack-traces.js (plain JavaScript: tools/register.js loads it before TypeScript can be).

/** Records the JavaScript a .ts module was compiled to (its source map is inline). */
export function remember(filename: string, code: string): void;
/** A formatted stack with every frame in a transpiled module pointing at its .ts line instead. */
export function sourceMappedStack(stack: string): string;
/** Rewrites an error's stack (and its causes') in place to name .ts lines; returns the error. */
export function mapErrorStack<T>(error: T): T;
/** Maps the stack of every error the process reports as uncaught, before it is printed. */
export function mapReportedErrors(): void;
/** Hands the program's source maps to a source-map-support that formats every stack (Pulumi's runner's). */
export function shareWithSourceMapSupport(sourceMapSupport: { install(options: object): void }): void;
/** A source map's mappings per generated line: [generated column, source line, source column], zero-based. */
export function decodeMappings(mappings: string): [number, number, number][][];
