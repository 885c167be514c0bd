// `npm ci` refuses a lockfile that omits an optional dependency some package declares. A registry
// mirror that serves only this platform's builds makes `npm install` drop the others, so the
// lockfile carries platform-tagged entries for them (npm skips them on other platforms).
import * as fs from "node:fs";
import * as path from "node:path";

const lock = JSON.parse(fs.readFileSync(path.resolve(__dirname, "../../package-lock.json"), "utf8")) as {
  packages: Record<string, { optionalDependencies?: Record<string, string> }>;
};

it("lists every optional dependency that a locked package declares", () => {
  const missing = Object.values(lock.packages).flatMap((entry) =>
    Object.keys(entry.optionalDependencies ?? {}).filter((name) => !lock.packages[`node_modules/${name}`]));
  expect(missing).toEqual([]);
});
