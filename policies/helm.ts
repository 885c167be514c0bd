// Helm charts are pinned to an exact chart version. The engine passes Chart inputs to the pack when
// it shows the chart resource; the offline plan always sees them (the rendered children it cannot
// see are covered by the other policies when the pack runs in a real preview).
import { asObject, exemptionsSchema, isExempt, knownString } from "./lib/k8s";
import { Exemption, HomelabPolicy, ResourcePolicy } from "./lib/types";

export const CHART_TYPES = ["kubernetes:helm.sh/v4:Chart", "kubernetes:helm.sh/v3:Chart", "kubernetes:helm.sh/v3:Release"];

/** An exact SemVer version (optionally with a leading v): no ranges, wildcards or "latest". */
export const EXACT_CHART_VERSION = /^v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;

/**
 * A raw.githubusercontent.com URL serves a file of a git ref: at a commit its bytes cannot change,
 * on a branch or tag they can. Returns the ref, or undefined for another host.
 */
export function gitRefOfRawUrl(url: string): string | undefined {
  return /^https:\/\/raw\.githubusercontent\.com\/[^/]+\/[^/]+\/([^/]+)\//.exec(url)?.[1];
}

const isCommit = (ref: string) => /^[0-9a-f]{40}$/.test(ref);

/** Why a chart's inputs are not pinned, or an empty list. */
export function chartPinProblems(props: Record<string, unknown>): string[] {
  const chart = knownString(props.chart) ?? "";
  // A chart from a local directory is pinned by the repository itself.
  if (chart.startsWith("./") || chart.startsWith("../") || chart.startsWith("/")) return [];
  if (chart.startsWith("http://")) return [`chart "${chart}" is downloaded over plain http`];
  const chartRef = gitRefOfRawUrl(chart);
  if (chartRef !== undefined && !isCommit(chartRef)) {
    return [`chart "${chart}" is read from the git ref "${chartRef}", whose file can change: use the URL at a commit`];
  }
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
  const repoRef = repo !== undefined ? gitRefOfRawUrl(`${repo.replace(/\/+$/, "")}/`) : undefined;
  if (repoRef !== undefined && !isCommit(repoRef)) {
    return [`chart "${chart}"${text ? ` ${text}` : ""} comes from a repository on the git ref "${repoRef}" (${repo}), where a released archive can be replaced under the same version: install the archive at a commit (ChartPin.artifact)`];
  }
  return [];
}

export interface HelmConfig {
  exemptions: Exemption[];
}

export const helmChartPinnedPolicy: ResourcePolicy<HelmConfig> = {
  scope: "resource",
  name: "helm-chart-version-pinned",
  description: "Every Helm chart is installed at an exact version from an https or OCI repository, and never from a moving git branch.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Pin the chart in components/versions.ts (repo, chart, exact version, and an artifact URL at a commit for a repository on a git branch) and install it with pinnedChart.",
  tags: ["kubernetes", "helm", "supply-chain"],
  types: CHART_TYPES,
  configSchema: { properties: { exemptions: exemptionsSchema } },
  check(r, config) {
    return isExempt(r, config.exemptions) ? [] : chartPinProblems(r.props);
  },
};

export const helmPolicies: HomelabPolicy[] = [helmChartPinnedPolicy];
