import { ConfigError, crossCheck, formatPath, parseSettings, secretPresenceProblems } from "../../components/config";
import { validRaw } from "./fixtures";

function problemsOf(raw: Record<string, unknown>): string[] {
  try {
    parseSettings(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  return [];
}

describe("parseSettings", () => {
  it("accepts a valid inventory and applies defaults once", () => {
    const settings = parseSettings(validRaw());
    expect(settings.nodes[0].port).toBe(22);
    expect(settings.nodes[0].labels).toEqual({});
    expect(settings.k3s.etcdSnapshots).toEqual({ schedule: "30 2 * * *", retention: 30, programBucket: false });
    expect(settings.k3s.disable).toEqual(["traefik"]);
    expect(settings.k3s.agentUpgradeWaves).toBe(4);
    expect(settings.observability.prometheus).toEqual({ retention: "30d", storageSize: "50Gi" });
    expect(settings.database.backup.retentionDays).toBe(30);
    expect(settings.ai.piper.voices).toEqual(["en_US-lessac-medium"]);
  });

  it("reports every problem at once, each with its key path", () => {
    const raw = validRaw();
    raw.nodes[1].name = "server1"; // duplicate
    raw.nodes[2].arch = "x86"; // unknown architecture
    raw.nodes[0].host = "300.1.1.1"; // malformed address
    raw.k3s.version = "stable"; // unpinned
    const problems = problemsOf(raw);
    // Schema problems are reported together; cross-key checks run once the shapes are right.
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^homelab:nodes\[2\]\.arch: expected "amd64" \(x86_64\) or "arm64"/),
      expect.stringMatching(/^homelab:nodes\[0\]\.host: expected an IP address or hostname/),
      expect.stringMatching(/^homelab:k3s\.version: expected a pinned K3s release/),
    ]));
    expect(problems).toHaveLength(3);
  });

  it("reports duplicate names, a missing server and GPU settings on GPU-less nodes", () => {
    const raw = validRaw();
    raw.nodes[0].role = "agent";
    raw.nodes[2].name = "gpu1";
    raw.nodes[2].gpu = { vendor: "nvidia", count: 0 };
    expect(problemsOf(raw)).toEqual([
      'homelab:nodes[2].name: duplicate node name "gpu1" (also nodes[1])',
      "homelab:nodes[2].gpu: a GPU setting on a node without a GPU (count is 0); remove the gpu block or set the number of GPUs",
      'homelab:nodes: no node has role "server"; the cluster needs one (or three for HA)',
    ]);
  });

  it("refuses an even number of servers (etcd quorum)", () => {
    const raw = validRaw();
    raw.nodes[2].role = "server";
    expect(problemsOf(raw)).toEqual([expect.stringContaining("2 servers cannot keep etcd quorum")]);
  });

  it("rejects misspelt keys instead of ignoring them", () => {
    const raw = validRaw();
    raw.nodes[0].lables = { a: "b" };
    raw.observability = { prometheus: { retension: "30d" } };
    const problems = problemsOf(raw);
    expect(problems).toEqual(expect.arrayContaining([
      expect.stringMatching(/^homelab:nodes\[0\]: unknown key "lables"/),
      expect.stringMatching(/^homelab:observability\.prometheus: unknown key "retension"/),
    ]));
  });

  it("names missing required keys", () => {
    const raw = validRaw();
    delete raw.k3s;
    delete raw.nodes[1].hostKey;
    expect(problemsOf(raw)).toEqual(expect.arrayContaining([
      expect.stringMatching(/^homelab:k3s: is required/),
      expect.stringMatching(/^homelab:nodes\[1\]\.hostKey: is required/),
    ]));
  });

  it("refuses labels the kubelet may not set on its own node", () => {
    const raw = validRaw();
    raw.nodes[2].labels = { "node-role.kubernetes.io/worker": "true", "node.kubernetes.io/instance-type": "pi4" };
    const problems = problemsOf(raw);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^homelab:nodes\[2\]\.labels\.node-role\.kubernetes\.io\/worker: the kubelet may not set/);
  });

  it("refuses malformed taints and a GPU taint on a node without GPUs", () => {
    const raw = validRaw();
    raw.nodes[2].taints = ["dedicated:Sometimes", "nvidia.com/gpu=present:NoSchedule"];
    expect(problemsOf(raw)).toEqual([
      expect.stringMatching(/^homelab:nodes\[2\]\.taints\[0\]: expected "key\[=value\]:Effect"/),
      expect.stringMatching(/^homelab:nodes\[2\]\.taints: an nvidia\.com\/gpu taint on a node without a gpu block/),
    ]);
  });

  it("refuses GPU inference in a stack without GPU nodes", () => {
    const raw = validRaw();
    raw.nodes = raw.nodes.filter((n: { name: string }) => n.name !== "gpu1");
    raw.ai = { accelerator: "nvidia" };
    raw.gpu = { timeSlicingReplicas: 4 };
    expect(problemsOf(raw)).toEqual([
      'homelab:ai.accelerator: "nvidia" needs at least one node with a gpu block in homelab:nodes',
      "homelab:gpu.timeSlicingReplicas: a GPU setting in a stack without GPU nodes",
    ]);
  });

  it("needs declared LAN exposure before Ollama gets a NodePort", () => {
    const raw = validRaw();
    raw.ai = { ollama: { nodePort: 31434 } };
    expect(problemsOf(raw)).toEqual([expect.stringMatching(/^homelab:ai\.ollama\.nodePort: exposes Ollama on the LAN/)]);
    raw.ai.lanExposure = { allowedCidrs: ["192.168.1.0/24"] };
    expect(problemsOf(raw)).toEqual([]);
  });

  it("refuses more database instances than nodes to spread them on", () => {
    const raw = validRaw();
    raw.database = { instances: 5 };
    expect(problemsOf(raw)).toEqual([expect.stringContaining("homelab:database.instances: 5 instances")]);
  });
});

