// The TypeScript loader (tools/register.js) that every npm script uses: it must run the program
// exactly as ts-node did (same plan, byte for byte), reuse its cache, and still give a crash's
// stack trace with the .ts lines, wherever the crash is reported. (`pulumi up`: pulumi-up.test.ts.)
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { CRASHING_PROGRAM, crashFrame, crashLine } from "../helpers/crashing-program";
import { decodeMappings, sourceMappedStack } from "../../tools/loader/stack-traces";
import { createTranspiler, TSError } from "../../tools/loader/transpile";

const ROOT = path.resolve(__dirname, "../..");

function node(preload: string, args: string[]) {
  return spawnSync(process.execPath, ["-r", preload, ...args], { cwd: ROOT, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
}

describe("the plan through the loader", () => {
  it.each(["dev", "staging"])("prints the same %s plan as ts-node, byte for byte", (stack) => {
    const ours = node("./tools/register.js", ["tools/plan.ts", stack, "--json"]);
    const reference = node("./tests/helpers/ts-node-register.js", ["tools/plan.ts", stack, "--json"]);
    expect(ours.status).toBe(0);
    expect(reference.status).toBe(0);
    expect(ours.stdout.length).toBeGreaterThan(100000);
    expect(ours.stdout === reference.stdout).toBe(true);
    expect(ours.stderr).toBe(reference.stderr);
  }, 180000);
});

describe("the transpiler's cache", () => {
  let dir: string;
  const write = (name: string, text: string) => {
    fs.writeFileSync(path.join(dir, name), text);
    return path.join(dir, name);
  };
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "loader-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("compiles once, then answers from the cache; a changed source or tsconfig is compiled again", () => {
    const tsconfig = write("tsconfig.json", JSON.stringify({ compilerOptions: { module: "commonjs", target: "ES2022" } }));
    const cacheDir = path.join(dir, "cache");
    const source = "const n: number = 1;\nexport const double = (x: number): number => x * 2 * n;\n";
    const first = createTranspiler({ tsconfig, cacheDir })(path.join(dir, "a.ts"), source);
    expect(first).toContain("exports.double");
    expect(first).toMatch(/\/\/# sourceMappingURL=data:application\/json;base64,/);
    const entries = fs.readdirSync(cacheDir);
    expect(entries).toHaveLength(1);

    // A later process reads the entry instead of compiling (a marked entry proves which it did).
    fs.appendFileSync(path.join(cacheDir, entries[0]), "// from the cache\n");
    expect(createTranspiler({ tsconfig, cacheDir })(path.join(dir, "a.ts"), source)).toContain("// from the cache");
    // The same file elsewhere (the plan diff's copy of the base tree) shares the entry.
    expect(createTranspiler({ tsconfig, cacheDir })(path.join(dir, "copy", "a.ts"), source)).toContain("// from the cache");

    createTranspiler({ tsconfig, cacheDir })(path.join(dir, "a.ts"), source + "export const three = 3;\n");
    expect(fs.readdirSync(cacheDir)).toHaveLength(2);
    write("tsconfig.json", JSON.stringify({ compilerOptions: { module: "commonjs", target: "ES2020" } }));
    createTranspiler({ tsconfig, cacheDir })(path.join(dir, "a.ts"), source);
    expect(fs.readdirSync(cacheDir)).toHaveLength(3);
  });

  it("refuses a syntax error as ts-node did, and caches nothing for it", () => {
    const tsconfig = write("tsconfig.json", JSON.stringify({ compilerOptions: { module: "commonjs" } }));
    const cacheDir = path.join(dir, "cache");
    const transpile = createTranspiler({ tsconfig, cacheDir });
    let thrown: Error | undefined;
    try {
      transpile(path.join(dir, "broken.ts"), "export const x = ;\n");
    } catch (err) {
      thrown = err as Error;
    }
    expect(thrown).toBeInstanceOf(TSError);
    expect(thrown?.name).toBe("TSError");
    expect(thrown?.message).toMatch(/^⨯ Unable to compile TypeScript:\n.*broken\.ts\(1,18\): error TS1109: Expression expected\./);
    expect(fs.existsSync(cacheDir) ? fs.readdirSync(cacheDir) : []).toEqual([]);
  });
});

describe("V8's compile cache", () => {
  const cacheDir = (env: Record<string, string> = {}) => {
    const { NODE_COMPILE_CACHE, NODE_DISABLE_COMPILE_CACHE, ...inherited } = process.env; // set at all, they count
    return spawnSync(process.execPath, ["-r", "./tools/register.js", "-p", 'require("node:module").getCompileCacheDir() ?? "off"'], {
      cwd: ROOT, encoding: "utf8", env: { ...inherited, ...env },
    }).stdout.trim();
  };

  it("keeps compiled modules under node_modules/.cache unless the environment says otherwise", () => {
    // Node keeps one subdirectory per Node version and V8 flags inside the directory it is given.
    expect(path.dirname(cacheDir())).toBe(path.join(ROOT, "node_modules", ".cache", "homelab-v8"));
    const elsewhere = path.join(os.tmpdir(), "elsewhere-compile-cache");
    expect(path.dirname(cacheDir({ NODE_COMPILE_CACHE: elsewhere }))).toBe(elsewhere);
    expect(cacheDir({ NODE_DISABLE_COMPILE_CACHE: "1" })).toBe("off");
  });
});

describe("stack traces of a crash", () => {
  const line = crashLine();

  it("is a meaningful check: the fixture's throw moves when transpiled", () => {
    expect(line.transpiled).not.toBe(line.source);
  });

  it("names the .ts line when a tool reports the crash", () => {
    const r = node("./tools/register.js", ["tools/bench-worker.ts", "staging", "", CRASHING_PROGRAM]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^failed unexpectedly:\nError: deliberate crash: 3 sides\n/m);
    expect(r.stderr).toMatch(crashFrame());
  }, 60000);

  it("names the .ts line when Node reports an unhandled rejection, excerpt included", () => {
    const r = node("./tools/register.js", ["-e", `require(${JSON.stringify(CRASHING_PROGRAM)})()`]);
    expect(r.status).toBe(1);
    expect(r.stderr.startsWith(`${CRASHING_PROGRAM}:${line.source}\n  throw new Error(`)).toBe(true);
    expect(r.stderr).toMatch(crashFrame());
  });

  it("maps only frames of transpiled modules, from their inline source maps", () => {
    // "AAAA;AACA" : generated line 1 col 0 -> source line 0 col 0; generated line 2 -> source line 1.
    expect(decodeMappings("AAAA;AACA,IAAI")).toEqual([[[0, 0, 0]], [[0, 1, 0], [4, 1, 4]]]);
    const stack = "Error: x\n    at f (/nowhere/a.ts:3:5)\n    at node:internal/main:1:1";
    expect(sourceMappedStack(stack)).toBe(stack);
  });
});
