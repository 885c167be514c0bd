// SecretsLayer: AWS Secrets Manager is the single source of truth for credentials; External Secrets
// Operator syncs them into each namespace. This file only wires the pure builders of catalogue.ts,
// iam.ts and manifests.ts to resources.
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { HomelabConfig } from "../config";
import type { LabNamespace } from "../namespaces";
import { charts } from "../versions";
import {
  Catalogue,
  catalogue,
  catalogueNamespaces,
  Generator,
  SecretRef,
  secretRefs,
  secretsManagerName,
  syncedEntries,
  ValueSource,
} from "./catalogue";
import { esoIdentity, esoUserName, esoUserPath, namespaceReadPolicy } from "./iam";
import {
  BOOTSTRAP_KEYS,
  BOOTSTRAP_SECRET_NAME,
  ESO_NAMESPACE,
  esoValues,
  externalSecretManifest,
  secretStoreManifest,
} from "./manifests";
import { rotatingAccessKeys } from "../access-keys";
import { pinnedChart } from "../helm";

export * from "./catalogue";
export * from "./iam";
export * from "./manifests";

export interface NfsDetails {
  server: string;
  shares: { general: string; postgres: string; backup: string };
}

export interface SecretsLayerArgs {
  config: HomelabConfig;
  awsProvider: aws.Provider;
  k8sProvider: k8s.Provider;
  /** Every namespace of the lab by name; must include external-secrets and each catalogue namespace. */
  namespaces: Record<string, LabNamespace>;
}

/**
 * Only the mock runtime (unit tests, the offline plan) answers getCallerIdentity without an account
 * id; a real AWS call always returns one. The placeholder keeps policy documents well-formed there.
 */
const OFFLINE_ACCOUNT_ID = "000000000000";

export class SecretsLayer extends pulumi.ComponentResource {
  /** The NFS server and exports for the storage layer (secret: no address is ever in git or a plan). */
  readonly nfs: pulumi.Output<NfsDetails>;
  /** Secrets Manager ARNs by `<namespace>/<name>`. */
  readonly secretArns: Record<string, pulumi.Output<string>>;
  /** The customer-managed key, when aws.customerManagedKey is set. */
  readonly kmsKey?: aws.kms.Key;
  /** The operator's chart; depend on it before creating ExternalSecrets of your own. */
  readonly chart: k8s.helm.v4.Chart;
  readonly catalogue: Catalogue;
  private readonly config: HomelabConfig;