describe("K3s upgrade waves, packaged components and etcd S3 settings", () => {
  it("takes 1 to 20 agent upgrade waves", () => {
    for (const waves of [1, 20]) {
      const raw = validRaw();
      raw.k3s.agentUpgradeWaves = waves;
      expect(parseSettings(raw).k3s.agentUpgradeWaves).toBe(waves);
    }
    for (const bad of [0, 21, 2.5, "4"]) {
      const raw = validRaw();
      raw.k3s.agentUpgradeWaves = bad;
      expect(problemsOf(raw)).toEqual([expect.stringMatching(/^homelab:k3s\.agentUpgradeWaves: /)]);
    }
  });

  it("accepts runtimes as a disable item and refuses unknown ones", () => {
    const raw = validRaw();
    raw.k3s.disable = ["traefik", "runtimes"];
    expect(parseSettings(raw).k3s.disable).toEqual(["traefik", "runtimes"]);
    raw.k3s.disable = ["runtime"];
    expect(problemsOf(raw)).toEqual([expect.stringMatching(/^homelab:k3s\.disable\[0\]: /)]);
  });

  it("accepts an S3 target for snapshots and reports each malformed field", () => {
    const raw = validRaw();
    raw.k3s.etcdSnapshots = { s3: { bucket: "lab-etcd.backups", region: "eu-west-1", folder: "k3s/staging", endpoint: "minio.home.arpa:9000" } };
    expect(parseSettings(raw).k3s.etcdSnapshots).toEqual({
      schedule: "30 2 * * *", retention: 30, programBucket: false,
      s3: { bucket: "lab-etcd.backups", region: "eu-west-1", folder: "k3s/staging", endpoint: "minio.home.arpa:9000" },
    });
    raw.k3s.etcdSnapshots = { s3: { bucket: "Lab_Etcd", region: "europe", folder: "/k3s/", endpoint: "https://minio", accessKey: "x" } };
    expect(problemsOf(raw)).toEqual(expect.arrayContaining([
      expect.stringMatching(/^homelab:k3s\.etcdSnapshots\.s3\.bucket: expected an S3 bucket name/),
      expect.stringMatching(/^homelab:k3s\.etcdSnapshots\.s3\.region: expected an AWS region/),
      expect.stringMatching(/^homelab:k3s\.etcdSnapshots\.s3\.folder: expected a folder/),
      expect.stringMatching(/^homelab:k3s\.etcdSnapshots\.s3\.endpoint: expected a hostname/),
      // Credentials are never plain settings: they are the secret keys etcdS3AccessKeyId/etcdS3SecretAccessKey.
      expect.stringMatching(/^homelab:k3s\.etcdSnapshots\.s3: unknown key "accessKey"/),
    ]));
    expect(problemsOf(raw)).toHaveLength(5);
  });
});

