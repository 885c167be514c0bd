// Helm charts are pinned to an exact chart version. The engine passes Chart inputs to the pack when
// it shows the chart resource; the offline plan always sees them (the rendered children it cannot
// see are covered by the other policies when the pack runs in a real preview).
import { asObject, exemptionsSchema, isExempt, knownString } from "./lib/k8s";
import { Exemption, HomelabPolicy, ResourcePolicy } from "./lib/types";

export const CHART_TYPES = ["kubernetes:helm.sh/v4:Chart", "kubernetes:helm.sh/v3:Chart", "kubernetes:helm.sh/v3:Release"];

/** An exact SemVer version (optionally with a leading v): no ranges, wildcards or "latest". */
export const EXACT_CHART_VERSION = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/** Why a chart's inputs are not pinned, or an empty list. */
export function chartPinProblems(props: Record<string, unknown>): string[] {
  const chart = knownString(props.chart) ?? "";
  // A chart from a local directory is pinned by the repository itself.
  if (chart.startsWith("./") || chart.startsWith("../") || chart.startsWith("/")) return [];
  if (chart.startsWith("oci://") && /:[^/]+$/.test(chart.slice("oci://".length)) && props.version === undefined) {
    const tag = chart.slice(chart.lastIndexOf(":") + 1);
    return EXACT_CHART_VERSION.test(tag) ? [] : [`chart reference "${chart}" carries the tag "${tag}", which is not an exact version`];
  }
  const version = props.version;
  if (version === undefined || version === null || version === "") return [`chart "${chart}" has no version: the newest release would be installed`];
  const text = knownString(version);
  if (text !== undefined && !EXACT_CHART_VERSION.test(text)) return [`chart "${chart}" version "${text}" is a range or tag, not an exact version`];
  const repo = knownString(asObject(props.repositoryOpts).repo) ?? knownString(props.repo);
  if (repo !== undefined && repo.startsWith("http://")) return [`chart "${chart}" comes from a plain-http repository (${repo})`];
  return [];
}

export interface HelmConfig {
  exemptions: Exemption[];
}

export const helmChartPinnedPolicy: ResourcePolicy<HelmConfig> = {
  scope: "resource",
  name: "helm-chart-version-pinned",
  description: "Every Helm chart is installed at an exact version from an https or OCI repository.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Pin the chart in components/versions.ts (repo, chart, exact version) and pass version from there to k8s.helm.v4.Chart.",
  tags: ["kubernetes", "helm", "supply-chain"],
  types: CHART_TYPES,
  configSchema: { properties: { exemptions: exemptionsSchema } },
  check(r, config) {
    return isExempt(r, config.exemptions) ? [] : chartPinProblems(r.props);
  },
};

export const helmPolicies: HomelabPolicy[] = [helmChartPinnedPolicy];
