// What each issue promises to see in a whole stack's plan: staging is the production-like lab,
// dev the same architecture on a small CPU-only footprint.
import type { Plan, PlannedResource } from "../../tools/lib/plan";
import { charts } from "../../components/versions";
import { planJson } from "../helpers/plan";

const plans: Record<string, Plan> = {};
const of = (stack: string, type: string): PlannedResource[] => plans[stack].resources.filter((r) => r.type === type);
const named = (stack: string, type: string, name: string): PlannedResource => {
  const found = of(stack, type).find((r) => r.name === name);
  if (!found) throw new Error(`${stack}: no ${type} ${name}`);
  return found;
};
const spec = (r: PlannedResource) => r.inputs.spec as any;

beforeAll(() => {
  for (const stack of ["dev", "staging"]) plans[stack] = planJson(stack);
});

describe("cluster", () => {
  it("installs K3s on every node, agents waiting only on the first server, servers one at a time", () => {
    const steps = (stack: string, node: string) => named(stack, "command:remote:Command", `homelab-${node}-configure`);
    const firstReady = named("staging", "command:remote:Command", "homelab-zz-macbookpro-ready").urn;
    const agentConfigure = steps("staging", "rpi01");
    expect(agentConfigure.dependencies).toContain(firstReady);
    expect(agentConfigure.dependencies.filter((d) => /-ready$/.test(d))).toEqual([firstReady]);
    expect(steps("staging", "pgmac01").dependencies).toContain(firstReady);
    expect(steps("staging", "pglenovo01").dependencies).toContain(named("staging", "command:remote:Command", "homelab-pgmac01-ready").urn);
    expect(of("staging", "homelab:k3s:K3sNode")).toHaveLength(8);
    expect(of("dev", "homelab:k3s:K3sNode")).toHaveLength(2);
  });

  it("builds exactly one Kubernetes provider, from the secret kubeconfig", () => {
    for (const stack of ["dev", "staging"]) {
      const providers = of(stack, "pulumi:providers:kubernetes");
      expect(providers).toHaveLength(1);
      expect(providers[0].inputs.kubeconfig).toBe("[secret]");
    }
  });
});

describe("objects charts render", () => {
  it("no program ServiceAccount lives in a namespace a chart installs into (the chart's own accounts could collide)", () => {
    for (const stack of ["dev", "staging"]) {
      const chartNamespaces = new Set(of(stack, "kubernetes:helm.sh/v4:Chart").map((c) => c.inputs.namespace as string));
      const accounts = of(stack, "kubernetes:core/v1:ServiceAccount").map((a) => (a.inputs.metadata as any).namespace as string);
      expect(accounts.length).toBeGreaterThan(0);
      expect(accounts.filter((ns) => chartNamespaces.has(ns))).toEqual([]);
    }
  });
});

