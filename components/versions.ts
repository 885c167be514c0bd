// The one registry of everything pinned: K3s, Helm charts and container images. Renovate reads
// this file (see renovate.json); each chart records the chart version its values keys were
// checked against, so a bump that renames a key is caught (`npm run check:charts`).

export interface ChartPin {
  /** Helm repository URL (https) or OCI registry (oci://...); where Renovate looks for new versions. */
  repo: string;
  chart: string;
  version: string;
  /** The chart version whose values.yaml every key this program sets was checked against. */
  valuesCheckedAgainst: string;
  /**
   * The archive installed instead of the repository's, where the repository may change the bytes
   * of a released version: a URL that cannot serve other bytes (a git blob at a commit), and the
   * sha256 of those bytes. Helm downloads a URL as it is and ignores `version` for it.
   */
  artifact?: ChartArtifact;
}

export interface ChartArtifact {
  url: string;
  sha256: string;
}

export interface ImagePin {
  repository: string;
  tag: string;
}

export const k3s = {
  // Renovate: datasource=github-releases depName=k3s-io/k3s
  // The release the stacks pin in homelab:k3s.version; tests check the stack files agree.
  release: "v1.36.3+k3s1",
} as const;

export const charts = {
  // External Secrets Operator: v1 API served; v1beta1 is off unless crds.unsafeServeV1Beta1.
  externalSecrets: {
    repo: "https://charts.external-secrets.io",
    chart: "external-secrets",
    version: "2.9.0",
    valuesCheckedAgainst: "2.9.0",
  },
  kubePrometheusStack: {
    repo: "https://prometheus-community.github.io/helm-charts",
    chart: "kube-prometheus-stack",
    version: "88.5.3",
    valuesCheckedAgainst: "88.5.3",
  },
  // The prometheus-operator CRDs on their own, installed before any layer creates a monitor; its
  // appVersion must match kube-prometheus-stack's operator (v0.93.1 for both).
  prometheusOperatorCrds: {
    repo: "https://prometheus-community.github.io/helm-charts",
    chart: "prometheus-operator-crds",
    version: "31.0.1",
    valuesCheckedAgainst: "31.0.1",
  },
  // The open-source Loki chart moved to the grafana-community repository in March 2026.
  loki: {
    repo: "https://grafana-community.github.io/helm-charts",
    chart: "loki",
    version: "18.11.0",
    valuesCheckedAgainst: "18.11.0",
  },
  alloy: {
    repo: "https://grafana.github.io/helm-charts",
    chart: "alloy",
    version: "1.11.1",
    valuesCheckedAgainst: "1.11.1",
  },
  // cert-manager: the Barman Cloud plugin's TLS between operator and plugin, and the ingress layer's
  // certificates. Versions are v-prefixed.
  certManager: {
    repo: "https://charts.jetstack.io",
    chart: "cert-manager",
    version: "v1.21.1",
    valuesCheckedAgainst: "v1.21.1",
  },
  // CloudNative-PG operator 1.30.0 (the chart's appVersion).
  cloudnativePg: {
    repo: "https://cloudnative-pg.github.io/charts",
    chart: "cloudnative-pg",
    version: "0.29.0",
    valuesCheckedAgainst: "0.29.0",
  },
  // Barman Cloud plugin v0.13.0 (appVersion): WAL archiving and base backups since the in-tree
  // barmanObjectStore was deprecated in CloudNative-PG 1.26. Same repository as the operator.
  barmanCloudPlugin: {
    repo: "https://cloudnative-pg.github.io/charts",
    chart: "plugin-barman-cloud",
    version: "0.7.0",
    valuesCheckedAgainst: "0.7.0",
  },
  // Traefik proxy v3.7.11 (the chart's appVersion), the ingress layer's controller. K3s's packaged
  // Traefik stays disabled (homelab:k3s.disable); this one is the program's, pinned here.
  traefik: {
    repo: "https://traefik.github.io/charts",
    chart: "traefik",
    version: "41.3.0",
    valuesCheckedAgainst: "41.3.0",
  },
  // NFS CSI driver (driver image v4.13.4 = appVersion). Chart versions have no "v" prefix since 4.11.
  // Its repository is a branch of a git repository whose released archives are repackaged in place
  // (4.13.4 on 2026-08-15, eb052a9a), and Helm does not compare a download with the index digest:
  // the archive installed is the one commit 21aaa66c added with the release (the same bytes as tag
  // v4.13.4). A bump must update the artifact too (tests/helm.test.ts checks they agree).
  csiDriverNfs: {
    repo: "https://raw.githubusercontent.com/kubernetes-csi/csi-driver-nfs/master/charts",
    chart: "csi-driver-nfs",
    version: "4.13.4",
    valuesCheckedAgainst: "4.13.4",
    artifact: {
      url: "https://raw.githubusercontent.com/kubernetes-csi/csi-driver-nfs/21aaa66ce8027d34e67d6521cbee62e6d81ecd77/charts/v4.13.4/csi-driver-nfs-4.13.4.tgz",
      sha256: "815ac441a2dd0e48c82fa92d043e96caac4dd8ac422fbba91ed76892ed32da54",
    },
  },
  // NVIDIA GPU operator; NGC chart versions are v-prefixed. Bundles node-feature-discovery 0.19.0,
  // whose subchart keys were checked against that chart's values.yaml.
  gpuOperator: {
    repo: "https://helm.ngc.nvidia.com/nvidia",
    chart: "gpu-operator",
    version: "v26.7.0",
    valuesCheckedAgainst: "v26.7.0",
  },
  // Velero v1.18.1 (appVersion): resource backups and kopia file-system backups of pod volumes
  // through its node agent. CRDs ship in the chart's crds/ directory.
  velero: {
    repo: "https://vmware-tanzu.github.io/helm-charts",
    chart: "velero",
    version: "12.1.0",
    valuesCheckedAgainst: "12.1.0",
  },
} satisfies Record<string, ChartPin>;

export const images = {
  ollama: { repository: "docker.io/ollama/ollama", tag: "0.32.15" },
  openWebui: { repository: "ghcr.io/open-webui/open-webui", tag: "0.11.0" },
  whisper: { repository: "docker.io/rhasspy/wyoming-whisper", tag: "3.5.0" },
  // rhasspy's image is CPU-only; linuxserver builds the same Wyoming server against CUDA.
  whisperGpu: { repository: "lscr.io/linuxserver/faster-whisper", tag: "gpu-v3.6.0-ls59" },
  piper: { repository: "docker.io/rhasspy/wyoming-piper", tag: "2.4.2" },
  openWakeWord: { repository: "docker.io/rhasspy/wyoming-openwakeword", tag: "2.1.0" },
  // CloudNative-PG operand: the "standard" flavour (the "system" one, with in-core barman-cloud, is
  // deprecated). The timestamped tag is immutable; the rolling 18.6-standard-trixie moves on rebuilds.
  postgresql: { repository: "ghcr.io/cloudnative-pg/postgresql", tag: "18.6-202608170814-standard-trixie" },
  // The chart's default for 12.1.0, pinned here so Renovate moves image and chart together.
  velero: { repository: "docker.io/velero/velero", tag: "v1.18.1" },
  // Plugin v1.14.x is the one for Velero v1.18.x (velero-plugin-for-aws README, "Compatibility").
  veleroPluginAws: { repository: "docker.io/velero/velero-plugin-for-aws", tag: "v1.14.2" },
} satisfies Record<string, ImagePin>;

/** `repository:tag` for a pinned image. */
export function imageRef(pin: ImagePin): string {
  return `${pin.repository}:${pin.tag}`;
}
