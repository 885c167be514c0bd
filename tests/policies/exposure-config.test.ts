// The pack allows exactly the LAN exposure each stack declares: no more, no less.
import * as fs from "node:fs";
import * as path from "node:path";
import { declaredExposures } from "../../components/ai";
import { stackConfig } from "../helpers/stacks";

const ROOT = path.resolve(__dirname, "../..");

describe.each(["dev", "staging"] as const)("policies/config/%s.json", (stack) => {
  it("allows exactly the Services the stack declares as exposed", () => {
    const declared = declaredExposures(stackConfig(stack)).map((e) => `${e.namespace}/${e.service}`).sort();
    const pack = JSON.parse(fs.readFileSync(path.join(ROOT, "policies", "config", `${stack}.json`), "utf8"));
    const allowed = (pack["service-exposure"].allowed as { namespace: string; name: string }[]).map((a) => `${a.namespace}/${a.name}`).sort();
    expect(allowed).toEqual(declared);
  });
});