describe("settings that would only fail at deploy time", () => {
  it("says an API endpoint or SAN takes no port and no scheme (K3s serves 6443; the kubeconfig adds it)", () => {
    const raw = validRaw();
    raw.k3s.apiEndpoint = "k3s.home.arpa:6443";
    raw.k3s.tlsSans = ["https://vip.home.arpa", "[fd00::1]:6443", "bad_name"];
    expect(problemsOf(raw)).toEqual([
      "homelab:k3s.apiEndpoint: expected a DNS name or IP address without a port (K3s serves the API on 6443, and the kubeconfig adds it)",
      "homelab:k3s.tlsSans[0]: expected a DNS name or IP address without a scheme (the program builds https://<name>:6443)",
      "homelab:k3s.tlsSans[1]: expected a DNS name or IP address without a port (K3s serves the API on 6443, and the kubeconfig adds it)",
      "homelab:k3s.tlsSans[2]: expected an IP address or hostname",
    ]);
    raw.k3s.apiEndpoint = "fd00::10";
    raw.k3s.tlsSans = ["10.0.0.10"];
    expect(problemsOf(raw)).toEqual([]);
  });

  it("refuses two nodes with one node IP, a node IP of the wrong family, and addresses inside the pod or service network", () => {
    const raw = validRaw();
    raw.nodes[0].nodeIp = "192.168.1.10";
    raw.nodes[1].nodeIp = "192.168.1.10";
    raw.nodes[1].host = "10.0.0.12";
    raw.nodes[2].nodeIp = "fd00::12";
    expect(problemsOf(raw)).toEqual([
      "homelab:nodes[1].nodeIp: duplicate node IP 192.168.1.10 (also nodes[0].nodeIp); every node needs its own address",
      "homelab:nodes[2].nodeIp: an IPv6 node IP in a cluster whose k3s.clusterCidr (10.42.0.0/16) is IPv4; use the node's IPv4 address",
    ]);
    const lan = validRaw();
    lan.k3s.clusterCidr = "10.0.0.0/16"; // the LAN the GPU node's SSH address (10.0.0.12) is on
    lan.k3s.serviceCidr = "10.0.128.0/17";
    lan.nodes[0].nodeIp = "10.0.200.5";
    expect(problemsOf(lan)).toEqual([
      "homelab:nodes[0].nodeIp: 10.0.200.5 is inside k3s.clusterCidr (10.0.0.0/16); pod and service networks must not overlap the LAN, change k3s.clusterCidr",
      "homelab:nodes[0].nodeIp: 10.0.200.5 is inside k3s.serviceCidr (10.0.128.0/17); pod and service networks must not overlap the LAN, change k3s.serviceCidr",
      "homelab:nodes[1].host: 10.0.0.12 is inside k3s.clusterCidr (10.0.0.0/16); pod and service networks must not overlap the LAN, change k3s.clusterCidr",
      "homelab:k3s.serviceCidr: 10.0.128.0/17 overlaps k3s.clusterCidr (10.0.0.0/16); pods and services need separate networks",
    ]);
  });

  it("refuses disabling packaged components that other settings rely on", () => {
    const raw = validRaw();
    raw.k3s.disable = ["traefik", "coredns", "local-storage", "servicelb", "metrics-server"];
    raw.ai = { lanExposure: { serviceType: "LoadBalancer", allowedCidrs: ["192.168.1.0/24"] }, piper: { minReplicas: 1, maxReplicas: 3 } };
    expect(problemsOf(raw)).toEqual([
      "homelab:k3s.disable[1]: every layer finds its Services through cluster DNS and this program deploys no other DNS server; keep coredns",
      'homelab:k3s.disable[2]: removes the local-path StorageClass, which homelab:storage.defaultClass makes the default (claims without a class would stay Pending); keep local-storage or set storage.defaultClass to "nfs-csi-v2"',
      'homelab:ai.lanExposure.serviceType: LoadBalancer Services are served by K3s ServiceLB, which k3s.disable removes (they would stay Pending); keep servicelb or use "NodePort"',
      "homelab:ai.piper.maxReplicas: Piper scales on CPU, which needs metrics-server; keep it out of k3s.disable or set maxReplicas equal to minReplicas",
    ]);
    // Each is fine once the setting that relies on it goes the other way.
    raw.k3s.disable = ["traefik", "local-storage", "servicelb", "metrics-server"];
    raw.storage = { defaultClass: "nfs-csi-v2" };
    raw.ai = { lanExposure: { serviceType: "NodePort", allowedCidrs: ["192.168.1.0/24"] }, piper: { minReplicas: 2, maxReplicas: 2 } };
    expect(problemsOf(raw)).toEqual([]);
  });
});

