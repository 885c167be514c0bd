// promtool cases for homelab.certificates: K3s leaf certificates close to expiry.
import { CERTIFICATE_DAYS_LEFT } from "../../../components/observability/rules";
import { AlertCase, series } from "../promtool";

const DAY = 86400;
const cert = (node: string, subject: string, usages: string) =>
  ({ job: "kubelet", instance: `${node}:10250`, node, metrics_path: "/metrics", subject, usages });
const kubeletClient = cert("pgmac01", "CN=system:node:pgmac01,O=system:nodes", "ClientAuth");
const kubeletServing = cert("pgmac02", "CN=pgmac02", "ServerAuth");
const apiServing = cert("zz-macbookpro", "CN=k3s,O=k3s", "ServerAuth");
const supervisorClient = cert("zz-macbookpro", "CN=system:k3s-supervisor", "ClientAuth");
const clientCa = cert("zz-macbookpro", "CN=k3s-client-ca@1767225600", "CertSign");

export const certificateCases: AlertCase[] = [
  {
    alert: "K3sCertificateExpiring",
    title: `warns under ${CERTIFICATE_DAYS_LEFT.warning} days, pages under ${CERTIFICATE_DAYS_LEFT.critical}; exactly ${CERTIFICATE_DAYS_LEFT.warning} days and CAs stay silent, exactly ${CERTIFICATE_DAYS_LEFT.critical} only warns`,
    series: {
      // 29 days left, counting down one minute per minute.
      [series("k3s_certificate_expiration_seconds", kubeletClient)]: `${29 * DAY}-60x20`,
      [series("k3s_certificate_expiration_seconds", kubeletServing)]: `${CERTIFICATE_DAYS_LEFT.warning * DAY}x20`,
      [series("k3s_certificate_expiration_seconds", apiServing)]: `${6 * DAY}x20`,
      [series("k3s_certificate_expiration_seconds", supervisorClient)]: `${CERTIFICATE_DAYS_LEFT.critical * DAY}x20`,
      [series("k3s_certificate_expiration_seconds", clientCa)]: `${DAY}x20`,
    },
    expect: {
      "14m": [],
      "15m": [
        { severity: "warning", labels: kubeletClient, value: "28d 23h 45m 0s" },
        { severity: "warning", labels: apiServing, value: "6d 0h 0m 0s" },
        { severity: "critical", labels: apiServing, value: "6d 0h 0m 0s" },
        { severity: "warning", labels: supervisorClient, value: "7d 0h 0m 0s" },
      ],
    },
  },
];
