// The Pulumi SDK formats a stack trace for every promise it tracks (runtime/debuggable.js
// `debuggablePromise`: `new Error().stack`, several per resource: 13,852 for the staging plan), and
// reads it back in one place only: the promise-leak report, printed when PULUMI_DEBUG_PROMISE_LEAKS
// is set. Without that variable the stacks are built, kept alive with their promises and never
// read, and they cost the staging plan about a fifth of its time (under `pulumi up`, more: the
// runner's source-map-support maps each of their frames). So while the leak report is off, the
// promise is tracked with no stack captured; with it on, nothing changes. The promise, its leak
// tracking and every other stack (a crash's, a resource's source position) stay as the SDK makes
// them.
"use strict";
const path = require("node:path");

/** The SDK module that tracks promises, in any copy of @pulumi/pulumi. */
const DEBUGGABLE = path.join("@pulumi", "pulumi", "runtime", "debuggable.js");

/** Whether a loaded module is the SDK's promise tracker, in the shape this file knows. */
function isPromiseTracker(filename, exports) {
  return (
    filename.endsWith(path.sep + DEBUGGABLE) &&
    typeof exports?.debuggablePromise === "function" &&
    typeof exports.debugPromiseLeaks === "boolean" &&
    !exports.debuggablePromise.withoutUnreadStacks
  );
}

/**
 * Replaces the tracker's `debuggablePromise` (the SDK's modules call it through the module's
 * exports, so they all get this one) with one that skips the stack while no leak report reads it.
 */
function skipUnreadStacks(tracker) {
  const debuggablePromise = tracker.debuggablePromise;
  function withoutUnreadStacks(promise, context) {
    if (tracker.debugPromiseLeaks) return debuggablePromise(promise, context);
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return debuggablePromise(promise, context);
    } finally {
      Error.stackTraceLimit = limit;
    }
  }
  withoutUnreadStacks.withoutUnreadStacks = true;
  tracker.debuggablePromise = withoutUnreadStacks;
}

module.exports = { skipUnreadStacks, isPromiseTracker };
