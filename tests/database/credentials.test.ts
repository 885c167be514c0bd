// The Cluster names Secrets; the secrets catalogue decides what is inside them. CloudNative-PG 1.30
// refuses a managed role whose passwordSecret carries another username ("the username in secret
// ... does not match role ...", internal/management/controller/roles/runnable.go), initdb creates
// the owner named in bootstrap.initdb.owner with the password from bootstrap.initdb.secret, and the
// superuser Secret must be for "postgres". These tests join the two layers' pure builders, so a
// rename on either side (e.g. of ownerRole or of the catalogue's username literal) fails here.
import { clusterSpec, schedulableNodes } from "../../components/database/manifests";
import { catalogue, ownerSecretName, secretNames } from "../../components/secrets/catalogue";
import { testConfig } from "../secrets/fixtures";
import { stackDatabase } from "./stacks";

const DATABASES = ["openwebui", "home_assistant", "n8n"];

function wiredCluster(databases: string[]) {
  const config = testConfig({ databases });
  const names = secretNames(config, "database");
  // As index.ts wires it: entry names come from the catalogue, keyed by database.
  const spec = clusterSpec({
    settings: config.database,
    storageClass: "nfs-postgres-v2",
    schedulableNodeCount: 3,
    superuserSecretName: names["postgres-superuser"],
    ownerSecretNames: Object.fromEntries(databases.map((db) => [db, names[ownerSecretName(db)]])),
  }) as any;
  const entries = new Map(catalogue(config).entries.filter((e) => e.namespace === "database").map((e) => [e.name, e]));
  const usernameIn = (secret: string) => {
    const entry = entries.get(secret);
    if (!entry) throw new Error(`the Cluster references Secret "${secret}", which the catalogue does not create`);
    const source = entry.properties.username;
    return source?.kind === "literal" ? source.value : undefined;
  };
  return { spec, usernameIn, entries };
}

describe("Cluster credentials match the Secrets the catalogue creates", () => {
  const { spec, usernameIn, entries } = wiredCluster(DATABASES);

  it("every managed role's passwordSecret holds that role's username", () => {
    expect(spec.managed.roles).toHaveLength(DATABASES.length);
    for (const role of spec.managed.roles) {
      expect({ role: role.name, username: usernameIn(role.passwordSecret.name) }).toEqual({ role: role.name, username: role.name });
    }
  });

  it("initdb's owner Secret holds the owner's username (database names with '_' included)", () => {
    const { owner, secret } = spec.bootstrap.initdb;
    expect(usernameIn(secret.name)).toBe(owner);
    const underscored = spec.managed.roles.find((r: any) => r.name === "home_assistant");
    expect(underscored.passwordSecret.name).toBe("home-assistant-owner");
    expect(usernameIn(underscored.passwordSecret.name)).toBe("home_assistant");
  });

  it("the superuser Secret is for postgres, and every referenced Secret is basic-auth with a reload label", () => {
    expect(usernameIn(spec.superuserSecret.name)).toBe("postgres");
    const referenced = [spec.superuserSecret.name, spec.bootstrap.initdb.secret.name, ...spec.managed.roles.map((r: any) => r.passwordSecret.name)];
    for (const name of referenced) {
      const entry = entries.get(name)!;
      expect({ name, type: entry.type, reload: entry.labels?.["cnpg.io/reload"] })
        .toEqual({ name, type: "kubernetes.io/basic-auth", reload: "true" });
      expect(Object.keys(entry.properties).sort()).toEqual(["password", "username"]);
    }
  });

  it("holds for both stacks' real database lists", () => {
    for (const stack of ["dev", "staging"] as const) {
      const { settings, nodes } = stackDatabase(stack);
      expect(schedulableNodes(nodes).length).toBeGreaterThan(0);
      const wired = wiredCluster(settings.databases);
      for (const role of wired.spec.managed?.roles ?? []) expect(wired.usernameIn(role.passwordSecret.name)).toBe(role.name);
    }
  });
});
