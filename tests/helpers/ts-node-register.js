// The loader every tool used before tools/register.js, and what `pulumi up` registers when
// Pulumi.yaml leaves `typescript` on: ts-node (the version @pulumi/pulumi picks), transpile-only,
// with the project's tsconfig.json. Kept as the reference the loader's output is compared with.
const { typeScriptRequireStrings } = require("@pulumi/pulumi/tsutils");
const path = require("node:path");

const { tsnodeRequire, typescriptRequire } = typeScriptRequireStrings();
require(tsnodeRequire).register({
  compiler: typescriptRequire,
  project: path.join(__dirname, "..", "..", "tsconfig.json"),
  transpileOnly: true,
  compilerOptions: {},
});
