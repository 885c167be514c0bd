// Stack traces that name TypeScript lines, paid for only when an error is reported. Node formats
// every stack as usual (positions in the transpiled JavaScript); when an error is about to be
// printed, its stack is rewritten with the positions of the .ts source, read from the source map
// inline in the transpiled module. Formatting every stack through a source map instead (what
// ts-node's source-map-support did) costs on each of the many stacks the Pulumi SDK captures.
//
// Pulumi's runner (`pulumi up`) installs source-map-support whatever the project does, and the
// SDK records the source position of every resource from a formatted stack: there, the runner's
// source-map-support gets the program's maps instead (shareWithSourceMapSupport), as with ts-node.
"use strict";

/** Transpiled modules by file name; their inline source maps are decoded on first use. */
const modules = new Map();
/** Whether stacks are mapped as they are formatted (by source-map-support), so never again later. */
let mappedWhenFormatted = false;

/** Records the JavaScript a .ts module was compiled to. */
function remember(filename, code) {
  modules.set(filename, { code, lines: undefined });
}

const BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const DIGIT = new Map([...BASE64].map((c, i) => [c, i]));
const INLINE_MAP = /\/\/# sourceMappingURL=data:application\/json;(?:charset=utf-8;)?base64,([A-Za-z0-9+/=]+)\s*$/;

/**
 * A source map's mappings (format v3), per generated line: [generated column, source line,
 * source column] segments, all zero-based, in column order.
 */
function decodeMappings(mappings) {
  const lines = [];
  let sourceLine = 0;
  let sourceColumn = 0;
  for (const text of mappings.split(";")) {
    const segments = [];
    let column = 0;
    for (const segment of text ? text.split(",") : []) {
      const fields = [];
      let value = 0;
      let shift = 0;
      for (const c of segment) {
        const digit = DIGIT.get(c);
        value += (digit & 31) << shift;
        if (digit & 32) {
          shift += 5;
        } else {
          fields.push(value & 1 ? -(value >>> 1) : value >>> 1);
          value = 0;
          shift = 0;
        }
      }
      column += fields[0];
      if (fields.length >= 4) {
        sourceLine += fields[2];
        sourceColumn += fields[3];
        segments.push([column, sourceLine, sourceColumn]);
      }
    }
    lines.push(segments);
  }
  return lines;
}

/** The .ts position (one-based line and column) of a position in a transpiled module, if known. */
/** A transpiled module's source map (the JSON text), if it has one. */
function sourceMapOf(filename) {
  const inline = INLINE_MAP.exec(modules.get(filename)?.code ?? "");
  return inline ? Buffer.from(inline[1], "base64").toString("utf8") : undefined;
}

function originalPosition(filename, line, column) {
  const mod = modules.get(filename);
  if (!mod) return undefined;
  if (mod.lines === undefined) {
    const map = sourceMapOf(filename);
    mod.lines = map ? decodeMappings(JSON.parse(map).mappings) : null;
  }
  const segments = mod.lines?.[line - 1];
  if (!segments?.length) return undefined;
  // The last segment that starts at or before the column (V8's columns are one-based).
  let found = segments[0];
  for (const segment of segments) {
    if (segment[0] > column - 1) break;
    found = segment;
  }
  return { line: found[1] + 1, column: found[2] + 1 };
}

const LOCATION = /:(\d+):(\d+)(\)?)$/;

/** A formatted stack with every frame in a transpiled module pointing at its .ts line instead. */
function sourceMappedStack(stack) {
  if (typeof stack !== "string" || modules.size === 0 || mappedWhenFormatted) return stack;
  return stack
    .split("\n")
    .map((frame) => {
      const location = LOCATION.exec(frame);
      if (!location || !/^\s+at /.test(frame)) return frame;
      const before = frame.slice(0, location.index);
      for (const filename of modules.keys()) {
        if (!before.endsWith(filename)) continue;
        const position = originalPosition(filename, Number(location[1]), Number(location[2]));
        return position ? `${before}:${position.line}:${position.column}${location[3]}` : frame;
      }
      return frame;
    })
    .join("\n");
}

