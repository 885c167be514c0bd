// The one catalogue of every credential the lab needs, by namespace. Pure: it says what each secret
// holds and where every value comes from (generated here, or operator-provided secret config); the
// SecretsLayer turns it into Secrets Manager entries and ExternalSecrets. Other layers ask it for the
// Kubernetes Secret names and keys they read, never for values.
import type { HomelabConfig, OptionalSecretKey, SecretKey } from "../config";

/** A value the program generates with @pulumi/random; its id lets several entries share it. */
export type Generator =
  | {
      id: string;
      kind: "password";
      length: number;
      /**
       * Alphanumeric only: these values end up in connection URLs, shell-free env vars and basic-auth
       * headers, where specials need escaping. 32+ alphanumerics give > 190 bits of entropy.
       */
      special: false;
    }
  | { id: string; kind: "bytes"; length: number; encoding: "base64" | "hex" };

/** Where one property's value comes from. */
export type ValueSource =
  /** Not sensitive and fixed, e.g. a role name. */
  | { kind: "literal"; value: string }
  | { kind: "generated"; generator: string }
  /** Operator-provided through secret stack config (`pulumi config set --secret`). */
  | { kind: "config"; key: Exclude<SecretKey | OptionalSecretKey, "sshPrivateKey"> }
  /** Text with generated values spliced in (e.g. a connection URL that embeds a password). */
  | { kind: "template"; parts: Array<string | { generator: string }> };

export type KubernetesSecretType = "Opaque" | "kubernetes.io/basic-auth";

export interface CatalogueEntry {
  namespace: string;
  /** The entry's name: the last segment of the Secrets Manager name and the Kubernetes Secret name. */
  name: string;
  description: string;
  /** Property name → source. Property names are the keys of the Kubernetes Secret as well. */
  properties: Record<string, ValueSource>;
  type: KubernetesSecretType;
  /** Extra labels on the synced Kubernetes Secret (e.g. so CloudNative-PG reloads on rotation). */
  labels?: Record<string, string>;
  /**
   * Kept in Secrets Manager as the record of operator-provided values, and not synced into the
   * cluster: nothing there reads it, so no identity, key or SecretStore exists for it.
   */
  recordOnly?: true;
}

export interface Catalogue {
  generators: Generator[];
  entries: CatalogueEntry[];
}

/** Where the database layer's CloudNative-PG cluster answers read-write connections. */
export const POSTGRES_CLUSTER = "postgres";
export const DATABASE_NAMESPACE = "database";
export const POSTGRES_RW_HOST = `${POSTGRES_CLUSTER}-rw.${DATABASE_NAMESPACE}.svc`;
export const POSTGRES_PORT = 5432;

/** The login of Open WebUI's first administrator (a name under home.arpa, RFC 8375: it is never mailed). */
export const OPEN_WEBUI_ADMIN_EMAIL = "admin@homelab.home.arpa";

/** The database Open WebUI keeps its conversation history in (when the stack declares it). */
export const OPEN_WEBUI_DATABASE = "openwebui";

const PASSWORD_LENGTH = 32;
// Role passwords sit inside DATABASE_URL, so they stay alphanumeric (no URL escaping needed).
const password = (id: string): Generator => ({ id, kind: "password", length: PASSWORD_LENGTH, special: false });
const generated = (generator: string): ValueSource => ({ kind: "generated", generator });
const literal = (value: string): ValueSource => ({ kind: "literal", value });
const fromConfig = (key: Extract<ValueSource, { kind: "config" }>["key"]): ValueSource => ({ kind: "config", key });

/** Labels CloudNative-PG watches: a Secret carrying this reloads the cluster's credentials on change. */
const CNPG_RELOAD = { "cnpg.io/reload": "true" };

/** What the catalogue reads from a stack's config (ingress only matters with ACME DNS-01). */
export type CatalogueConfig = Pick<HomelabConfig, "database" | "secrets"> & Partial<Pick<HomelabConfig, "ingress">>;

/** Where cert-manager runs: a ClusterIssuer reads its DNS provider's credentials from there. */
const CERT_MANAGER_NAMESPACE = "cert-manager";

