// A validated HomelabConfig for the secrets tests, with recognisable operator-provided values.
import * as pulumi from "@pulumi/pulumi";
import { deriveConfig, HomelabConfig, parseSettings } from "../../components/config";
import { validRaw } from "../config/fixtures";

export const NFS = {
  server: "nas-secret-host.example.lan",
  general: "/volume1/secret-general",
  postgres: "/volume1/secret-postgres",
  backup: "/volume1/secret-backup",
};
export const WEBHOOK_URL = "https://ntfy.example.lan/secret-alert-topic";

export function testConfig(opts: {
  stack?: string;
  aws?: Record<string, unknown>;
  databases?: string[];
  alertWebhook?: boolean;
} = {}): HomelabConfig {
  const raw = validRaw();
  raw.aws = { ...raw.aws, ...(opts.aws ?? {}) };
  if (opts.databases) raw.database = { databases: opts.databases };
  const settings = parseSettings(raw);
  const secrets: HomelabConfig["secrets"] = {
    sshPrivateKey: pulumi.secret("-----BEGIN OPENSSH PRIVATE KEY----- test"),
    nfsServer: pulumi.secret(NFS.server),
    nfsShareGeneral: pulumi.secret(NFS.general),
    nfsSharePostgres: pulumi.secret(NFS.postgres),
    nfsShareBackup: pulumi.secret(NFS.backup),
    ...(opts.alertWebhook ? { alertWebhookUrl: pulumi.secret(WEBHOOK_URL) } : {}),
  };
  return deriveConfig(settings, opts.stack ?? "test", secrets);
}
