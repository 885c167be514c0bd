// The certificates layer: cert-manager (which the database layer's Barman Cloud plugin and the
// ingress layer both use) and the lab's ClusterIssuers. Pure builders live in values.ts,
// namespaces.ts and issuers.ts; this file only wires them to resources.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { AcmeSettings } from "../config";
import { pinnedChart } from "../helm";
import type { LabNamespace } from "../namespaces";
import { podMonitor } from "../observability/monitors";
import { charts } from "../versions";
import {
  acmeIssuer,
  CLUSTER_ISSUERS,
  DnsCredentials,
  labCaCertificate,
  labCaFetchCommand,
  labCaIssuer,
  selfSignedIssuer,
} from "./issuers";
import { CERT_MANAGER_LABELS, CERT_MANAGER_NAMESPACE } from "./namespaces";
import { certManagerValues } from "./values";

export * from "./issuers";
export * from "./namespaces";
export * from "./values";

/** A component that created some of this layer's resources before it existed, by its name and type token. */
export interface FormerOwner {
  name: string;
  type: string;
}

export interface CertManagerArgs {
  provider: k8s.Provider;
  /** `cert-manager` (from certManagerNamespaces()). */
  namespace: LabNamespace;
  /** The Prometheus Operator CRDs, which the PodMonitor needs. */
  monitoringReady?: pulumi.Resource[];
  /**
   * Where the chart and its PodMonitor were registered before this layer existed: the database
   * layer's component. Aliases keep their identity, so an existing lab's release is neither
   * uninstalled nor installed again (a changed URN without an alias is a delete and a create).
   */
  formerOwner?: FormerOwner;
}

/** cert-manager, its CRDs and its PodMonitor. Depend on it before creating cert-manager objects. */
export class CertManager extends pulumi.ComponentResource {
  readonly chart: k8s.helm.v4.Chart;

  constructor(name: string, args: CertManagerArgs, opts?: pulumi.ComponentResourceOptions) {
    if (args.namespace.spec.name !== CERT_MANAGER_NAMESPACE) {
      throw new Error(`CertManager: namespace must be "${CERT_MANAGER_NAMESPACE}" (from certManagerNamespaces()), got "${args.namespace.spec.name}"`);
    }
    super("homelab:certificates:CertManager", name, {}, opts);
    const k8sOpts = { parent: this, provider: args.provider };
    const former = args.formerOwner;
    const formerParent = former ? pulumi.createUrn(former.name, former.type) : undefined;
    const formerly = (oldName: string): pulumi.Input<pulumi.Alias>[] => (formerParent ? [{ name: oldName, parent: formerParent }] : []);

    this.chart = pinnedChart(`${name}-chart`, charts.certManager, {
      release: "cert-manager", namespace: args.namespace.name, values: certManagerValues(CERT_MANAGER_NAMESPACE),
    }, { ...k8sOpts, aliases: formerly(`${former?.name}-cert-manager`) });

    const monitor = podMonitor("cert-manager", CERT_MANAGER_NAMESPACE, CERT_MANAGER_LABELS, "http-metrics");
    const meta = monitor.metadata as { name: string; labels: Record<string, string> };
    new k8s.apiextensions.CustomResource(`${name}-podmonitor`, {
      apiVersion: monitor.apiVersion as string,
      kind: monitor.kind as string,
      metadata: { ...meta, namespace: args.namespace.name },
      spec: monitor.spec as Record<string, unknown>,
    }, { ...k8sOpts, dependsOn: args.monitoringReady ?? [], aliases: formerly(`${former?.name}-podmonitor-cert-manager`) });

    this.registerOutputs({});
  }
}

export interface LabIssuersArgs {
  provider: k8s.Provider;
  /** cert-manager: its webhook validates every object below. */
  certManager: pulumi.Resource;
  /** Names the lab CA (`homelab <stack> CA`), so operators tell the stacks' CAs apart. */
  stack: string;
  /** homelab:ingress.domain: the lab CA may sign names under it only. */
  domain: string;
  /** homelab:ingress.acme: certificates come from this ACME CA instead of the lab CA. */
  acme?: AcmeSettings;
  /** The DNS provider's credentials in cert-manager's namespace (secrets layer), required with `acme`. */
  acmeCredentials?: DnsCredentials;
  /** What creates those credentials (the secrets layer's ExternalSecrets). */
  acmeCredentialsReady?: pulumi.Input<pulumi.Resource>[];
}

/**
 * The lab's ClusterIssuers: its own name-constrained CA always (so switching to ACME and back
 * never destroys the CA operators trust), and ACME DNS-01 when declared.
 */
export class LabIssuers extends pulumi.ComponentResource {
  /** The ClusterIssuer that signs the web interfaces' certificates. */
  readonly issuerName: string;
  /** Writes the lab CA's certificate to homelab-ca.crt, for operators to trust. */
  readonly caCertificateCommand: string;

  constructor(name: string, args: LabIssuersArgs, opts?: pulumi.ComponentResourceOptions) {
    if (args.acme && !args.acmeCredentials) {
      throw new Error("LabIssuers: ingress.acme is set but no DNS provider credentials were passed; give the secrets layer's refs for cert-manager");
    }
    super("homelab:certificates:LabIssuers", name, {}, opts);
    const k8sOpts = { parent: this, provider: args.provider };
    const object = (id: string, manifest: { apiVersion: string; kind: string; metadata?: unknown; spec?: unknown }, dependsOn: pulumi.Input<pulumi.Resource>[]) =>
      new k8s.apiextensions.CustomResource(`${name}-${id}`, {
        apiVersion: manifest.apiVersion,
        kind: manifest.kind,
        metadata: manifest.metadata as k8s.types.input.meta.v1.ObjectMeta,
        spec: manifest.spec as Record<string, unknown>,
      }, { ...k8sOpts, dependsOn });

    const selfSigned = object("selfsigned", selfSignedIssuer(), [args.certManager]);
    const ca = object("lab-ca", labCaCertificate({ stack: args.stack, domain: args.domain }), [args.certManager, selfSigned]);
    object("lab-ca-issuer", labCaIssuer(), [args.certManager, ca]);
    if (args.acme && args.acmeCredentials) {
      object("acme", acmeIssuer(args.acme, args.domain, args.acmeCredentials), [args.certManager, ...(args.acmeCredentialsReady ?? [])]);
    }

    this.issuerName = args.acme ? CLUSTER_ISSUERS.acme : CLUSTER_ISSUERS.labCa;
    this.caCertificateCommand = labCaFetchCommand();
    this.registerOutputs({ issuerName: this.issuerName, caCertificateCommand: this.caCertificateCommand });
  }
}