/** The catalogue for one stack's config. */
export function catalogue(config: CatalogueConfig): Catalogue {
  const generators: Generator[] = [];
  const entries: CatalogueEntry[] = [];

  // database: the superuser's break-glass password (applied only while
  // homelab:database.superuserAccess is on; CloudNative-PG's own maintenance needs none), and one
  // owner role per database.
  generators.push(password("postgres-superuser-password"));
  entries.push({
    namespace: DATABASE_NAMESPACE,
    name: "postgres-superuser",
    description: "PostgreSQL superuser password (CloudNative-PG superuserSecret), used only while homelab:database.superuserAccess is true",
    type: "kubernetes.io/basic-auth",
    labels: CNPG_RELOAD,
    properties: { username: literal("postgres"), password: generated("postgres-superuser-password") },
  });
  for (const database of config.database.databases) {
    const id = `${database}-owner-password`;
    generators.push(password(id));
    entries.push({
      namespace: DATABASE_NAMESPACE,
      name: ownerSecretName(database),
      description: `Owner role of the ${database} database (CloudNative-PG bootstrap/managed role)`,
      type: "kubernetes.io/basic-auth",
      labels: CNPG_RELOAD,
      properties: { username: literal(database), password: generated(id) },
    });
  }

  // open-webui: the administrator it creates on its first start (sign-up stays off, so nobody on
  // the LAN can make themselves admin), its session-signing key, and the connection URL built from the same owner password
  // the database layer sets on the role (shared at generation time, never read across namespaces).
  generators.push(password("webui-admin-password"));
  entries.push({
    namespace: "open-webui",
    name: "admin",
    description: "Open WebUI's first administrator, created on its first start (WEBUI_ADMIN_EMAIL, WEBUI_ADMIN_PASSWORD)",
    type: "Opaque",
    properties: { WEBUI_ADMIN_EMAIL: literal(OPEN_WEBUI_ADMIN_EMAIL), WEBUI_ADMIN_PASSWORD: generated("webui-admin-password") },
  });
  generators.push({ id: "webui-secret-key", kind: "bytes", length: 32, encoding: "base64" });
  entries.push({
    namespace: "open-webui",
    name: "secret-key",
    description: "Open WebUI session signing key (WEBUI_SECRET_KEY)",
    type: "Opaque",
    properties: { WEBUI_SECRET_KEY: generated("webui-secret-key") },
  });
  if (config.database.databases.includes(OPEN_WEBUI_DATABASE)) {
    entries.push({
      namespace: "open-webui",
      name: "database-url",
      description: "Open WebUI's PostgreSQL connection URL (DATABASE_URL)",
      type: "Opaque",
      properties: {
        DATABASE_URL: {
          kind: "template",
          parts: [
            `postgresql://${OPEN_WEBUI_DATABASE}:`,
            { generator: `${OPEN_WEBUI_DATABASE}-owner-password` },
            `@${POSTGRES_RW_HOST}:${POSTGRES_PORT}/${OPEN_WEBUI_DATABASE}`,
          ],
        },
      },
    });
  }

  // monitoring: Grafana's admin login (keys as the Grafana chart's admin.existingSecret expects).
  generators.push(password("grafana-admin-password"));
  entries.push({
    namespace: "monitoring",
    name: "grafana-admin",
    description: "Grafana admin login",
    type: "Opaque",
    properties: { "admin-user": literal("admin"), "admin-password": generated("grafana-admin-password") },
  });
  if (config.secrets.alertWebhookUrl !== undefined) {
    entries.push({
      namespace: "monitoring",
      name: "alertmanager-webhook",
      description: "Webhook URL Alertmanager sends alerts to",
      type: "Opaque",
      properties: { url: fromConfig("alertWebhookUrl") },
    });
  }

  // cert-manager: the DNS provider's credentials for ACME DNS-01 (the ingress layer's certificates).
  const dns01 = config.ingress?.acme?.dns01;
  if (dns01?.provider === "cloudflare") {
    entries.push({
      namespace: CERT_MANAGER_NAMESPACE,
      name: "acme-dns01-cloudflare",
      description: "Cloudflare API token cert-manager answers ACME DNS-01 challenges with (Zone:DNS:Edit on the lab's zone)",
      type: "Opaque",
      properties: { "api-token": fromConfig("acmeCloudflareApiToken") },
    });
  }

  // nfs-csi: the NAS and its exports; never written in git, only in secret config and here. A
  // record only: the storage classes take these values from the stack's config, and the driver
  // reads no Secret, so syncing them would only give the cluster an IAM key nothing uses.
  entries.push({
    namespace: "nfs-csi",
    name: "nfs",
    description: "NFS server and export paths of the storage classes (a record; not synced into the cluster)",
    type: "Opaque",
    recordOnly: true,
    properties: {
      server: fromConfig("nfsServer"),
      shareGeneral: fromConfig("nfsShareGeneral"),
      sharePostgres: fromConfig("nfsSharePostgres"),
      shareBackup: fromConfig("nfsShareBackup"),
    },
  });

  checkCatalogue({ generators, entries });
  return { generators, entries };
}