describe("secretPresenceProblems", () => {
  const withS3 = () => {
    const raw = validRaw();
    raw.k3s.etcdSnapshots = { s3: { bucket: "lab-etcd", region: "eu-west-1" } };
    return parseSettings(raw);
  };

  it("needs both etcd S3 secrets when k3s.etcdSnapshots.s3 is set, naming the command that sets each", () => {
    expect(secretPresenceProblems(withS3(), new Set(["sshPrivateKey"]))).toEqual([
      { path: "homelab:etcdS3AccessKeyId", message: expect.stringContaining("is required because homelab:k3s.etcdSnapshots.s3 is set") },
      { path: "homelab:etcdS3SecretAccessKey", message: expect.stringContaining("`pulumi config set --secret homelab:etcdS3SecretAccessKey <value>`") },
    ]);
    expect(secretPresenceProblems(withS3(), new Set(["etcdS3AccessKeyId"])).map((p) => p.path)).toEqual(["homelab:etcdS3SecretAccessKey"]);
    expect(secretPresenceProblems(withS3(), new Set(["etcdS3AccessKeyId", "etcdS3SecretAccessKey"]))).toEqual([]);
  });

  it("asks for nothing without S3", () => {
    expect(secretPresenceProblems(parseSettings(validRaw()), new Set())).toEqual([]);
  });
});

describe("crossCheck", () => {
  it("finds nothing wrong in a valid config", () => {
    expect(crossCheck(parseSettings(validRaw()))).toEqual([]);
  });
});

describe("formatPath", () => {
  it("writes paths the way operators write them", () => {
    expect(formatPath(["nodes", 3, "gpu", "count"])).toBe("homelab:nodes[3].gpu.count");
    expect(formatPath(["k3s"])).toBe("homelab:k3s");
    expect(formatPath([])).toBe("homelab");
  });
});

describe("etcd snapshot destinations", () => {
  it("take one S3 destination: the program's bucket or the operator's", () => {
    const raw = validRaw();
    raw.k3s.etcdSnapshots = { programBucket: true, s3: { bucket: "lab-etcd", region: "eu-west-1" } };
    expect(problemsOf(raw)).toEqual([expect.stringMatching(/^homelab:k3s\.etcdSnapshots\.programBucket: snapshots go to one S3 destination/)]);
    raw.k3s.etcdSnapshots = { programBucket: true };
    expect(problemsOf(raw)).toEqual([]);
  });
});
