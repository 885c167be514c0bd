// What each issue promises to see in a whole stack's plan: staging is the production-like lab,
// dev the same architecture on a small CPU-only footprint.
import type { Plan, PlannedResource } from "../../tools/lib/plan";
import { ChartPin, charts } from "../../components/versions";
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
        // A pin with an artifact is installed by the artifact's URL.
        const pin = (Object.values(charts) as ChartPin[]).find((p) => (p.artifact?.url ?? p.chart) === chart.inputs.chart);
        expect({ chart: chart.inputs.chart, version: chart.inputs.version }).toEqual({ chart: pin?.artifact?.url ?? pin?.chart, version: pin?.version });
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

describe("network isolation", () => {
  const NP = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
  const policiesOf = (stack: string) => of(stack, NP).map((r) => ({
    namespace: (r.inputs.metadata as any).namespace as string,
    name: (r.inputs.metadata as any).name as string,
    annotations: ((r.inputs.metadata as any).annotations ?? {}) as Record<string, string>,
    spec: spec(r),
  }));
  const egressOf = (stack: string) => policiesOf(stack).filter((p) => p.spec.policyTypes.includes("Egress") && p.spec.egress);
  const ipBlocks = (p: { spec: any }) => p.spec.egress.flatMap((e: any) => e.to.filter((t: any) => t.ipBlock).map((t: any) => t.ipBlock));
  const ports = (p: { spec: any }) => [...new Set(p.spec.egress.flatMap((e: any) => e.ports.map((x: any) => x.port)))].sort((a: any, b: any) => a - b);

  it("denies ingress and egress in every namespace, each with a policy of its own", () => {
    for (const stack of ["dev", "staging"]) {
      const namespaces = of(stack, "kubernetes:core/v1:Namespace").map((n) => (n.inputs.metadata as any).name as string);
      for (const ns of namespaces) {
        const names = policiesOf(stack).filter((p) => p.namespace === ns).map((p) => p.name);
        expect(names).toEqual(expect.arrayContaining(["default-deny-ingress", "default-deny-egress"]));
      }
    }
  });

  it("lets each namespace's pods connect only where the staging lab needs them to", () => {
    const table: Record<string, string[]> = {};
    for (const p of egressOf("staging")) (table[p.namespace] ??= []).push(p.name.replace(/^allow-egress-/, ""));
    for (const list of Object.values(table)) list.sort();
    expect(table).toEqual({
      "external-secrets": ["api-server", "aws-secrets-manager", "dns"],
      "cert-manager": ["api-server", "dns"],
      "cnpg-system": ["api-server", "dns", "the-operator-calls-the-barman-cloud-plugin", "the-operator-reaches-the-instance-manager-status-p"],
      database: ["api-server", "dns", "instances-poolers-and-join-jobs-of-the-cluster-rea", "s3-backups", "s3-recovery"],
      "gpu-operator": ["api-server", "dns"],
      // Traefik learns routes and endpoints from the API server, so it needs no DNS.
      ingress: ["api-server", "the-ingress-controller-forwards-to-grafana", "the-ingress-controller-forwards-to-open-webui"],
      monitoring: [
        "api-server", "coredns-metrics", "dns", "kubelets", "monitoring-components-talk-to-each-other", "node-exporter",
        "prometheus-scrapes-cert-manager-metrics", "prometheus-scrapes-external-secrets-metrics", "prometheus-scrapes-instance-metrics",
        "prometheus-scrapes-operator-metrics", "prometheus-scrapes-pooler-metrics", "prometheus-scrapes-the-dcgm-exporter", "prometheus-scrapes-the-node-agents",
        "prometheus-scrapes-the-velero-server", "prometheus-scrapes-traefik-metrics", "prometheus-scrapes-velero-s-node-agents",
      ],
      "node-agents": ["alloy-pushes-logs-to-loki", "api-server", "dns"],
      ollama: ["dns", "model-pull-jobs-call-ollama", "model-registry"],
      "open-webui": ["applications-connect-through-the-pooler", "applications-connect-to-postgresql-directly", "dns", "open-webui-calls-ollama"],
      whisper: ["dns", "hugging-face"],
      piper: ["dns", "hugging-face"],
      // Velero's server, node agents and maintenance jobs all use its bucket.
      velero: ["api-server", "dns", "s3-backups"],
      // nfs-csi (host network only) and openwakeword (opens no connection) allow nothing.
    });
  });

  it("reaches the internet only on 443, only from the pods that download or upload, and never the LAN or the cluster", () => {
    for (const stack of ["dev", "staging"]) {
      const internet = egressOf(stack).filter((p) => ipBlocks(p).some((b: any) => b.cidr === "0.0.0.0/0"));
      const who = internet.map((p) => [p.namespace, p.spec.podSelector.matchLabels]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
      expect(who).toEqual([
        ["database", { "cnpg.io/cluster": "postgres", "cnpg.io/podRole": "instance" }],
        ["database", { "cnpg.io/cluster": "postgres", "cnpg.io/jobRole": "full-recovery" }],
        ["external-secrets", { "app.kubernetes.io/name": "external-secrets" }],
        ["ollama", { "app.kubernetes.io/name": "ollama" }],
        ["piper", { "app.kubernetes.io/name": "piper" }],
        ["velero", undefined], // every pod of the namespace reads and writes the bucket
        ["whisper", { "app.kubernetes.io/name": "whisper" }],
      ]);
      for (const p of internet) {
        expect(ports(p)).toEqual([443]);
        expect(ipBlocks(p)[0].except).toEqual(expect.arrayContaining(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16"]));
      }
    }
  });

  it("reaches the nodes' addresses (where the NAS lives too) only on the API server, kubelet and node-exporter ports", () => {
    for (const stack of ["dev", "staging"]) {
      const lan = egressOf(stack).filter((p) => ipBlocks(p).some((b: any) => b.cidr !== "0.0.0.0/0"));
      for (const p of lan) expect(ipBlocks(p)).toEqual([{ cidr: "192.168.1.0/24" }]);
      expect(lan.map((p) => `${p.namespace}/${p.name}:${ports(p).join(",")}`).filter((s) => !s.endsWith("api-server:6443"))).toEqual([
        "monitoring/allow-egress-kubelets:10250",
        "monitoring/allow-egress-node-exporter:9100",
      ]);
    }
  });

  it("opens the egress side of every ingress path between the lab's namespaces", () => {
    const policies = policiesOf("staging");
    const namespaces = new Set(of("staging", "kubernetes:core/v1:Namespace").map((n) => (n.inputs.metadata as any).name as string));
    for (const p of policies.filter((x) => x.spec.policyTypes.includes("Ingress") && x.spec.ingress)) {
      const callers = p.spec.ingress.flatMap((i: any) => i.from)
        .map((f: any) => f.namespaceSelector?.matchLabels?.["kubernetes.io/metadata.name"] ?? (f.podSelector ? p.namespace : undefined))
        .filter((ns: string | undefined) => ns !== undefined && namespaces.has(ns));
      for (const caller of new Set<string>(callers)) {
        const counterpart = policies.find((e) => e.namespace === caller && e.annotations["homelab.dev/counterpart-of"] === `${p.namespace}/${p.name}`);
        expect({ path: `${caller} -> ${p.namespace}/${p.name}`, found: counterpart !== undefined }).toEqual({ path: `${caller} -> ${p.namespace}/${p.name}`, found: true });
        expect(ports(counterpart!)).toEqual([...new Set(p.spec.ingress.flatMap((i: any) => i.ports.map((x: any) => x.port)))].sort((a: any, b: any) => a - b));
      }
    }
  });
});

describe("HTTPS ingress", () => {
  const hosts = { dev: "dev.home.arpa", staging: "lab.home.arpa" } as const;

  it("reports the web interfaces' HTTPS URLs and how to fetch the lab CA among the stack outputs", () => {
    for (const stack of ["dev", "staging"] as const) {
      expect(plans[stack].outputs.urls).toEqual({ openWebui: `https://ai.${hosts[stack]}`, grafana: `https://grafana.${hosts[stack]}` });
      expect(plans[stack].outputs.labCa).toMatch(/^kubectl -n cert-manager get secret homelab-lab-ca /);
    }
  });

  it("serves Open WebUI and Grafana over TLS only, from certificates the lab CA signs", () => {
    for (const stack of ["dev", "staging"] as const) {
      const ingresses = of(stack, "kubernetes:networking.k8s.io/v1:Ingress");
      expect(ingresses.map((i) => spec(i).rules[0].host).sort()).toEqual([`ai.${hosts[stack]}`, `grafana.${hosts[stack]}`]);
      for (const i of ingresses) expect(spec(i).tls[0].hosts).toEqual([spec(i).rules[0].host]);
      const certs = of(stack, "kubernetes:cert-manager.io/v1:Certificate");
      expect(certs.filter((c) => !spec(c).isCA).map((c) => spec(c).issuerRef.name)).toEqual(["homelab-lab-ca", "homelab-lab-ca"]);
      expect(spec(certs.find((c) => spec(c).isCA)!).nameConstraints.permitted.dnsDomains).toEqual([hosts[stack]]);
    }
  });

  it("tells Open WebUI and Grafana their own addresses", () => {
    for (const stack of ["dev", "staging"] as const) {
      const webui = spec(named(stack, "kubernetes:apps/v1:Deployment", "ai-open-webui")).template.spec.containers[0].env;
      expect(webui).toContainEqual({ name: "WEBUI_URL", value: `https://ai.${hosts[stack]}` });
      const kps = of(stack, "kubernetes:helm.sh/v4:Chart").find((c) => c.inputs.chart === "kube-prometheus-stack")!;
      expect((kps.inputs.values as any).grafana["grafana.ini"].server.root_url).toBe(`https://grafana.${hosts[stack]}/`);
    }
  });

  it("keeps Open WebUI's plain port in the cluster: the only LoadBalancers are the Wyoming servers and the ingress controller", () => {
    const exposed = of("staging", "kubernetes:core/v1:Service").filter((s) => spec(s).type !== "ClusterIP").map((s) => `${(s.inputs.metadata as any).namespace}/${(s.inputs.metadata as any).name}`);
    expect(exposed.sort()).toEqual(["ingress/traefik", "ollama/ollama", "openwakeword/openwakeword", "piper/piper", "whisper/whisper"]);
  });
});