export function ownerSecretName(database: string): string {
  // Database names may hold '_', which Kubernetes names may not.
  return `${database.replace(/_/g, "-")}-owner`;
}

/** Refuses a catalogue that would collide or reference a value that is never generated. */
export function checkCatalogue(cat: Catalogue): void {
  const ids = new Set<string>();
  for (const g of cat.generators) {
    if (ids.has(g.id)) throw new Error(`secrets catalogue: generator "${g.id}" is declared twice`);
    ids.add(g.id);
  }
  const seen = new Set<string>();
  for (const entry of cat.entries) {
    const key = `${entry.namespace}/${entry.name}`;
    if (seen.has(key)) throw new Error(`secrets catalogue: "${key}" is declared twice (two databases that differ only by '_' vs '-'?)`);
    seen.add(key);
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(entry.name) || entry.name.length > 63) {
      throw new Error(`secrets catalogue: "${key}" is not a valid Kubernetes Secret name`);
    }
    if (entry.type === "kubernetes.io/basic-auth" && !("username" in entry.properties && "password" in entry.properties)) {
      throw new Error(`secrets catalogue: "${key}" is basic-auth, which needs the keys username and password`);
    }
    for (const [property, source] of Object.entries(entry.properties)) {
      for (const ref of generatorRefs(source)) {
        if (!ids.has(ref)) throw new Error(`secrets catalogue: ${key}.${property} uses generator "${ref}", which is not declared`);
      }
    }
  }
}

/** The generator ids a value source uses. */
export function generatorRefs(source: ValueSource): string[] {
  if (source.kind === "generated") return [source.generator];
  if (source.kind === "template") return source.parts.flatMap((p) => (typeof p === "string" ? [] : [p.generator]));
  return [];
}

/** The entries External Secrets syncs into the cluster (all but the records). */
export function syncedEntries(cat: Catalogue): CatalogueEntry[] {
  return cat.entries.filter((e) => !e.recordOnly);
}

/**
 * Namespaces that get at least one synced entry, in catalogue order: each gets an IAM identity,
 * its access key and a SecretStore.
 */
export function catalogueNamespaces(cat: Catalogue): string[] {
  return [...new Set(syncedEntries(cat).map((e) => e.namespace))];
}

/** The Kubernetes Secret a catalogue entry syncs to. */
export function secretName(entry: Pick<CatalogueEntry, "name">): string {
  return entry.name;
}

/** `<prefix>/<namespace>/<name>`: the entry's name in Secrets Manager. */
export function secretsManagerName(prefix: string, entry: Pick<CatalogueEntry, "namespace" | "name">): string {
  return `${prefix}/${entry.namespace}/${entry.name}`;
}

/** What a consumer needs to mount one synced Secret: its name and its keys. */
export interface SecretRef {
  name: string;
  keys: string[];
}

/**
 * The Kubernetes Secrets a namespace gets, keyed by catalogue entry name: what other layers read
 * (e.g. `secretRefs(config, "database")["postgres-superuser"].name`). Never values.
 */
export function secretRefs(config: CatalogueConfig, namespace: string): Record<string, SecretRef> {
  const refs: Record<string, SecretRef> = {};
  for (const entry of syncedEntries(catalogue(config))) {
    if (entry.namespace === namespace) refs[entry.name] = { name: secretName(entry), keys: Object.keys(entry.properties) };
  }
  return refs;
}

/** Just the Kubernetes Secret names of a namespace, keyed by catalogue entry name. */
export function secretNames(config: CatalogueConfig, namespace: string): Record<string, string> {
  return Object.fromEntries(Object.entries(secretRefs(config, namespace)).map(([entry, ref]) => [entry, ref.name]));
}
