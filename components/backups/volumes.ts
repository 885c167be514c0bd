// Which volumes the weekly full backup copies, declared per service (Velero file-system backup,
// opt-in): state nobody can re-create is copied; what is re-downloaded, regenerated or backed up
// by its own tool is not, each with its reason. The layers put `volumeBackupAnnotations` on their
// pods; tests check every persistent volume of the lab is declared here.

/** Velero's opt-in pod annotation: the pod volumes (by name) that file-system backup copies. */
export const BACKUP_VOLUMES_ANNOTATION = "backup.velero.io/backup-volumes";

export interface VolumeDecision {
  /** The claim (or chart volume) as the service names it. */
  claim: string;
  /** The pod volume that mounts it (what the annotation lists). */
  podVolume: string;
  included: boolean;
  reason: string;
}

/** Every persistent volume in the lab, by service. */
export const VOLUME_BACKUP_POLICY = {
  "open-webui": [{
    claim: "open-webui-data",
    podVolume: "data",
    included: true,
    reason: "chat history, uploads, settings and the vector store (webui.db, uploads/, vector_db/): user data that exists nowhere else",
  }],
  grafana: [{
    claim: "grafana-data",
    podVolume: "storage",
    included: true,
    reason: "Grafana's SQLite database: users, preferences, annotations and dashboards made in the UI (the provisioned ones come from the program)",
  }],
  ollama: [{
    claim: "ollama-models",
    podVolume: "models",
    included: false,
    reason: "model weights, re-pulled from the registry by the model job (homelab:ai.ollama.models); hundreds of GiB a week for nothing",
  }],
  whisper: [{
    claim: "whisper-data",
    podVolume: "data",
    included: false,
    reason: "the speech model cache, downloaded again on start",
  }],
  piper: [{
    claim: "piper-data",
    podVolume: "data",
    included: false,
    reason: "the voice model cache, downloaded again on start",
  }],
  prometheus: [{
    claim: "prometheus-db",
    podVolume: "prometheus-db",
    included: false,
    reason: "metrics regenerate, and a file copy of a live TSDB is not consistent; alerts on backups need only recent data",
  }],
  alertmanager: [{
    claim: "alertmanager-db",
    podVolume: "alertmanager-db",
    included: false,
    reason: "silences and notification state, short-lived and re-created by hand if needed",
  }],
  loki: [{
    claim: "storage",
    podVolume: "storage",
    included: false,
    reason: "logs age out within the retention period and a file copy of live chunks is not consistent",
  }],
  postgres: [{
    claim: "postgres, postgres-wal",
    podVolume: "pgdata",
    included: false,
    reason: "backed up by its own tool: Barman Cloud base backups and continuous WAL archiving (point-in-time recovery), consistent where a file copy is not",
  }],
} as const satisfies Record<string, VolumeDecision[]>;

export type BackedUpService = keyof typeof VOLUME_BACKUP_POLICY;

/** The pod annotations that opt a service's included volumes into the full backup (none if it has none). */
export function volumeBackupAnnotations(service: BackedUpService): Record<string, string> {
  const volumes = (VOLUME_BACKUP_POLICY[service] as readonly VolumeDecision[]).filter((v) => v.included).map((v) => v.podVolume);
  return volumes.length > 0 ? { [BACKUP_VOLUMES_ANNOTATION]: volumes.join(",") } : {};
}
