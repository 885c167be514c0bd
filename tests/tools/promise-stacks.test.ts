// The loader stops the Pulumi SDK from capturing a stack for every promise it tracks, unless the
// leak report that reads them (PULUMI_DEBUG_PROMISE_LEAKS) is on: the promises, the report and
// every other stack stay as they were. (The plan's bytes: loader.test.ts; `pulumi up`'s source
// positions and crash traces: pulumi-up.test.ts.)
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { isPromiseTracker, PromiseTracker, skipUnreadStacks } from "../../tools/loader/promise-stacks";

const ROOT = path.resolve(__dirname, "../..");
const FRAME = /\n\s+at /;

/** A tracker that, like the SDK's, keeps the stack it captures on the promise. */
function fakeTracker(debugPromiseLeaks: boolean) {
  const tracker = {
    debugPromiseLeaks,
    stacks: [] as string[],
    debuggablePromise<T>(promise: Promise<T>, _context: unknown): Promise<T> {
      tracker.stacks.push(new Error().stack ?? "");
      return promise;
    },
  };
  return tracker;
}

describe("skipUnreadStacks", () => {
  it("tracks the promise without a stack while the leak report is off, then restores the stack limit", () => {
    const tracker = fakeTracker(false);
    skipUnreadStacks(tracker);
    const promise = Promise.resolve(1);
    const limit = Error.stackTraceLimit;
    expect(tracker.debuggablePromise(promise, "ctx")).toBe(promise);
    expect(tracker.stacks).toHaveLength(1);
    expect(tracker.stacks[0]).not.toMatch(FRAME);
    expect(Error.stackTraceLimit).toBe(limit);
    expect(new Error().stack).toMatch(FRAME);
  });

  it("leaves the stack to the SDK when the leak report is on, also when it is turned on later", () => {
    const tracker = fakeTracker(true);
    skipUnreadStacks(tracker);
    tracker.debuggablePromise(Promise.resolve(), "ctx");
    tracker.debugPromiseLeaks = false;
    tracker.debuggablePromise(Promise.resolve(), "ctx");
    tracker.debugPromiseLeaks = true;
    tracker.debuggablePromise(Promise.resolve(), "ctx");
    expect(tracker.stacks.map((s) => FRAME.test(s))).toEqual([true, false, true]);
  });

  it("restores the stack limit when the SDK's function throws", () => {
    const limit = Error.stackTraceLimit;
    const tracker: PromiseTracker = {
      debugPromiseLeaks: false,
      debuggablePromise: () => {
        throw new TypeError("broken");
      },
    };
    skipUnreadStacks(tracker);
    expect(() => tracker.debuggablePromise(Promise.resolve(), "ctx")).toThrow("broken");
    expect(Error.stackTraceLimit).toBe(limit);
  });

  it("recognises the SDK's module by path and shape, once", () => {
    const sdkPath = path.join(ROOT, "node_modules", "@pulumi", "pulumi", "runtime", "debuggable.js");
    const tracker = fakeTracker(false);
    expect(isPromiseTracker(sdkPath, tracker)).toBe(true);
    expect(isPromiseTracker(path.join(ROOT, "debuggable.js"), tracker)).toBe(false);
    expect(isPromiseTracker(sdkPath, { debuggablePromise: tracker.debuggablePromise })).toBe(false);
    skipUnreadStacks(tracker);
    expect(isPromiseTracker(sdkPath, tracker)).toBe(false);
  });
});

describe("the pinned SDK through the loader", () => {
  // Registers one resource under the SDK's mocks and reports the stacks kept on the promises the
  // registration is waiting for.
  const probe = `
    const pulumi = require("@pulumi/pulumi");
    pulumi.runtime.setMocks({ newResource: (a) => ({ id: a.name, state: a.inputs }), call: (a) => a.inputs });
    new pulumi.CustomResource("test:index:Thing", "t", { x: 1 });
    const stacks = [...require("@pulumi/pulumi/runtime/state").getStore().leakCandidates].map((p) => p._debugStackTrace);
    console.log(JSON.stringify({ tracked: stacks.length, withFrames: stacks.filter((s) => ${FRAME}.test(s)).length }));`;
  const run = (preload: string[], env: Record<string, string> = {}) => {
    const r = spawnSync(process.execPath, [...preload, "-e", probe], { cwd: ROOT, encoding: "utf8", env: { ...process.env, ...env } });
    expect(r.stderr).toBe("");
    return JSON.parse(r.stdout) as { tracked: number; withFrames: number };
  };

  it("is a meaningful check: without the loader the SDK keeps a stack on every tracked promise", () => {
    const { tracked, withFrames } = run([]);
    expect(tracked).toBeGreaterThan(5);
    expect(withFrames).toBe(tracked);
  });

  it("keeps no stack on them through the loader: the SDK's modules all call the wrapped function", () => {
    const { tracked, withFrames } = run(["-r", "./tools/register.js"]);
    expect(tracked).toBeGreaterThan(5);
    expect(withFrames).toBe(0);
  });

  it("keeps every stack when PULUMI_DEBUG_PROMISE_LEAKS asks for the leak report", () => {
    const { tracked, withFrames } = run(["-r", "./tools/register.js"], { PULUMI_DEBUG_PROMISE_LEAKS: "1" });
    expect(tracked).toBeGreaterThan(5);
    expect(withFrames).toBe(tracked);
  });
});
