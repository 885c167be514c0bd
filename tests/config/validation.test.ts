import { crossCheck, formatPath, ingressHosts, parseSettings, PRIVATE_NETWORKS, secretPresenceProblems } from "../../components/config";
import { HOST_KEY, problemsOf, validRaw } from "./fixtures";

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

  it("reports every problem at once, each with its key path, cross-key problems beside the schema's", () => {
    const raw = validRaw();
    raw.nodes[1].name = "server1"; // duplicate
    raw.nodes[2].arch = "x86"; // unknown architecture
    raw.nodes[0].host = "300.1.1.1"; // malformed address
    raw.k3s.version = "stable"; // unpinned
    expect(problemsOf(raw)).toEqual([
      'homelab:nodes[0].host: expected an IP address or hostname, got the string "300.1.1.1"',
      'homelab:nodes[2].arch: expected "amd64" or "arm64", got the string "x86"; x86 (64-bit) is "amd64"',
      expect.stringMatching(/^homelab:k3s\.version: expected a pinned K3s release such as "v1\.33\.5\+k3s1", got the string "stable"/),
      'homelab:nodes[1].name: duplicate node name "server1" (also nodes[0])',
    ]);
  });

  it("runs the inventory checks on the nodes that parsed: an even number of servers, a duplicate name and a bad architecture together", () => {
    const raw = validRaw();
    raw.nodes[1].role = "server";
    raw.nodes[2].name = "server1";
    raw.nodes[2].arch = "aarch64";
    expect(problemsOf(raw)).toEqual([
      'homelab:nodes[2].arch: expected "amd64" or "arm64", got the string "aarch64"; aarch64 is called "arm64" here, as in Kubernetes and K3s',
      'homelab:nodes[2].name: duplicate node name "server1" (also nodes[0])',
      "homelab:nodes: 2 servers cannot keep etcd quorum through a failure; use an odd number (1 or 3)",
    ]);
  });

  it("does not guess from a value that has a problem of its own", () => {
    const raw = validRaw();
    raw.nodes[0].role = "master"; // the only server: no "no server" problem while its role is unreadable
    raw.nodes[1].gpu = { vendor: "amd", count: 2 }; // its GPU taint is not "without a gpu block"
    raw.nodes[2].nodeIp = "10.42.0.300"; // neither inside nor outside the pod network
    raw.ai = { accelerator: "nvidia" }; // GPUs unknown while a gpu block is broken
    raw.k3s.clusterCidr = "10.42.0.0/16";
    raw.k3s.installerSha256 = { [raw.k3s.version]: "B".repeat(64) }; // pinned, if badly: not "unpinned"
    expect(problemsOf(raw)).toEqual([
      'homelab:nodes[0].role: expected "server" or "agent", got the string "master"; K3s calls a control-plane node "server"',
      'homelab:nodes[1].gpu.vendor: expected "nvidia", got the string "amd"; the GPU layer supports NVIDIA GPUs only',
      'homelab:nodes[2].nodeIp: expected an IPv4 or IPv6 address, got the string "10.42.0.300"',
      `homelab:k3s.installerSha256.v1.36.3+k3s1: expected a sha256 digest: 64 lowercase hex digits (sha256sum install.sh), got a 64-character string starting "${"B".repeat(24)}"`,
    ]);
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
      'homelab:nodes[0].lables: unknown key (it would be ignored); did you mean "labels"?',
      'homelab:observability.prometheus.retension: unknown key (it would be ignored); did you mean "retention"?',
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
    // node-restriction.kubernetes.io/ labels are fine: the program sets them as admin, not the kubelet.
    raw.nodes[2].labels = { "node-role.kubernetes.io/worker": "true", "node.kubernetes.io/instance-type": "pi4", "node-restriction.kubernetes.io/zone": "attic" };
    const problems = problemsOf(raw);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^homelab:nodes\[2\]\.labels\.node-role\.kubernetes\.io\/worker: the kubelet may not set.*node-restriction\.kubernetes\.io\//);
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

  it("needs declared client hosts before Ollama gets a NodePort", () => {
    const raw = validRaw();
    raw.ai = { ollama: { nodePort: 31434 } };
    expect(problemsOf(raw)).toEqual([expect.stringMatching(/^homelab:ai\.ollama\.nodePort: exposes Ollama, which has no authentication, on the LAN/)]);
    raw.ai.ollama.allowedClients = ["192.168.1.20/32"];
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
      expect.stringMatching(/^homelab:k3s\.etcdSnapshots\.s3\.accessKey: unknown key/),
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
      'homelab:k3s.tlsSans[2]: expected a DNS name or IP address, got the string "bad_name"',
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
    delete raw.network; // every node has an IP now; network.nodeCidrs has its own test
    expect(problemsOf(raw)).toEqual([
      "homelab:nodes[1].nodeIp: duplicate node IP 192.168.1.10 (also nodes[0].nodeIp); every node needs its own address",
      "homelab:nodes[2].nodeIp: an IPv6 node IP in a cluster whose k3s.clusterCidr (10.42.0.0/16) is IPv4; use the node's IPv4 address",
    ]);
    const lan = validRaw();
    lan.k3s.clusterCidr = "10.0.0.0/16"; // the LAN the GPU node's SSH address (10.0.0.12) is on
    lan.k3s.serviceCidr = "10.0.128.0/17";
    lan.nodes[0].nodeIp = "10.0.200.5";
    lan.nodes[2].host = "10.1.0.3";
    delete lan.network;
    expect(problemsOf(lan)).toEqual([
      "homelab:nodes[0].nodeIp: 10.0.200.5 is inside k3s.clusterCidr (10.0.0.0/16); pod and service networks must not overlap the LAN, change k3s.clusterCidr",
      "homelab:nodes[0].nodeIp: 10.0.200.5 is inside k3s.serviceCidr (10.0.128.0/17); pod and service networks must not overlap the LAN, change k3s.serviceCidr",
      "homelab:nodes[1].host: 10.0.0.12 is inside k3s.clusterCidr (10.0.0.0/16); pod and service networks must not overlap the LAN, change k3s.clusterCidr",
      "homelab:k3s.serviceCidr: 10.0.128.0/17 overlaps k3s.clusterCidr (10.0.0.0/16); pods and services need separate networks",
    ]);
  });

  it("needs the nodes' network when a node is reached by name, and checks it against the inventory", () => {
    const named = validRaw();
    delete named.network;
    expect(problemsOf(named)).toEqual([
      "homelab:network.nodeCidrs: is required: server1, pi1 are reached by hostname with no nodeIp, so the NetworkPolicies that let pods reach the API server and the kubelets cannot name their addresses; set it to the network(s) the nodes' addresses are in, e.g. [192.168.1.0/24]",
    ]);
    // With an address for every node, each is named instead.
    named.nodes[0].nodeIp = "10.0.0.11";
    named.nodes[2].host = "10.0.0.13";
    expect(problemsOf(named)).toEqual([]);

    const wrong = validRaw();
    wrong.network.nodeCidrs = ["10.0.0.7/24", "0.0.0.0/0", "10.42.0.0/24", "fd00::/64"];
    expect(problemsOf(wrong)).toEqual([
      "homelab:network.nodeCidrs[0]: 10.0.0.7/24 has host bits set; NetworkPolicies take the network address: did you mean 10.0.0.0/24?",
      "homelab:network.nodeCidrs[1]: a /0 would let every pod with an API server or kubelet rule reach those ports on any address; name the nodes' LAN",
      "homelab:network.nodeCidrs[1]: 0.0.0.0/0 overlaps k3s.clusterCidr (10.42.0.0/16); the nodes' network is the LAN, not a cluster network",
      "homelab:network.nodeCidrs[1]: 0.0.0.0/0 overlaps k3s.serviceCidr (10.43.0.0/16); the nodes' network is the LAN, not a cluster network",
      "homelab:network.nodeCidrs[2]: 10.42.0.0/24 overlaps k3s.clusterCidr (10.42.0.0/16); the nodes' network is the LAN, not a cluster network",
      "homelab:network.nodeCidrs[3]: an IPv6 network in a cluster whose k3s.clusterCidr (10.42.0.0/16) is IPv4",
    ]);

    const outside = validRaw();
    outside.nodes[0].nodeIp = "192.168.5.20";
    expect(problemsOf(outside)).toEqual([
      "homelab:nodes[0].nodeIp: 192.168.5.20 is outside homelab:network.nodeCidrs (10.0.0.0/24); pods could not reach this node's API server or kubelet: add its network there",
    ]);
    outside.network.nodeCidrs.push("192.168.5.0/24");
    expect(problemsOf(outside)).toEqual([]);
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

describe("homelab:ingress", () => {
  const withIngress = (ingress: Record<string, unknown>): Record<string, any> => ({ ...validRaw(), ingress });

  it("is optional; declared, it defaults to ai.<domain> and grafana.<domain>, the private networks, the lab's CA", () => {
    expect(parseSettings(validRaw()).ingress).toBeUndefined();
    const ingress = parseSettings(withIngress({ domain: "lab.home.arpa" })).ingress!;
    expect(ingress).toEqual({ domain: "lab.home.arpa", hosts: {}, allowedCidrs: [...PRIVATE_NETWORKS] });
    expect(ingressHosts(ingress)).toEqual({ openWebui: "ai.lab.home.arpa", grafana: "grafana.lab.home.arpa" });
    expect(ingressHosts({ domain: "lab.home.arpa", hosts: { grafana: "dash.lab.home.arpa" } }).grafana).toBe("dash.lab.home.arpa");
  });

  it("refuses a malformed domain, hosts outside it or shared, and unknown services", () => {
    expect(problemsOf(withIngress({ domain: "*.lab.home.arpa" }))).toEqual([
      "homelab:ingress.domain: expected a lowercase DNS name of two or more labels, such as lab.home.arpa (no wildcard, no trailing dot)",
    ]);
    expect(problemsOf(withIngress({ domain: "Lab.Home.Arpa" }))).toHaveLength(1);
    expect(problemsOf(withIngress({ domain: "lab.home.arpa", hosts: { openWebui: "ai.example.org", grafana: "x.lab.home.arpa", ollama: "o.lab.home.arpa" } }))).toEqual([
      "homelab:ingress.hosts.ollama: unknown key (it would be ignored); it belongs in another block: homelab:ai.ollama",
    ]);
    expect(problemsOf(withIngress({ domain: "lab.home.arpa", hosts: { openWebui: "ai.example.org", grafana: "grafana.lab.home.arpa.evil.org" } }))).toEqual([
      "homelab:ingress.hosts.openWebui: ai.example.org is not under ingress.domain (lab.home.arpa); the lab's CA signs names under that domain only, so use a name ending in .lab.home.arpa",
      "homelab:ingress.hosts.grafana: grafana.lab.home.arpa.evil.org is not under ingress.domain (lab.home.arpa); the lab's CA signs names under that domain only, so use a name ending in .lab.home.arpa",
    ]);
    expect(problemsOf(withIngress({ domain: "lab.home.arpa", hosts: { grafana: "ai.lab.home.arpa" } }))).toEqual([
      "homelab:ingress.hosts.grafana: ai.lab.home.arpa is also openWebui's host name; every web interface needs its own",
    ]);
  });

  it("needs K3s's packaged Traefik off and ServiceLB on", () => {
    const raw = withIngress({ domain: "lab.home.arpa" });
    raw.k3s.disable = ["servicelb"];
    expect(problemsOf(raw)).toEqual([
      "homelab:k3s.disable: K3s's packaged Traefik would compete with the ingress layer's own controller for ports 80 and 443; keep traefik in k3s.disable while homelab:ingress is set",
      "homelab:k3s.disable[0]: the ingress controller's LoadBalancer Service is served by K3s ServiceLB, which k3s.disable removes (it would stay Pending); keep servicelb while homelab:ingress is set",
    ]);
  });

  it("takes ACME DNS-01 through a provider it implements, for a public domain only", () => {
    const acme = { email: "ops@example.org", dns01: { provider: "cloudflare" } };
    const settings = parseSettings(withIngress({ domain: "lab.example.org", acme }));
    expect(settings.ingress?.acme).toEqual({ ...acme, server: "https://acme-v02.api.letsencrypt.org/directory" });
    expect(problemsOf(withIngress({ domain: "lab.home.arpa", acme }))).toEqual([
      "homelab:ingress.acme: lab.home.arpa is reserved for private use, and ACME CAs issue certificates for public domains only; remove ingress.acme to use the lab's own CA, or set ingress.domain to a domain you own",
    ]);
    expect(problemsOf(withIngress({ domain: "lab.example.org", acme: { ...acme, dns01: { provider: "route53" } } }))).toEqual([
      'homelab:ingress.acme.dns01.provider: expected a DNS-01 provider this program implements: "cloudflare"',
    ]);
    expect(problemsOf(withIngress({ domain: "lab.example.org", acme: { ...acme, email: "ops" } }))).toEqual([
      "homelab:ingress.acme.email: expected the email address the ACME account is registered with (expiry notices go there)",
    ]);
  });
});

describe("settings only a deploy would have refused", () => {
  it("keeps Loki's retention at 24h or more", () => {
    const raw = validRaw();
    raw.observability = { loki: { retention: "12h" } };
    expect(problemsOf(raw)).toEqual(["homelab:observability.loki.retention: must be at least 24h (got 12h): Loki's compactor keeps logs by the day"]);
    raw.observability = { loki: { retention: "1d" } };
    expect(problemsOf(raw)).toEqual([]);
  });

  it("refuses database names whose owner Secret Kubernetes would refuse, and the same database twice", () => {
    const raw = validRaw();
    raw.database = { databases: ["openwebui", "_scratch", "a".repeat(58), "openwebui"] };
    expect(problemsOf(raw)).toEqual([
      expect.stringMatching(/^homelab:database\.databases\[1\]: expected a database name: a lowercase letter, then .*, got the string "_scratch"$/),
      expect.stringMatching(/^homelab:database\.databases\[2\]: expected a database name: .* 57 characters at most, got the string "a{58}"$/),
      'homelab:database.databases[3]: duplicate database "openwebui" (also databases[0])',
    ]);
  });

  it.each(["on", "no", "0123", "42", "0x1f"])("refuses the cluster name %j, which the kubeconfig's YAML 1.1 reader takes for a boolean or number", (name) => {
    const raw = validRaw();
    raw.k3s.clusterName = name;
    expect(problemsOf(raw)).toEqual([`homelab:k3s.clusterName: "${name}" is read as a boolean or number by the YAML 1.1 parser that reads the kubeconfig; add a word (e.g. "lab-${name}")`]);
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
    expect(secretPresenceProblems(withS3(), new Set(["sshPrivateKey", "etcdS3AccessKeyId"])).map((p) => p.path)).toEqual(["homelab:etcdS3SecretAccessKey"]);
    expect(secretPresenceProblems(withS3(), new Set(["sshPrivateKey", "etcdS3AccessKeyId", "etcdS3SecretAccessKey"]))).toEqual([]);
  });

  it("needs the Cloudflare API token when ACME DNS-01 goes through Cloudflare", () => {
    const settings = parseSettings({ ...validRaw(), ingress: { domain: "lab.example.org", acme: { email: "ops@example.org", dns01: { provider: "cloudflare" } } } });
    expect(secretPresenceProblems(settings, new Set(["sshPrivateKey"]))).toEqual([
      { path: "homelab:acmeCloudflareApiToken", message: expect.stringContaining("is required because homelab:ingress.acme.dns01.provider is set") },
    ]);
    expect(secretPresenceProblems(settings, new Set(["sshPrivateKey", "acmeCloudflareApiToken"]))).toEqual([]);
  });

  it("asks for nothing without S3", () => {
    expect(secretPresenceProblems(parseSettings(validRaw()), new Set(["sshPrivateKey"]))).toEqual([]);
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

describe("K3s installer pins", () => {
  it("refuses pins that leave the configured release unpinned, and accepts one that covers it", () => {
    const raw = validRaw();
    raw.k3s.installerSha256 = { "v1.36.2+k3s1": "a".repeat(64) };
    expect(problemsOf(raw)).toEqual([expect.stringMatching(/^homelab:k3s\.installerSha256: pins the installer of v1\.36\.2\+k3s1 but not of k3s\.version v1\.36\.3\+k3s1; add its sha256 \(curl -sfL https:\/\/raw\.githubusercontent\.com\/k3s-io\/k3s\/v1\.36\.3%2Bk3s1\/install\.sh \| sha256sum\)$/)]);
    raw.k3s.installerSha256["v1.36.3+k3s1"] = "b".repeat(64);
    expect(problemsOf(raw)).toEqual([]);
    raw.k3s.installerSha256["v1.36.3+k3s1"] = "B".repeat(64);
    expect(problemsOf(raw)[0]).toMatch(/installerSha256.*64 lowercase hex digits/);
  });
});

describe("host keys", () => {
  it("refuses an ssh-rsa node key and a truncated bastion key, naming each host in the command to run", () => {
    const raw = validRaw();
    raw.nodes[1].hostKey = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC+CEYME+N3r+yZeLz4P5a8qoMRhlAc0S";
    raw.k3s.bastion = { host: "bastion.home.arpa", user: "jump", hostKey: HOST_KEY.slice(0, -4) };
    expect(problemsOf(raw)).toEqual([
      expect.stringMatching(/^homelab:nodes\[1\]\.hostKey: an ssh-rsa host key cannot be pinned: .* ssh-keyscan -t ed25519 10\.0\.0\.12$/),
      "homelab:k3s.bastion.hostKey: the key data ends early (truncated when copied?); copy it again from ssh-keyscan -t ed25519 bastion.home.arpa",
    ]);
  });
});

describe("what a refused value is told", () => {
  const set = (edit: (raw: Record<string, any>) => void) => {
    const raw = validRaw();
    edit(raw);
    return problemsOf(raw);
  };

  it.each([
    ["a quoted boolean", (r: any) => { r.k3s.secretsEncryption = "true"; }, 'homelab:k3s.secretsEncryption: expected true or false, got the string "true"; remove the quotes (a quoted true or false is a string)'],
    ["a YAML 1.1 boolean", (r: any) => { r.gpu = { profilingMetrics: "yes" }; }, 'homelab:gpu.profilingMetrics: expected true or false, got the string "yes"; write true or false (YAML 1.2 reads yes as a string)'],
    ["a quoted number", (r: any) => { r.database = { instances: "3" }; }, 'homelab:database.instances: expected a whole number from 1 to 9, got the string "3"; remove the quotes (a quoted number is a string)'],
    ["a fraction", (r: any) => { r.k3s.agentUpgradeWaves = 2.5; }, "homelab:k3s.agentUpgradeWaves: expected a whole number from 1 to 20, got the number 2.5"],
    ["a number below the bound", (r: any) => { r.aws.recoveryWindowDays = 3; }, "homelab:aws.recoveryWindowDays: must be between 7 and 30 (got 3), the window AWS Secrets Manager allows"],
    ["a negative count", (r: any) => { r.database = { poolerInstances: -1 }; }, "homelab:database.poolerInstances: must be between 0 and 5 (got -1); 0 turns the pooler off"],
    ["a container port as NodePort", (r: any) => { r.ai = { ollama: { nodePort: 11434 }, lanExposure: { allowedCidrs: ["192.168.1.0/24"] } }; },
      "homelab:ai.ollama.nodePort: must be between 30000 and 32767 (got 11434), the NodePort range (Ollama itself listens on 11434; the reference lab exposes 31434)"],
    ["an architecture by its kernel name", (r: any) => { r.nodes[0].arch = "x86_64"; }, 'homelab:nodes[0].arch: expected "amd64" or "arm64", got the string "x86_64"; x86_64 is called "amd64" here, as in Kubernetes and K3s'],
    ["a role by another distribution's name", (r: any) => { r.nodes[1].role = "worker"; }, 'homelab:nodes[1].role: expected "server" or "agent", got the string "worker"; K3s calls a worker "agent"'],
    ["a near miss of an allowed value", (r: any) => { r.ai = { whisper: { model: "tiny_int8" } }; }, expect.stringMatching(/^homelab:ai\.whisper\.model: expected "tiny", .*, got the string "tiny_int8"; did you mean "tiny-int8"\?$/)],
    ["a number where text is expected", (r: any) => { r.nodes[0].user = 1000; }, 'homelab:nodes[0].user: expected a Unix user name (lowercase letters, digits, \'_\' and \'-\'), got the number 1000; quote it ("1000") if you meant the text'],
    ["an empty value", (r: any) => { r.nodes[0].host = null; }, "homelab:nodes[0].host: expected an IP address or hostname, got an empty value"],
    ["a missing value", (r: any) => { delete r.nodes[0].user; }, "homelab:nodes[0].user: is required; expected a Unix user name (lowercase letters, digits, '_' and '-')"],
    ["a list where a block is expected", (r: any) => { r.storage = ["nfs-csi-v2"]; }, "homelab:storage: expected a block of settings (key: value), got a list"],
    ["an NFS version that does not exist", (r: any) => { r.storage = { nfsVersion: 4 }; }, 'homelab:storage.nfsVersion: expected "4.1" or "4.2", got the string "4"'],
    ["a private key pasted as a host key", (r: any) => { r.nodes[0].hostKey = 42; }, 'homelab:nodes[0].hostKey: expected an SSH public host key line such as "ssh-ed25519 AAAA...", got the number 42; quote it ("42") if you meant the text'],
    ["a label key the API refuses", (r: any) => { r.nodes[0].labels = { "Bad Key!": "x" }; }, 'homelab:nodes[0].labels.Bad Key!: expected a Kubernetes label key, got the string "Bad Key!"'],
  ])("%s", (_, edit, expected) => {
    expect(set(edit)).toEqual([expected]);
  });

  it("accepts the NFS version written unquoted, as a number", () => {
    for (const version of [4.1, 4.2, "4.2"]) {
      const raw = validRaw();
      raw.storage = { nfsVersion: version };
      expect(parseSettings(raw).storage.nfsVersion).toBe(String(version));
    }
  });

  it("never echoes a long value or a private key", () => {
    const raw = validRaw();
    raw.nodes[0].user = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----";
    raw.nodes[1].user = "X".repeat(200);
    const [first, second] = problemsOf(raw);
    expect(first).toContain("got a private key (it belongs in the secret homelab:sshPrivateKey, never in a setting)");
    expect(first).not.toContain("b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ");
    expect(second).toContain('got a 200-character string starting "XXXXXXXXXXXXXXXXXXXXXXXX"');
  });
});

describe("unknown keys", () => {
  it.each([
    ["a misspelt block", { databse: { instances: 3 } }, 'homelab:databse: unknown key (it would be ignored); did you mean homelab:database?'],
    ["a plural block name", { gpus: {} }, "homelab:gpus: unknown key (it would be ignored); did you mean homelab:gpu?"],
    ["a misspelt secret key", { sshPrivatekey: "x" }, "homelab:sshPrivatekey: unknown key (it would be ignored); did you mean homelab:sshPrivateKey?"],
    ["a block's key at the top level", { lanExposure: { allowedCidrs: ["192.168.1.0/24"] } }, "homelab:lanExposure: unknown key (it would be ignored); it belongs in another block: homelab:ai.lanExposure"],
    ["a key with no likely place", { frobnicate: 1 }, "homelab:frobnicate: unknown key (it would be ignored); expected one of nodes, k3s, ssh, aws, storage, gpu, database, observability, ai, network, ingress, backups, nfsServer, nfsShareGeneral, nfsSharePostgres, nfsShareBackup, sshPrivateKey, alertWebhookUrl, etcdS3AccessKeyId, etcdS3SecretAccessKey, acmeCloudflareApiToken"],
  ])("%s", (_, extra, expected) => {
    expect(problemsOf({ ...validRaw(), ...extra })).toEqual([expected]);
  });

  it("points a key one level too high to the block it belongs in", () => {
    const raw = validRaw();
    raw.nodes[1].vendor = "nvidia";
    raw.ai = { models: ["llama3.2:3b"] };
    expect(problemsOf(raw)).toEqual([
      "homelab:nodes[1].vendor: unknown key (it would be ignored); it belongs in another block: homelab:nodes[1].gpu.vendor",
      "homelab:ai.models: unknown key (it would be ignored); it belongs in another block: homelab:ai.ollama.models",
    ]);
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
