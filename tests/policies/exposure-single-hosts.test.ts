// service-exposure's `singleHosts`: a declared Service without authentication (Ollama) may admit
// single hosts only, as its homelab.dev/exposure-allowed-cidrs annotation states them.
import * as fs from "node:fs";
import * as path from "node:path";
import { EXPOSURE_CIDRS_ANNOTATION as AI_ANNOTATION } from "../../components/ai";
import { loadPackConfig } from "../../policies/lib/engine";
import { EXPOSURE_CIDRS_ANNOTATION, isSingleHost, serviceExposurePolicy } from "../../policies/exposure";
import { ALL_POLICIES } from "../../policies/registry";
import { messages, resource } from "./helpers";

const ROOT = path.resolve(__dirname, "../..");
const ollama = (cidrs?: string) => resource("kubernetes:core/v1:Service", {
  metadata: { name: "ollama", namespace: "ollama", annotations: cidrs === undefined ? {} : { [EXPOSURE_CIDRS_ANNOTATION]: cidrs } },
  spec: { type: "NodePort", ports: [{ port: 11434, nodePort: 31434 }] },
});
const allowed = (singleHosts: boolean) => ({ allowed: [{ namespace: "ollama", name: "ollama", kind: "Service", singleHosts, reason: "declared clients call Ollama" }] });

describe("service-exposure singleHosts", () => {
  it("passes a Service that admits single hosts only", () => {
    expect(messages(serviceExposurePolicy, [ollama("192.168.1.20/32,fd00::20/128")], allowed(true))).toEqual([]);
  });

  it("blocks a network, and a Service that does not say whom it admits", () => {
    expect(messages(serviceExposurePolicy, [ollama("192.168.1.20/32,192.168.1.0/24")], allowed(true))).toEqual([
      expect.stringMatching(/may admit single hosts only \(it has no authentication\), but admits 192\.168\.1\.0\/24/),
    ]);
    expect(messages(serviceExposurePolicy, [ollama()], allowed(true))).toEqual([expect.stringMatching(/does not list them/)]);
  });

  it("leaves declared Services without the flag alone, as before", () => {
    expect(messages(serviceExposurePolicy, [ollama("192.168.1.0/24")], allowed(false))).toEqual([]);
  });

  it("reads single hosts as IPv4 /32 and IPv6 /128 only", () => {
    expect(["10.0.0.1/32", "fd00::1/128"].map(isSingleHost)).toEqual([true, true]);
    expect(["10.0.0.0/31", "10.0.0.1", "fd00::1/64", "10.0.0.1/128"].map(isSingleHost)).toEqual([false, false, false, false]);
  });

  it("reads the annotation the AI layer writes", () => {
    expect(EXPOSURE_CIDRS_ANNOTATION).toBe(AI_ANNOTATION);
  });

  it("holds Ollama to single hosts in every stack that exposes it, and the pack config with the flag loads", () => {
    for (const stack of ["dev", "staging"]) {
      const file = path.join(ROOT, "policies", "config", `${stack}.json`);
      const entries = JSON.parse(fs.readFileSync(file, "utf8"))["service-exposure"].allowed as { namespace: string; singleHosts?: boolean }[];
      for (const e of entries.filter((x) => x.namespace === "ollama")) expect(e.singleHosts).toBe(true);
      expect(() => loadPackConfig(file, ALL_POLICIES)).not.toThrow();
    }
  });
});
