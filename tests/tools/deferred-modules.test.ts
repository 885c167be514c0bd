// The loader defers what the Pulumi SDK loads only for function serialization (the TypeScript
// compiler, npm's Arborist) to its first use: a run that never serializes a function does not load
// them, and one that does gets the real modules. (The plan's bytes: loader.test.ts.)
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { deferredModule, lazyExports, loadDeferred } from "../../tools/loader/deferred-modules";

const ROOT = path.resolve(__dirname, "../..");

describe("lazy exports", () => {
  it("load the module on first use only, then forward everything to it", () => {
    let loads = 0;
    const lazy = lazyExports(() => {
      loads++;
      return { answer: 42, ask: (q: string) => `${q}? 42` } as Record<string, unknown>;
    }, { callable: false, esModule: false });
    expect(loads).toBe(0);
    expect(lazy.answer).toBe(42);
    expect((lazy.ask as (q: string) => string)("why")).toBe("why? 42");
    expect("ask" in lazy).toBe(true);
    expect(Object.keys(lazy)).toEqual(["answer", "ask"]);
    expect({ ...lazy }).toEqual({ answer: 42, ask: lazy.ask });
    lazy.added = 1;
    expect(lazy.added).toBe(1);
    expect(loads).toBe(1);
  });

  it("say they are an ES module without loading, when their importers copy every export otherwise", () => {
    let loads = 0;
    const lazy = lazyExports(() => {
      loads++;
      return { Arborist: class {} } as Record<string, unknown>;
    }, { callable: false, esModule: true });
    expect(lazy.__esModule).toBe(true);
    expect(loads).toBe(0);
    expect(typeof lazy.Arborist).toBe("function");
    expect(loads).toBe(1);
  });

  it("stand for a class as a class: called, constructed and extended like the real one", () => {
    class Tree {
      static Tree = Tree;
      constructor(readonly path: string) {}
    }
    let loads = 0;
    const Lazy = lazyExports(() => {
      loads++;
      return Tree;
    }, { callable: true, esModule: true });
    expect(typeof Lazy).toBe("function");
    expect(loads).toBe(0);
    const tree = new Lazy("/lab");
    expect(tree).toBeInstanceOf(Tree);
    expect(tree.path).toBe("/lab");
    expect(Lazy.Tree).toBe(Tree);
    class Subtree extends Lazy {}
    expect(new Subtree("/lab/sub")).toBeInstanceOf(Tree);
    expect(loads).toBe(1);
  });

  it("run a deferred module's code on first use, with fresh exports for what it assigns", () => {
    const filename = path.join(ROOT, "node_modules", "@pulumi", "pulumi", "typescript-shim.js");
    const ran: string[] = [];
    const module = { exports: {} as Record<string, unknown> };
    const loadJavaScript = (m: { exports: unknown }, f: string) => {
      ran.push(f);
      (m.exports as Record<string, unknown>).version = "5.x";
    };
    expect(loadDeferred(loadJavaScript, module, filename)).toBe(true);
    expect(ran).toEqual([]);
    expect(module.exports.version).toBe("5.x");
    expect(ran).toEqual([filename]);
    expect(loadDeferred(loadJavaScript, { exports: {} }, path.join(ROOT, "node_modules", "typescript", "lib", "typescript.js"))).toBe(false);
  });

  it("leave nothing half-loaded when the first load throws: the next use loads it again", () => {
    const filename = path.join(ROOT, "node_modules", "@pulumi", "pulumi", "typescript-shim.js");
    const module = { exports: {} as Record<string, unknown> };
    let attempts = 0;
    const loadJavaScript = (m: { exports: unknown }) => {
      attempts++;
      (m.exports as Record<string, unknown>).partial = true;
      if (attempts === 1) throw new Error("disk hiccup");
      (m.exports as Record<string, unknown>).version = "5.x";
    };
    loadDeferred(loadJavaScript, module, filename);
    const standIn = module.exports;
    expect(() => standIn.version).toThrow("disk hiccup");
    expect(module.exports).toBe(standIn); // what a later require() gets: still the stand-in
    expect(standIn.version).toBe("5.x");
    expect(module.exports).toEqual({ partial: true, version: "5.x" });
    expect(attempts).toBe(2);
  });

  it("defer exactly the SDK's TypeScript shim and Arborist's entry point", () => {
    const nm = path.join(ROOT, "node_modules");
    expect(deferredModule(path.join(nm, "@pulumi", "pulumi", "typescript-shim.js"))).toMatchObject({ callable: false, esModule: false });
    expect(deferredModule(path.join(nm, "@npmcli", "arborist", "lib", "index.js"))).toMatchObject({ callable: true, esModule: true });
    expect(deferredModule(path.join(nm, "@pulumi", "pulumi", "index.js"))).toBeUndefined();
    expect(deferredModule(path.join(nm, "typescript", "lib", "typescript.js"))).toBeUndefined();
  });
});