  constructor(name: string, args: SecretsLayerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:secrets:SecretsLayer", name, {}, opts);
    const { config, awsProvider, k8sProvider, namespaces } = args;
    this.config = config;
    const cat = catalogue(config);
    this.catalogue = cat;
    const prefix = config.secretPrefix;
    const awsOpts = { parent: this, provider: awsProvider };
    const k8sOpts = { parent: this, provider: k8sProvider };

    const namespaceOf = (ns: string): LabNamespace => {
      const found = namespaces[ns];
      if (!found) {
        throw new Error(`SecretsLayer: namespace "${ns}" is missing from the namespaces passed in; add that layer's <layer>Namespaces(config) to createNamespaces`);
      }
      return found;
    };
    // Fail before registering anything when a namespace the layer writes into was not created.
    for (const ns of [ESO_NAMESPACE, ...catalogueNamespaces(cat)]) namespaceOf(ns);
    const tags = (extra: Record<string, string> = {}) => ({ project: "homelab", stack: config.stack, "managed-by": "pulumi", ...extra });

    // Customer-managed key: protected, because deleting it makes every secret it encrypts unreadable.
    const kmsKey = config.aws.customerManagedKey
      ? new aws.kms.Key(`${name}-kms`, {
          description: `Encrypts the homelab ${config.stack} stack's Secrets Manager entries`,
          enableKeyRotation: true,
          deletionWindowInDays: 30,
          tags: tags(),
        }, { ...awsOpts, protect: true })
      : undefined;
    if (kmsKey) {
      new aws.kms.Alias(`${name}-kms-alias`, {
        name: `alias/homelab-${config.stack}-secrets`,
        targetKeyId: kmsKey.keyId,
      }, awsOpts);
    }
    this.kmsKey = kmsKey;

    // Generated values, one resource per generator id, wrapped secret from the moment they exist.
    // Default providers are disabled stack-wide, so random gets its own (it needs no configuration).
    const randomProvider = new random.Provider(`${name}-random`, {}, { parent: this });
    const values = new Map<string, pulumi.Output<string>>();
    for (const generator of cat.generators) values.set(generator.id, this.generate(name, generator, randomProvider));
    const resolve = (source: ValueSource): pulumi.Output<string> => {
      switch (source.kind) {
        case "literal":
          return pulumi.output(source.value);
        case "generated":
          return values.get(source.generator)!;
        case "config": {
          const value = config.secrets[source.key];
          if (value === undefined) throw new Error(`SecretsLayer: secret config homelab:${source.key} is not set`);
          return pulumi.secret(value);
        }
        case "template":
          return pulumi.secret(pulumi.all(source.parts.map((p) => (typeof p === "string" ? p : values.get(p.generator)!)))
            .apply((parts) => parts.join("")));
      }
    };

    // Secrets Manager: one entry per catalogue entry, value as a JSON document of its properties.
    const secrets = new Map<string, aws.secretsmanager.Secret>();
    const versions = new Map<string, aws.secretsmanager.SecretVersion>();
    this.secretArns = {};
    for (const entry of cat.entries) {
      const id = `${entry.namespace}/${entry.name}`;
      const resourceName = `${name}-${entry.namespace}-${entry.name}`;
      // protect: the entries are the source of truth; deleting one loses operator-provided values and
      // rotates generated ones out from under running databases.
      const secret = new aws.secretsmanager.Secret(resourceName, {
        name: secretsManagerName(prefix, entry),
        description: entry.description,
        recoveryWindowInDays: config.aws.recoveryWindowDays,
        kmsKeyId: kmsKey?.arn,
        tags: tags({ namespace: entry.namespace }),
      }, { ...awsOpts, protect: true });
      const document = pulumi.secret(pulumi.all(Object.fromEntries(
        Object.entries(entry.properties).map(([property, source]) => [property, resolve(source)]),
      )).apply((props) => JSON.stringify(props)));
      const version = new aws.secretsmanager.SecretVersion(resourceName, {
        secretId: secret.id,
        secretString: document,
      }, { ...awsOpts, additionalSecretOutputs: ["secretString"] });
      secrets.set(id, secret);
      versions.set(id, version);
      this.secretArns[id] = secret.arn;
    }

    // External Secrets Operator, CRDs included; every custom resource below waits for it.
    const pin = charts.externalSecrets;
    const esoNamespace = namespaceOf(ESO_NAMESPACE);
    this.chart = pinnedChart(`${name}-eso`, pin, {
      namespace: esoNamespace.name,
      values: esoValues(),
    }, { ...k8sOpts, dependsOn: [esoNamespace] });

    // Per namespace: an IAM identity scoped to the namespace's prefix, its access key as the one
    // bootstrap Secret, and the SecretStore that uses it.
    const identity = aws.getCallerIdentityOutput({}, awsOpts);
    const accountId = identity.apply((id) => id.accountId ?? OFFLINE_ACCOUNT_ID);
    const stores = new Map<string, k8s.apiextensions.CustomResource>();
    for (const ns of catalogueNamespaces(cat)) {
      const namespace = namespaceOf(ns);
      const base = `${name}-${ns}`;
      const user = new aws.iam.User(`${base}-eso`, {
        name: esoUserName(config.stack, ns),
        path: esoUserPath(config.stack),
        permissionsBoundary: config.aws.permissionsBoundary,
        tags: tags({ namespace: ns }),
      }, awsOpts);
      new aws.iam.UserPolicy(`${base}-eso-read`, {
        user: user.name,
        name: "read-namespace-secrets",
        policy: pulumi.all([accountId, kmsKey?.arn]).apply(([account, kmsKeyArn]) => JSON.stringify(namespaceReadPolicy({
          region: config.aws.region,
          accountId: account,
          prefix,
          namespace: ns,
          kmsKeyArn,
        }))),
      }, awsOpts);
      // Rotated by generations (homelab:aws.accessKeyGenerations); the bootstrap Secret carries the newest.
      const accessKey = rotatingAccessKeys(`${base}-eso`, user.name, (config.aws.accessKeyGenerations as Record<string, number[] | undefined>)[esoIdentity(ns)] ?? [1], awsOpts);
      const bootstrap = new k8s.core.v1.Secret(`${base}-aws-credentials`, {
        metadata: {
          name: BOOTSTRAP_SECRET_NAME,
          namespace: namespace.name,
          annotations: { "homelab.dev/why": "bootstrap credential: lets External Secrets read this namespace's Secrets Manager prefix" },
        },
        type: "Opaque",
        stringData: pulumi.secret({
          [BOOTSTRAP_KEYS.accessKeyId]: accessKey.id,
          [BOOTSTRAP_KEYS.secretAccessKey]: accessKey.secret,
        }),
      }, k8sOpts);
      const store = secretStoreManifest(ns, config.aws.region);
      stores.set(ns, new k8s.apiextensions.CustomResource(`${base}-store`, store, {
        ...k8sOpts,
        dependsOn: [this.chart, namespace, bootstrap],
      }));
    }

    for (const entry of syncedEntries(cat)) {
      const id = `${entry.namespace}/${entry.name}`;
      new k8s.apiextensions.CustomResource(`${name}-${entry.namespace}-${entry.name}-sync`, externalSecretManifest(prefix, entry), {
        ...k8sOpts,
        // The value must exist in Secrets Manager before ESO first asks for it.
        dependsOn: [this.chart, stores.get(entry.namespace)!, versions.get(id)!],
      });
    }

    this.nfs = pulumi.secret(pulumi.all({
      server: config.secrets.nfsServer,
      general: config.secrets.nfsShareGeneral,
      postgres: config.secrets.nfsSharePostgres,
      backup: config.secrets.nfsShareBackup,
    }).apply((v) => ({ server: v.server, shares: { general: v.general, postgres: v.postgres, backup: v.backup } })));

    this.registerOutputs({ nfs: this.nfs, secretArns: this.secretArns });
  }

