// Loads TypeScript the way `pulumi up` does: Pulumi's Node.js runtime registers ts-node with the
// project's tsconfig.json, transpile-only because tsconfig sets `noCheck`. Set
// HOMELAB_TYPECHECK=true to type-check at load time instead (the benchmark compares both).
const { typeScriptRequireStrings } = require("@pulumi/pulumi/tsutils");
const path = require("node:path");

const { tsnodeRequire, typescriptRequire } = typeScriptRequireStrings();
const typecheck = process.env.HOMELAB_TYPECHECK === "true";
require(tsnodeRequire).register({
  compiler: typescriptRequire,
  project: path.join(__dirname, "..", "tsconfig.json"),
  transpileOnly: !typecheck,
  // tsconfig's noCheck would silence the type-checker even outside transpile-only mode.
  compilerOptions: typecheck ? { noCheck: false } : {},
});
