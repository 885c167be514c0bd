// Velero's values, storage location and schedules as the pinned chart and CRDs read them, and the
// per-service volume inclusion as the stacks plan it.
import * as path from "node:path";
import {
  awsCredentialsFile,
  backupStorageLocationSpec,
  BACKUP_VOLUMES_ANNOTATION,
  SCHEDULES,
  scheduleSpecs,
  ttl,
  veleroCron,
  veleroNamespaces,
  veleroValues,
  VOLUME_BACKUP_POLICY,
  volumeBackupAnnotations,
} from "../../components/backups";
import { BackupsSchema } from "../../components/config";
import { charts, images } from "../../components/versions";
import { readKeyList, unknownKeyPaths } from "../helpers/chart-keys";
import { crdViolations, readFieldList } from "../helpers/crd-fields";
import { planJson } from "../helpers/plan";

const defaults = BackupsSchema.parse({});
const object = (kind: string, spec: unknown) => ({ apiVersion: "velero.io/v1", kind, metadata: { name: "x", namespace: "velero" }, spec });

describe("Velero chart values", () => {
  it("use only keys the pinned chart has", () => {
    const keys = readKeyList(path.join(__dirname, `velero-${charts.velero.valuesCheckedAgainst}.keys.txt`));
    expect(unknownKeyPaths(veleroValues(), keys)).toEqual([]);
  });

  it("pin the image the chart version ships and the AWS plugin of the same release line", () => {
    const values = veleroValues() as any;
    expect(values.image).toEqual({ repository: "docker.io/velero/velero", tag: "v1.18.1" });
    expect(values.initContainers[0].image).toBe(`docker.io/velero/velero-plugin-for-aws:${images.veleroPluginAws.tag}`);
    expect(images.veleroPluginAws.tag).toMatch(/^v1\.14\./);
  });

  it("read credentials from the program's Secret, never a chart-made one, and take no volume data by default", () => {
    const values = veleroValues() as any;
    expect(values.credentials).toEqual({ useSecret: true, existingSecret: "velero-s3" });
    expect(values.configuration.defaultVolumesToFsBackup).toBe(false);
    expect(values.configuration.uploaderType).toBe("kopia");
    expect(values.deployNodeAgent).toBe(true);
    // The chart's CRD-upgrade Job is a Helm hook, which Chart v4 never runs.
    expect(values.upgradeCRDs).toBe(false);
  });

  it("write the shared-credentials file Velero's AWS plugin reads, refusing a broken key", () => {
    expect(awsCredentialsFile("AKIA1", "s3cr3t")).toBe("[default]\naws_access_key_id=AKIA1\naws_secret_access_key=s3cr3t\n");
    expect(() => awsCredentialsFile("AKIA1", "a b")).toThrow(/secret access key is empty or contains whitespace/);
  });
});

describe("storage location and schedules", () => {
  const scheduleFields = readFieldList(path.join(__dirname, "velero-v1.18.1-schedule.fields.txt"));
  const locationFields = readFieldList(path.join(__dirname, "velero-v1.18.1-backupstoragelocation.fields.txt"));

  it("validate against the pinned CRDs", () => {
    expect(crdViolations(object("BackupStorageLocation", backupStorageLocationSpec("homelab-staging-velero-x", "eu-west-1")), locationFields)).toEqual([]);
    for (const s of scheduleSpecs(defaults)) expect(crdViolations(object("Schedule", s.spec), scheduleFields)).toEqual([]);
  });

  it("match the reference lab: resources daily at 02:00 for 30 days, everything on Sundays at 03:00 for longer", () => {
    const [resources, full] = scheduleSpecs(defaults) as any[];
    expect(resources).toMatchObject({ name: SCHEDULES.resources, spec: { schedule: "0 2 * * *", template: { ttl: "720h0m0s" } } });
    expect(full).toMatchObject({ name: SCHEDULES.full, spec: { schedule: "0 3 * * 0", template: { ttl: "2160h0m0s" } } });
    expect(defaults.full.retentionDays).toBeGreaterThan(defaults.resources.retentionDays);
  });

  it("leave pods out of the daily backup, so it never carries volume data; the weekly one keeps them", () => {
    const [resources, full] = scheduleSpecs(defaults) as any[];
    expect(resources.spec.template.excludedResources).toContain("pods");
    expect(full.spec.template.excludedResources).not.toContain("pods");
    for (const s of [resources, full]) {
      expect(s.spec.template).toMatchObject({ includedNamespaces: ["*"], includeClusterResources: true, defaultVolumesToFsBackup: false, snapshotVolumes: false });
    }
  });

  it("write Sunday as 0 and retention as hours", () => {
    expect(veleroCron(" 0 3  * * SUN ")).toBe("0 3 * * SUN");
    expect(ttl(1)).toBe("24h0m0s");
    expect(() => ttl(0)).toThrow(/>= 1/);
  });
});

describe("which volumes the weekly backup copies", () => {
  it("Open WebUI's data and Grafana's database, and nothing the lab can re-create", () => {
    const included = Object.entries(VOLUME_BACKUP_POLICY).filter(([, vs]) => vs.some((v) => v.included)).map(([s]) => s).sort();
    expect(included).toEqual(["grafana", "open-webui"]);
    for (const service of ["ollama", "prometheus"] as const) {
      expect(volumeBackupAnnotations(service)).toEqual({});
      expect(VOLUME_BACKUP_POLICY[service][0].reason.length).toBeGreaterThan(20);
    }
  });

  it.each(["dev", "staging"])("%s: the Open WebUI pod and Grafana carry the opt-in annotation for their volumes", (stack) => {
    const plan = planJson(stack);
    const webui = plan.resources.find((r) => r.type === "kubernetes:apps/v1:Deployment" && (r.inputs as any).metadata.name === "open-webui")!;
    const template = (webui.inputs as any).spec.template;
    expect(template.metadata.annotations[BACKUP_VOLUMES_ANNOTATION]).toBe("data");
    expect(template.spec.volumes.map((v: any) => v.name)).toContain("data");
    const kps = plan.resources.find((r) => r.type === "kubernetes:helm.sh/v4:Chart" && (r.inputs as any).chart === "kube-prometheus-stack")!;
    expect((kps.inputs as any).values.grafana.podAnnotations).toEqual({ [BACKUP_VOLUMES_ANNOTATION]: "storage" });
    // Ollama's models are never opted in.
    const ollama = plan.resources.find((r) => r.type === "kubernetes:apps/v1:Deployment" && (r.inputs as any).metadata.name === "ollama");
    expect(JSON.stringify(ollama?.inputs ?? {})).not.toContain(BACKUP_VOLUMES_ANNOTATION);
  });

  it.each(["dev", "staging"])("%s: every claim the program makes is declared", (stack) => {
    const claims = planJson(stack).resources.filter((r) => r.type === "kubernetes:core/v1:PersistentVolumeClaim").map((r) => (r.inputs as any).metadata.name);
    const declared = Object.values(VOLUME_BACKUP_POLICY).flatMap((vs) => vs.map((v) => v.claim));
    expect(claims.filter((c) => !declared.includes(c))).toEqual([]);
  });
});

describe("the velero namespace", () => {
  it("is privileged for the node agent and admits only Prometheus's scrapes", () => {
    const [ns] = veleroNamespaces({ nodes: [1, 2, 3] });
    expect(ns.podSecurity).toBe("privileged");
    expect(ns.quota.pods).toBe(7);
    expect(ns.ingress.every((rule) => rule.fromNamespaces?.join() === "monitoring" && rule.ports.join() === "8085")).toBe(true);
  });
});
