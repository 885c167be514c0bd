// promtool cases for homelab.nodes: reachability, readiness, disk pressure and the clock.
import { CLOCK_OFFSET_SECONDS } from "../../../components/observability/rules";
import { AlertCase, series } from "../promtool";

const nodeExporter = (instance: string) => ({ job: "node-exporter", instance, namespace: "node-agents" });
const ksmNode = (node: string, condition: string, status: string) =>
  ({ job: "kube-state-metrics", instance: "10.42.0.7:8080", node, condition, status });

export const nodeCases: AlertCase[] = [
  {
    alert: "NodeDown",
    title: "fires after 3 minutes without an answer; a node that answers stays silent",
    series: {
      [series("up", nodeExporter("10.0.0.21:9100"))]: "1 1 0x10",
      [series("up", nodeExporter("10.0.0.22:9100"))]: "1x12",
    },
    expect: {
      "4m": [],
      "5m": [{ severity: "critical", labels: nodeExporter("10.0.0.21:9100") }],
    },
  },
  {
    alert: "NodeNotReady",
    title: "fires after 5 minutes not Ready; Ready nodes stay silent",
    series: {
      [series("kube_node_status_condition", ksmNode("pgmac01", "Ready", "true"))]: "1 1 0x10",
      [series("kube_node_status_condition", ksmNode("pgmac01", "Ready", "false"))]: "0 0 1x10",
      [series("kube_node_status_condition", ksmNode("pgmac02", "Ready", "true"))]: "1x12",
    },
    expect: {
      "6m": [],
      "7m": [{ severity: "critical", labels: ksmNode("pgmac01", "Ready", "true") }],
    },
  },
  {
    alert: "NodeDiskPressure",
    title: "fires after 5 minutes of DiskPressure; memory pressure and a healthy node stay silent",
    series: {
      [series("kube_node_status_condition", ksmNode("thinkpad01", "DiskPressure", "true"))]: "0 0 1x10",
      [series("kube_node_status_condition", ksmNode("thinkpad01", "MemoryPressure", "true"))]: "1x12",
      [series("kube_node_status_condition", ksmNode("pgmac01", "DiskPressure", "true"))]: "0x12",
    },
    expect: {
      "6m": [],
      "7m": [{ severity: "warning", labels: ksmNode("thinkpad01", "DiskPressure", "true") }],
    },
  },
  {
    // Range windows: promtool 2.42 includes a sample on the window's lower edge, Prometheus 3 does
    // not, so the checks stay a minute clear of that edge and hold for both.
    alert: "NodeClockNotSynchronised",
    title: "fires once unsynchronised for 10m plus 10m; a 9-minute loss of sync stays silent",
    series: {
      [series("node_timex_sync_status", nodeExporter("10.0.0.21:9100"))]: "1 1 0x30",
      [series("node_timex_sync_status", nodeExporter("10.0.0.22:9100"))]: "1 1 0x8 1x22",
    },
    expect: {
      "20m": [],
      "23m": [{ severity: "warning", labels: nodeExporter("10.0.0.21:9100") }],
    },
  },
  {
    alert: "NodeClockSkewed",
    title: `fires after 10 minutes beyond ±${CLOCK_OFFSET_SECONDS}s either way; exactly ${CLOCK_OFFSET_SECONDS}s stays silent`,
    series: {
      [series("node_timex_offset_seconds", nodeExporter("10.0.0.21:9100"))]: "0.01 0.01 0.06x20",
      [series("node_timex_offset_seconds", nodeExporter("10.0.0.22:9100"))]: "-0.08x22",
      [series("node_timex_offset_seconds", nodeExporter("10.0.0.23:9100"))]: `${CLOCK_OFFSET_SECONDS}x22`,
    },
    expect: {
      "9m": [],
      "12m": [
        { severity: "warning", labels: nodeExporter("10.0.0.21:9100"), value: "60m" },
        { severity: "warning", labels: nodeExporter("10.0.0.22:9100"), value: "80m" },
      ],
    },
  },
];
