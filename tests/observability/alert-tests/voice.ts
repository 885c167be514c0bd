// promtool cases for homelab.voice, generated for whichever voice services the rules were built for.
import type { VoiceService } from "../../../components/observability/rules";
import { AlertCase, series } from "../promtool";

const deployment = ({ namespace, deployment }: VoiceService) =>
  ({ job: "kube-state-metrics", instance: "10.42.0.7:8080", namespace, deployment });

/** The first service goes down; the second (if any) is scaled to zero on purpose; the rest are healthy. */
export function voiceCases(services: VoiceService[]): AlertCase[] {
  const [down, scaledToZero] = services;
  const inputs: Record<string, string> = {};
  for (const service of services) {
    const [available, desired] = service === down ? ["1 0x10", "1x11"] : service === scaledToZero ? ["0x11", "0x11"] : ["2x11", "2x11"];
    inputs[series("kube_deployment_status_replicas_available", deployment(service))] = available;
    inputs[series("kube_deployment_spec_replicas", deployment(service))] = desired;
  }
  return [{
    alert: "VoiceServiceDown",
    title: "fires for a deployment without available replicas for 5m; healthy and scaled-to-zero ones stay silent",
    series: inputs,
    expect: {
      "5m": [],
      "6m": [{ severity: "critical", labels: deployment(down) }],
    },
  }];
}