  /** Kubernetes Secret names a namespace gets, keyed by catalogue entry name. Never values. */
  names(namespace: string): Record<string, string> {
    return Object.fromEntries(Object.entries(this.refs(namespace)).map(([entry, ref]) => [entry, ref.name]));
  }

  /** Kubernetes Secret names and keys a namespace gets; throws for a namespace without secrets. */
  refs(namespace: string): Record<string, SecretRef> {
    const refs = secretRefs(this.config, namespace);
    if (Object.keys(refs).length === 0) {
      throw new Error(`SecretsLayer: the catalogue has no secrets for namespace "${namespace}" (it has: ${catalogueNamespaces(this.catalogue).join(", ")})`);
    }
    return refs;
  }

  private generate(name: string, generator: Generator, provider: random.Provider): pulumi.Output<string> {
    const opts = { parent: this, provider };
    if (generator.kind === "password") {
      const password = new random.RandomPassword(`${name}-${generator.id}`, {
        length: generator.length,
        special: generator.special,
        minLower: 2,
        minUpper: 2,
        minNumeric: 2,
      }, opts);
      return pulumi.secret(password.result);
    }
    const bytes = new random.RandomBytes(`${name}-${generator.id}`, { length: generator.length }, opts);
    return pulumi.secret(generator.encoding === "base64" ? bytes.base64 : bytes.hex);
  }
}

