// promtool cases for homelab.gpu (stacks with GPU nodes): temperature, Xid errors, missing metrics.
import { GPU_TEMPERATURE } from "../../../components/observability/rules";
import { AlertCase, series } from "../promtool";

const gpu = (index: number) => ({
  Hostname: "yeezyai", gpu: String(index), UUID: `GPU-5f1c0a4e-000${index}`, device: `nvidia${index}`, modelName: "NVIDIA GeForce RTX 3090",
});

export const gpuCases: AlertCase[] = [
  {
    alert: "GpuTooHot",
    title: `warns above ${GPU_TEMPERATURE.warning}°C after 10m, pages above ${GPU_TEMPERATURE.critical}°C after 2m; exactly ${GPU_TEMPERATURE.warning}°C stays silent, exactly ${GPU_TEMPERATURE.critical}°C only warns`,
    series: {
      [series("DCGM_FI_DEV_GPU_TEMP", gpu(0))]: "85x12",
      [series("DCGM_FI_DEV_GPU_TEMP", gpu(1))]: `${GPU_TEMPERATURE.warning}x12`,
      [series("DCGM_FI_DEV_GPU_TEMP", gpu(2))]: "90x12",
      [series("DCGM_FI_DEV_GPU_TEMP", gpu(3))]: `${GPU_TEMPERATURE.critical}x12`,
    },
    expect: {
      "1m": [],
      "2m": [{ severity: "critical", labels: gpu(2), value: "90" }],
      "10m": [
        { severity: "warning", labels: gpu(0), value: "85" },
        { severity: "warning", labels: gpu(2), value: "90" },
        { severity: "critical", labels: gpu(2), value: "90" },
        { severity: "warning", labels: gpu(3), value: String(GPU_TEMPERATURE.critical) },
      ],
    },
  },
  {
    // The window edge differs between promtool 2.42 and Prometheus 3 (left-open ranges): checks at
    // 7m and 10m see the change in both, 17m sees it in neither.
    alert: "GpuXidError",
    title: "fires on a new Xid, then falls silent; an old Xid held by the gauge, or one cleared to 0, stays silent",
    series: {
      [series("DCGM_FI_DEV_XID_ERRORS", gpu(0))]: "0x5 43x15",
      [series("DCGM_FI_DEV_XID_ERRORS", gpu(1))]: "79x20",
      [series("DCGM_FI_DEV_XID_ERRORS", gpu(2))]: "31x5 0x15",
    },
    expect: {
      "5m": [],
      "7m": [{ severity: "warning", labels: gpu(0) }],
      "10m": [{ severity: "warning", labels: gpu(0) }],
      "17m": [],
    },
  },
  {
    alert: "GpuMetricsMissing",
    title: "fires after 15 minutes without DCGM series; silent while they arrive",
    series: {},
    expect: {
      "14m": [],
      "15m": [{ severity: "warning", labels: {} }],
    },
  },
  {
    alert: "GpuMetricsMissing",
    title: "stays silent while the exporter reports temperatures",
    series: { [series("DCGM_FI_DEV_GPU_TEMP", gpu(0))]: "50x20" },
    expect: { "16m": [] },
  },
];
