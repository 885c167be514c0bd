// Types for promise-stacks.js (plain JavaScript: tools/register.js loads it before TypeScript can be).

/** The slice of @pulumi/pulumi's runtime/debuggable.js this file relies on. */
export interface PromiseTracker {
  debugPromiseLeaks: boolean;
  debuggablePromise<T>(promise: Promise<T>, context: unknown): Promise<T>;
}

/** Wraps the tracker's debuggablePromise so it captures no stack while no leak report reads it. */
export function skipUnreadStacks(tracker: PromiseTracker): void;
/** Whether a loaded module is the SDK's promise tracker, in the shape promise-stacks.js knows, not yet wrapped. */
export function isPromiseTracker(filename: string, exports: unknown): boolean;