describe("platform", () => {
  it("has the three NFS classes, backups retained, server and export paths secret", () => {
    for (const stack of ["dev", "staging"]) {
      const classes = of(stack, "kubernetes:storage.k8s.io/v1:StorageClass");
      expect(classes.map((c) => (c.inputs.metadata as any).name).sort()).toEqual(["nfs-backup", "nfs-csi-v2", "nfs-postgres-v2"]);
      expect(classes.find((c) => (c.inputs.metadata as any).name === "nfs-backup")!.inputs.reclaimPolicy).toBe("Retain");
      for (const c of classes) expect(c.inputs.parameters).toMatchObject({ server: "[secret]", share: "[secret]" });
    }
  });

  it("runs the GPU operator on K3s's containerd in staging only", () => {
    expect(of("dev", "kubernetes:helm.sh/v4:Chart").map((c) => c.inputs.chart)).not.toContain("gpu-operator");
    const gpu = of("staging", "kubernetes:helm.sh/v4:Chart").find((c) => c.inputs.chart === "gpu-operator")!;
    expect(gpu.inputs.version).toBe(charts.gpuOperator.version);
    const env = Object.fromEntries(((gpu.inputs.values as any).toolkit.env as { name: string; value: string }[]).map((e) => [e.name, e.value]));
    expect(env.CONTAINERD_SOCKET).toBe("/run/k3s/containerd/containerd.sock");
    expect(env.CONTAINERD_CONFIG).toMatch(/^\/var\/lib\/rancher\/k3s\/agent\/etc\/containerd\//);
    expect((gpu.inputs.values as any).operator.runtimeClass).toBe("nvidia");
  });

  it("runs a 3-instance database in staging and 1 in dev, with daily backups to a private, encrypted, versioned bucket", () => {
    expect(spec(of("staging", "kubernetes:postgresql.cnpg.io/v1:Cluster")[0]).instances).toBe(3);
    expect(spec(of("dev", "kubernetes:postgresql.cnpg.io/v1:Cluster")[0]).instances).toBe(1);
    for (const stack of ["dev", "staging"]) {
      expect(spec(of(stack, "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup")[0]).method).toBe("plugin");
      // Every backup bucket (database, Velero, and etcd snapshots where the stack has them) is
      // private, encrypted and versioned.
      const buckets = of(stack, "aws:s3/bucket:Bucket").map((b) => `${b.name}-id`);
      expect(buckets).toContain("database-backups-id");
      const forBucket = (type: string, bucket: string) => of(stack, type).filter((r) => r.inputs.bucket === bucket);
      for (const bucket of buckets) {
        const [block] = forBucket("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", bucket);
        expect(block.inputs).toMatchObject({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
        expect(forBucket("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", bucket)).toHaveLength(1);
        expect((forBucket("aws:s3/bucketVersioning:BucketVersioning", bucket)[0].inputs.versioningConfiguration as any).status).toBe("Enabled");
      }
    }
    expect(of("staging", "aws:s3/bucket:Bucket").map((b) => b.name).sort()).toEqual(["backups-bucket", "database-backups", "etcd-snapshots"]);
  });
});

describe("observability", () => {
  it("keeps 30 days of metrics on 50Gi and 31 days of logs in staging, less in dev", () => {
    const kps = (stack: string) => (of(stack, "kubernetes:helm.sh/v4:Chart").find((c) => c.inputs.chart === "kube-prometheus-stack")!.inputs.values as any).prometheus.prometheusSpec;
    expect(kps("staging").retention).toBe("30d");
    expect(kps("staging").storageSpec.volumeClaimTemplate.spec.resources.requests.storage).toBe("50Gi");
    expect(kps("dev").retention).toBe("3d");
    const loki = (stack: string) => (of(stack, "kubernetes:helm.sh/v4:Chart").find((c) => c.inputs.chart === "loki")!.inputs.values as any).loki.limits_config.retention_period;
    expect(loki("staging")).toBe("744h");
    expect(loki("dev")).toBe("72h");
  });

  it("pins every chart it installs to the registry's version", () => {
    for (const stack of ["dev", "staging"]) {
      for (const chart of of(stack, "kubernetes:helm.sh/v4:Chart")) {
        const pin = Object.values(charts).find((p) => p.chart === chart.inputs.chart);
        expect({ chart: chart.inputs.chart, version: chart.inputs.version }).toEqual({ chart: pin?.chart, version: pin?.version });
      }
    }
  });

  it("alerts on GPU temperature only where there are GPUs", () => {
    const exprs = (stack: string) => JSON.stringify(of(stack, "kubernetes:monitoring.coreos.com/v1:PrometheusRule").map((r) => r.inputs.spec));
    expect(exprs("staging")).toContain("DCGM_FI_DEV_GPU_TEMP");
    expect(exprs("dev")).not.toContain("DCGM_FI_DEV_GPU_TEMP");
    expect(exprs("dev")).toContain("externalsecret_status_condition");
  });
});

describe("AI voice pipeline", () => {
  const deployments = (stack: string) => Object.fromEntries(of(stack, "kubernetes:apps/v1:Deployment").map((d) => [d.name, spec(d).template.spec]));
  const gpuOf = (pod: any) => pod.containers.map((c: any) => c.resources?.limits?.["nvidia.com/gpu"]).filter(Boolean);

  it("runs all five services on their ports with pinned images", () => {
    for (const stack of ["dev", "staging"]) {
      const pods = deployments(stack);
      const ports = Object.fromEntries(Object.entries(pods).map(([name, pod]) => [name, pod.containers[0].ports[0].containerPort]));
      expect(ports).toEqual({ "ai-ollama": 11434, "ai-open-webui": 8080, "ai-whisper": 10300, "ai-piper": 10200, "ai-openwakeword": 10400 });
      for (const pod of Object.values(pods)) for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) expect(c.image).toMatch(/:[\w.-]+$/);
    }
  });

  it("asks for GPUs only for Ollama and Whisper in staging, never in dev", () => {
    const staging = deployments("staging");
    expect(Object.keys(staging).filter((name) => gpuOf(staging[name]).length > 0).sort()).toEqual(["ai-ollama", "ai-whisper"]);
    expect(staging["ai-ollama"].runtimeClassName).toBe("nvidia");
    const dev = deployments("dev");
    for (const pod of Object.values(dev)) {
      expect(gpuOf(pod)).toEqual([]);
      expect(pod.runtimeClassName).toBeUndefined();
    }
  });
});
