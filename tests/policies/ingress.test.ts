// The Ingress family: for every policy, cases that must pass and cases that must fail.
import { ingressHostsPolicy, ingressTlsPolicy } from "../../policies/ingress";
import { messages, resource } from "./helpers";

type Obj = Record<string, unknown>;

const ingress = (spec: Obj, name = "web", namespace = "apps") =>
  resource("kubernetes:networking.k8s.io/v1:Ingress", { metadata: { name, namespace }, spec });
const rule = (host?: string) => ({
  ...(host === undefined ? {} : { host }),
  http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } }] },
});
const good = ingress({ tls: [{ hosts: ["app.lab.home.arpa"], secretName: "app-tls" }], rules: [rule("app.lab.home.arpa")] });

describe("ingress-tls", () => {
  it("passes an Ingress whose every host is served from a TLS Secret", () => {
    expect(messages(ingressTlsPolicy, [good])).toEqual([]);
    const two = ingress({ tls: [{ hosts: ["a.lab.home.arpa"], secretName: "a" }, { hosts: ["b.lab.home.arpa"], secretName: "b" }], rules: [rule("a.lab.home.arpa"), rule("b.lab.home.arpa")] });
    expect(messages(ingressTlsPolicy, [two])).toEqual([]);
  });

  it("fails an Ingress without TLS, or with a host its TLS does not list, or a TLS entry without a Secret", () => {
    expect(messages(ingressTlsPolicy, [ingress({ rules: [rule("app.lab.home.arpa")] })]))
      .toEqual(['Ingress "apps/web" serves app.lab.home.arpa without TLS (no spec.tls entry with a secretName lists it)']);
    const partial = ingress({ tls: [{ hosts: ["a.lab.home.arpa"], secretName: "a" }], rules: [rule("a.lab.home.arpa"), rule("b.lab.home.arpa")] });
    expect(messages(ingressTlsPolicy, [partial])).toEqual([expect.stringContaining("serves b.lab.home.arpa without TLS")]);
    const noSecret = ingress({ tls: [{ hosts: ["app.lab.home.arpa"] }], rules: [rule("app.lab.home.arpa")] });
    expect(messages(ingressTlsPolicy, [noSecret])).toEqual([expect.stringContaining("without TLS")]);
  });

  it("fails rules without a host and default backends, which answer every name", () => {
    const hostless = ingress({ tls: [{ hosts: ["app.lab.home.arpa"], secretName: "t" }], rules: [rule()] });
    expect(messages(ingressTlsPolicy, [hostless])).toEqual(['Ingress "apps/web" has a rule without a host, which matches every name']);
    const fallback = ingress({ defaultBackend: { service: { name: "web", port: { number: 80 } } } });
    expect(messages(ingressTlsPolicy, [fallback])).toEqual([
      'Ingress "apps/web" has a default backend, which answers every name; route hosts explicitly',
      'Ingress "apps/web" has no rules with a host',
    ]);
  });

  it("accepts a Secret name that is unknown until the update", () => {
    const pending = ingress({ tls: [{ hosts: ["app.lab.home.arpa"], secretName: "[unknown]" }], rules: [rule("app.lab.home.arpa")] });
    expect(messages(ingressTlsPolicy, [pending])).toEqual([]);
  });
});

describe("ingress-hosts", () => {
  const config = { domains: ["lab.home.arpa"] };

  it("passes hosts under a declared domain, and the domain itself", () => {
    expect(messages(ingressHostsPolicy, [good], config)).toEqual([]);
    const apex = ingress({ tls: [{ hosts: ["lab.home.arpa"], secretName: "t" }], rules: [rule("lab.home.arpa")] });
    expect(messages(ingressHostsPolicy, [apex], config)).toEqual([]);
  });

  it("fails hosts outside every declared domain, in rules or in TLS, and every host when none is declared", () => {
    const outside = ingress({ tls: [{ hosts: ["app.lab.home.arpa", "evil.example.org"], secretName: "t" }], rules: [rule("app.lab.home.arpa.example.org")] });
    expect(messages(ingressHostsPolicy, [outside], config)).toEqual([
      'Ingress "apps/web" routes app.lab.home.arpa.example.org, which is not under a declared domain (lab.home.arpa)',
      'Ingress "apps/web" routes evil.example.org, which is not under a declared domain (lab.home.arpa)',
    ]);
    expect(messages(ingressHostsPolicy, [good])).toEqual(['Ingress "apps/web" routes app.lab.home.arpa, which is not under a declared domain (none declared)']);
  });

  it("fails a wildcard host unless it is declared, and still wants it under a domain", () => {
    const wildcard = ingress({ tls: [{ hosts: ["*.lab.home.arpa"], secretName: "t" }], rules: [rule("*.lab.home.arpa")] });
    expect(messages(ingressHostsPolicy, [wildcard], config)).toEqual([
      'Ingress "apps/web" routes the wildcard *.lab.home.arpa, which is not declared in ingress-hosts.wildcardHosts',
    ]);
    const declared = { ...config, wildcardHosts: [{ host: "*.lab.home.arpa", reason: "a preview environment per branch" }] };
    expect(messages(ingressHostsPolicy, [wildcard], declared)).toEqual([]);
    const foreign = ingress({ tls: [{ hosts: ["*.example.org"], secretName: "t" }], rules: [rule("*.example.org")] });
    expect(messages(ingressHostsPolicy, [foreign], { ...config, wildcardHosts: [{ host: "*.example.org", reason: "declared but foreign" }] }))
      .toEqual(['Ingress "apps/web" routes *.example.org, which is not under a declared domain (lab.home.arpa)']);
  });
});
