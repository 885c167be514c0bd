// The one registry of everything pinned: K3s, Helm charts and container images. Renovate reads
// this file (see renovate.json); each chart records the chart version its values keys were
// checked against, so a bump that renames a key is caught (`npm run check:charts`).

export interface ChartPin {
  /** Helm repository URL (https) or OCI registry (oci://...). */
  repo: string;
  chart: string;
  version: string;
  /** The chart version whose values.yaml every key this program sets was checked against. */
  valuesCheckedAgainst: string;
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
  kubePrometheusStack: {
    repo: "https://prometheus-community.github.io/helm-charts",
    chart: "kube-prometheus-stack",
    version: "88.5.3",
    valuesCheckedAgainst: "88.5.3",
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
} satisfies Record<string, ChartPin>;

export const images = {
  ollama: { repository: "docker.io/ollama/ollama", tag: "0.32.15" },
  openWebui: { repository: "ghcr.io/open-webui/open-webui", tag: "0.11.0" },
  whisper: { repository: "docker.io/rhasspy/wyoming-whisper", tag: "3.5.0" },
  // rhasspy's image is CPU-only; linuxserver builds the same Wyoming server against CUDA.
  whisperGpu: { repository: "lscr.io/linuxserver/faster-whisper", tag: "gpu-v3.6.0-ls59" },
  piper: { repository: "docker.io/rhasspy/wyoming-piper", tag: "2.4.2" },
  openWakeWord: { repository: "docker.io/rhasspy/wyoming-openwakeword", tag: "2.1.0" },
} satisfies Record<string, ImagePin>;

/** `repository:tag` for a pinned image. */
export function imageRef(pin: ImagePin): string {
  return `${pin.repository}:${pin.tag}`;
}
