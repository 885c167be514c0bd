// The one way the program installs a Helm chart: always a pinned version from the registry, always
// through Chart v4 (so a policy pack sees every rendered object during preview).
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ChartPin } from "./versions";

export interface PinnedChartArgs {
  namespace: pulumi.Input<string>;
  values: pulumi.Input<Record<string, unknown>>;
  /** The Helm release name, which charts use to name their objects; the chart's name by default. */
  release?: string;
  /** Leave out the chart's crds/ directory (CRDs of features the program turns off). */
  skipCrds?: boolean;
}

/**
 * Chart v4 arguments for a pin: its immutable artifact by URL when it has one, else an HTTPS
 * repository by URL, or an OCI registry by reference. `version` stays set in every case (Helm
 * ignores it for a URL; the pack's pin policy reads it).
 */
export function pinnedChartArgs(pin: ChartPin, args: PinnedChartArgs): k8s.helm.v4.ChartArgs {
  const source = pin.artifact
    ? { chart: pin.artifact.url }
    : pin.repo.startsWith("oci://")
    ? { chart: `${pin.repo.replace(/\/$/, "")}/${pin.chart}` }
    : { chart: pin.chart, repositoryOpts: { repo: pin.repo } };
  return {
    ...source,
    version: pin.version,
    ...(args.release ? { name: args.release } : {}),
    ...(args.skipCrds ? { skipCrds: true } : {}),
    namespace: args.namespace,
    values: args.values,
  };
}

export function pinnedChart(name: string, pin: ChartPin, args: PinnedChartArgs, opts: pulumi.ComponentResourceOptions): k8s.helm.v4.Chart {
  return new k8s.helm.v4.Chart(name, pinnedChartArgs(pin, args), opts);
}
