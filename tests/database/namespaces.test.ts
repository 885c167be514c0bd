import { clientNamespaces, databaseNamespaces, databaseQuota, mebibytes } from "../../components/database/namespaces";
import { allowIngressSpec, NamespaceSpec } from "../../components/namespaces/manifests";
import { databaseSettings, stackDatabase } from "./stacks";

const byName = (specs: NamespaceSpec[], name: string) => {
  const spec = specs.find((s) => s.name === name);
  if (!spec) throw new Error(`no namespace ${name}`);
  return spec;
};
const portsFrom = (spec: NamespaceSpec, ns: string) =>
  spec.ingress.filter((r) => r.fromNamespaces?.includes(ns)).flatMap((r) => r.ports).sort((a, b) => a - b);

describe("databaseNamespaces", () => {
  const staging = databaseNamespaces({ database: stackDatabase("staging").settings });

  it("declares the two namespaces, both restricted (cert-manager's is the certificates layer's)", () => {
    expect(staging.map((s) => [s.name, s.podSecurity])).toEqual([
      ["cnpg-system", "restricted"], ["database", "restricted"],
    ]);
  });

  it("every rule turns into a valid NetworkPolicy (each names its source)", () => {
    for (const spec of staging) for (const rule of spec.ingress) expect(() => allowIngressSpec(rule)).not.toThrow();
  });

  it("database: Open WebUI reaches PostgreSQL and the pooler on 5432, Prometheus only the metrics ports", () => {
    const db = byName(staging, "database");
    expect(portsFrom(db, "open-webui")).toEqual([5432, 5432]);
    expect(portsFrom(db, "monitoring")).toEqual([9127, 9187]);
    expect(portsFrom(db, "cnpg-system")).toEqual([8000]);
    const allNamespaces = new Set(db.ingress.flatMap((r) => r.fromNamespaces ?? []));
    expect([...allNamespaces].sort()).toEqual(["cnpg-system", "monitoring", "open-webui"]);
    expect(db.ingress.every((r) => !r.fromCidrs)).toBe(true);
  });

  it("database: replication and pooling stay inside the cluster's own pods", () => {
    const db = byName(staging, "database");
    const internal = db.ingress.filter((r) => !r.fromNamespaces);
    expect(internal).toHaveLength(1);
    expect(internal[0]).toMatchObject({ fromPods: { "cnpg.io/cluster": "postgres" }, ports: [5432] });
  });

  it("without a pooler there is no pooler path; without known clients nobody outside gets in", () => {
    const db = byName(databaseNamespaces({ database: databaseSettings({ poolerInstances: 0, databases: ["other"] }) }), "database");
    expect(db.ingress.some((r) => r.ports.includes(9127))).toBe(false);
    expect(db.ingress.flatMap((r) => r.fromNamespaces ?? []).sort()).toEqual(["cnpg-system", "monitoring"]);
  });

  it("webhooks are open to the API server (host network, so by address) on their port only", () => {
    const webhookRules = staging.flatMap((s) => s.ingress.filter((r) => r.fromCidrs).map((r) => [s.name, r.ports]));
    expect(webhookRules).toEqual([["cnpg-system", [9443]]]);
  });

  it("cnpg-system: only the operator calls the plugin", () => {
    const rule = byName(staging, "cnpg-system").ingress.find((r) => r.ports.includes(9090));
    expect(rule).toMatchObject({ fromNamespaces: ["cnpg-system"], fromPods: { "app.kubernetes.io/name": "cloudnative-pg" } });
  });
});

describe("database quota", () => {
  it("has room for every instance plus one, and their data and WAL volumes", () => {
    // staging: 3 instances of 50Gi + 10Gi, plus one being replaced
    expect(databaseQuota(stackDatabase("staging").settings).storage).toBe("240Gi");
    expect(databaseQuota(stackDatabase("dev").settings).storage).toBe("14Gi");
  });

  it("grows with instances and poolers", () => {
    const one = databaseQuota(databaseSettings({ instances: 1, poolerInstances: 0 }));
    const three = databaseQuota(databaseSettings({ instances: 3, poolerInstances: 2 }));
    expect(three.pods).toBe(one.pods + 4);
    expect(mebibytes(three.requestsMemory)).toBeGreaterThan(mebibytes(one.requestsMemory));
  });

  it("parses binary sizes", () => {
    expect(mebibytes("2Gi")).toBe(2048);
    expect(mebibytes("512Mi")).toBe(512);
    expect(() => mebibytes("2GB")).toThrow(/binary units/);
  });

  it("lists the client namespaces of known databases only", () => {
    expect(clientNamespaces(["openwebui", "unknown"])).toEqual(["open-webui"]);
  });
});
