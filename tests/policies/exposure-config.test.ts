// The pack allows exactly the LAN exposure each stack declares: no more, no less.
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { declaredExposures } from "../../components/ai";
import { parseSettings } from "../../components/config";

const ROOT = path.resolve(__dirname, "../..");

describe.each(["dev", "staging"])("policies/config/%s.json", (stack) => {
  it("allows exactly the Services the stack declares as exposed", () => {
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")).config;
    const settings = parseSettings(Object.fromEntries(Object.entries(doc).map(([k, v]) => [k.replace(/^homelab:/, ""), v])));
    const declared = declaredExposures(settings).map((e) => `${e.namespace}/${e.service}`).sort();
    const pack = JSON.parse(fs.readFileSync(path.join(ROOT, "policies", "config", `${stack}.json`), "utf8"));
    const allowed = (pack["service-exposure"].allowed as { namespace: string; name: string }[]).map((a) => `${a.namespace}/${a.name}`).sort();
    expect(allowed).toEqual(declared);
  });
});
