// The pack allows exactly the LAN exposure each stack declares (the AI services' and the ingress
// controller's), no more, no less; and Ingress hosts only under the stack's declared domain.
import * as fs from "node:fs";
import * as path from "node:path";
import { declaredExposures } from "../../components/ai";
import { ingressExposures } from "../../components/ingress";
import { stackConfig } from "../helpers/stacks";

const ROOT = path.resolve(__dirname, "../..");

describe.each(["dev", "staging"] as const)("policies/config/%s.json", (stack) => {
  it("allows exactly the Services the stack declares as exposed", () => {
    const config = stackConfig(stack);
    const declared = [...declaredExposures(config), ...ingressExposures(config)].map((e) => `${e.namespace}/${e.service}`).sort();
    const pack = JSON.parse(fs.readFileSync(path.join(ROOT, "policies", "config", `${stack}.json`), "utf8"));
    const allowed = (pack["service-exposure"].allowed as { namespace: string; name: string }[]).map((a) => `${a.namespace}/${a.name}`).sort();
    expect(allowed).toEqual(declared);
    expect(declared).toContain("ingress/traefik");
  });

  it("allows Ingress hosts under the stack's homelab:ingress.domain only, and no wildcard", () => {
    const pack = JSON.parse(fs.readFileSync(path.join(ROOT, "policies", "config", `${stack}.json`), "utf8"));
    expect(pack["ingress-hosts"]).toEqual({ domains: [stackConfig(stack).ingress?.domain], wildcardHosts: [] });
  });
});