describe("the pinned SDK through the loader", () => {
  // Imports the SDK, then serializes a function and computes a tiny project's code paths (the two
  // features that use the deferred modules), noting which of those modules are loaded at each step.
  const probe = `
    const loaded = () => Object.keys(require.cache)
      .filter((f) => /typescript[\\\\/]lib[\\\\/]typescript\\.js$|arborist[\\\\/]lib[\\\\/]arborist[\\\\/]index\\.js$/.test(f))
      .map((f) => (f.includes("typescript") ? "typescript" : "arborist")).sort();
    const pulumi = require("@pulumi/pulumi");
    const atImport = loaded();
    (async () => {
      const fn = await pulumi.runtime.serializeFunction(() => 40 + 2);
      const afterSerializing = loaded();
      process.chdir(process.env.PROBE_PROJECT);
      const codePaths = [...(await pulumi.runtime.computeCodePaths()).keys()];
      const kinds = [typeof require("@npmcli/arborist"), typeof require("@pulumi/pulumi/typescript-shim").createSourceFile];
      console.log(JSON.stringify({ atImport, afterSerializing, afterCodePaths: loaded(), serialized: fn.text.includes("40 + 2"), codePaths, kinds }));
    })();`;
  let project: string;
  beforeAll(() => {
    project = fs.mkdtempSync(path.join(os.tmpdir(), "code-paths-"));
    fs.mkdirSync(path.join(project, "node_modules", "left"), { recursive: true });
    fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "probe", version: "1.0.0", dependencies: { left: "1.0.0" } }));
    fs.writeFileSync(path.join(project, "node_modules", "left", "package.json"), JSON.stringify({ name: "left", version: "1.0.0" }));
  });
  afterAll(() => fs.rmSync(project, { recursive: true, force: true }));

  const run = (preload: string[]) => {
    const r = spawnSync(process.execPath, [...preload, "--no-deprecation", "--no-warnings", "-e", probe], {
      cwd: ROOT, encoding: "utf8", env: { ...process.env, PROBE_PROJECT: project },
    });
    expect(r.stderr).toBe("");
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };

  it("is a meaningful check: without the loader, importing the SDK loads both", () => {
    expect(run([])).toEqual({
      atImport: ["arborist", "typescript"], afterSerializing: ["arborist", "typescript"], afterCodePaths: ["arborist", "typescript"],
      serialized: true, codePaths: ["node_modules/left"], kinds: ["function", "function"],
    });
  }, 60000);

  it("loads neither at import, and each when the feature that needs it runs, with the same results", () => {
    expect(run(["-r", "./tools/register.js"])).toEqual({
      atImport: [], afterSerializing: ["typescript"], afterCodePaths: ["arborist", "typescript"],
      serialized: true, codePaths: ["node_modules/left"], kinds: ["function", "function"],
    });
  }, 60000);
});
