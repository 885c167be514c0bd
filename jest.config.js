/** Jest runs the TypeScript sources through ts-jest in transpile-only mode; `tsc` type-checks separately. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { diagnostics: false }],
  },
  // Mock-runtime tests load the whole program; give them room on a 2-core CI machine.
  testTimeout: 60000,
  maxWorkers: 2,
  reporters: ["default", "<rootDir>/tests/helpers/summary-reporter.js"],
};