const mapped = new WeakSet();

/** Rewrites an error's stack (and its causes') in place, once; anything else is left alone. */
function mapErrorStack(error) {
  for (let e = error, depth = 0; e instanceof Error && !mapped.has(e) && depth < 10; e = e.cause, depth++) {
    mapped.add(e);
    try {
      const stack = e.stack;
      const rewritten = sourceMappedStack(stack);
      if (rewritten !== stack) e.stack = rewritten;
    } catch {
      // a frozen error or a throwing getter: report it as it is
    }
  }
  return error;
}

/** The file, line and column of a stack's first frame, as formatted. */
function topFrame(stack) {
  const frame = typeof stack === "string" ? stack.split("\n").find((line) => /^\s+at /.test(line)) : undefined;
  const location = frame && LOCATION.exec(frame);
  if (!location) return undefined;
  const before = frame.slice(0, location.index);
  const filename = [...modules.keys()].find((f) => before.endsWith(f));
  return filename && { filename, line: Number(location[1]), column: Number(location[2]) };
}

/**
 * Node's report of a fatal error, for one thrown in a transpiled module: Node's own would show
 * the transpiled line above the trace. Undefined when Node's report is right as it is.
 */
function fatalReport(error) {
  if (!(error instanceof Error)) return undefined;
  const thrown = topFrame(error.stack);
  const position = thrown && originalPosition(thrown.filename, thrown.line, thrown.column);
  if (!position) return undefined;
  let text;
  try {
    text = require("node:fs").readFileSync(thrown.filename, "utf8").split(/\r?\n/)[position.line - 1];
  } catch {
    return undefined;
  }
  const excerpt = `${thrown.filename}:${position.line}\n${text}\n${" ".repeat(position.column - 1)}^\n`;
  return `${excerpt}\n${mapErrorStack(error).stack}\n\nNode.js ${process.version}\n`;
}

/**
 * Maps the stack of every error the process reports as uncaught, before anyone prints it: Node's
 * own report, and the handlers a runner installs (Pulumi's prints unhandled rejections itself).
 */
function mapReportedErrors() {
  // Runs before any 'uncaughtException' handler and before Node's own report; observes only,
  // unless Node is about to report an error thrown in a transpiled module: then this reports it
  // as Node would, with the .ts line, and exits as Node would.
  process.on("uncaughtExceptionMonitor", (error) => {
    const nodeReports = process.listenerCount("uncaughtException") === 0 && !process.hasUncaughtExceptionCaptureCallback();
    const report = nodeReports ? fatalReport(error) : undefined;
    if (report === undefined) {
      mapErrorStack(error);
      return;
    }
    require("node:fs").writeSync(2, report);
    process.exit(1);
  });
  // A rejection goes to the 'unhandledRejection' handlers when there are some (Node's report
  // otherwise, through the monitor above): once someone adds one, ours goes first. Adding ours
  // only then keeps Node's default behaviour for processes that have none.
  const onRejection = (reason) => mapErrorStack(reason);
  let listening = false;
  process.on("newListener", (event) => {
    if (event !== "unhandledRejection" || listening) return;
    listening = true;
    process.prependListener("unhandledRejection", onRejection);
  });
  process.on("removeListener", (event) => {
    if (event !== "unhandledRejection" || !listening || process.listenerCount(event) > 1) return;
    listening = false;
    process.removeListener("unhandledRejection", onRejection);
  });
}

/**
 * Hands the program's source maps to a source-map-support that formats every stack (Pulumi's
 * runner installs one): traces, and the source positions the SDK reads from them, name .ts lines.
 */
function shareWithSourceMapSupport(sourceMapSupport) {
  mappedWhenFormatted = true;
  sourceMapSupport.install({
    environment: "node",
    handleUncaughtExceptions: false,
    retrieveSourceMap: (source) => {
      const map = modules.has(source) ? sourceMapOf(source) : undefined;
      return map ? { url: source, map } : null;
    },
  });
}

module.exports = { remember, sourceMappedStack, mapErrorStack, mapReportedErrors, shareWithSourceMapSupport, decodeMappings };
