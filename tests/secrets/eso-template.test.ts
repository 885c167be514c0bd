// What lands in the Kubernetes Secret once External Secrets renders our ExternalSecret. The
// operator's rule (ApplyTemplate in pkg/controllers/externalsecret, external-secrets v2.9.0): with a
// target.template present, the fetched keys (spec.data / dataFrom) are copied into the Secret only
// when the template has neither `data` nor `templateFrom`, or when `mergePolicy` is Merge; otherwise
// only the templated keys exist. The template is there for the Secret type (basic-auth for
// CloudNative-PG) and labels, so a later edit that adds template data must not silently drop the
// username/password keys CloudNative-PG reads.
import { catalogue, externalSecretManifest } from "../../components/secrets";
import { testConfig } from "./fixtures";

type Rendered = { type: string | undefined; keys: string[] };

/** The keys and type of the Secret ESO v2.9.0 writes for an ExternalSecret (creationPolicy Owner). */
function renderedSecret(es: ReturnType<typeof externalSecretManifest>): Rendered {
  const spec = es.spec!;
  const fetched = (spec.data ?? []).map((d) => d.secretKey);
  const template = spec.target?.template;
  if (!template) return { type: undefined, keys: [...fetched].sort() };
  const templated = Object.keys(template.data ?? {});
  const noTemplate = templated.length === 0 && (template.templateFrom ?? []).length === 0;
  const passThrough = noTemplate || template.mergePolicy === "Merge";
  const keys = new Set([...(passThrough ? fetched : []), ...templated]);
  return { type: template.type, keys: [...keys].sort() };
}

describe("Secrets as External Secrets renders them", () => {
  const cat = catalogue(testConfig({ databases: ["openwebui", "home_assistant"] }));

  it.each(cat.entries.map((e) => [`${e.namespace}/${e.name}`, e] as const))(
    "%s holds exactly the catalogue's keys, with the catalogue's type",
    (_id, entry) => {
      const rendered = renderedSecret(externalSecretManifest("homelab/test", entry));
      expect(rendered.keys).toEqual(Object.keys(entry.properties).sort());
      expect(rendered.type).toBe(entry.type);
    },
  );

  it("CloudNative-PG's basic-auth Secrets carry exactly username and password", () => {
    const basicAuth = cat.entries.filter((e) => e.type === "kubernetes.io/basic-auth");
    expect(basicAuth.map((e) => e.name).sort()).toEqual(["home-assistant-owner", "openwebui-owner", "postgres-superuser"]);
    for (const entry of basicAuth) {
      expect(renderedSecret(externalSecretManifest("homelab/test", entry)).keys).toEqual(["password", "username"]);
    }
  });

  it("the model itself drops fetched keys when template data appears without mergePolicy Merge", () => {
    // Guards the guard: the rule above must be able to fail.
    const entry = cat.entries.find((e) => e.name === "postgres-superuser")!;
    const es = externalSecretManifest("homelab/test", entry);
    es.spec!.target!.template!.data = { extra: "{{ .password }}" };
    expect(renderedSecret(es).keys).toEqual(["extra"]);
    es.spec!.target!.template!.mergePolicy = "Merge";
    expect(renderedSecret(es).keys).toEqual(["extra", "password", "username"]);
  });
});
