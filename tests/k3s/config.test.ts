import * as fc from "fast-check";
import * as YAML from "yaml";
import {
  agentsOf, auditPolicyYaml, configDigest, disabledComponents, etcdS3CredentialsDigest, etcdS3CredentialsYaml, joinUrl, k3sConfig, k3sConfigYaml,
  nodePaths, registriesYaml, upgradePlan, waitReadyScript,
} from "../../components/k3s";
import { haInventory, node, settings } from "./fixtures";

describe("K3s config.yaml", () => {
  const nodes = haInventory();
  const k3s = settings({ tlsSans: ["192.168.1.250"], disable: ["traefik", "servicelb"] });

  it("initialises embedded etcd on the first of several servers, which joins nothing", () => {
    const c = k3sConfig(nodes[0], nodes, k3s);
    expect(c["cluster-init"]).toBe(true);
    expect(c.server).toBeUndefined();
    expect(c["node-ip"]).toBe("10.0.0.11");
    expect(c["flannel-iface"]).toBe("enp3s0");
    expect(c["node-label"]).toEqual(["homelab.dev/class=mini-pc"]);
  });

  it("initialises embedded etcd on a single server too, so scheduled snapshots are taken", () => {
    const single = [node("only", "server"), node("a", "agent")];
    const server = k3sConfig(single[0], single, k3s);
    expect(server["cluster-init"]).toBe(true);
    expect(server["etcd-snapshot-schedule-cron"]).toBe("30 2 * * *");
    expect(k3sConfig(single[1], single, k3s)["cluster-init"]).toBeUndefined();
    expect(k3sConfig(single[1], single, k3s).server).toBe("https://only.home.arpa:6443");
  });

  it("joins further servers through the first server's node IP, with the same cluster-wide settings", () => {
    const s1 = k3sConfig(nodes[0], nodes, k3s);
    const s2 = k3sConfig(nodes[1], nodes, k3s);
    expect(s2.server).toBe("https://10.0.0.11:6443");
    expect(s2["cluster-init"]).toBeUndefined();
    for (const key of ["cluster-cidr", "service-cidr", "disable", "secrets-encryption", "etcd-snapshot-schedule-cron", "etcd-snapshot-retention"]) {
      expect(s2[key]).toEqual(s1[key]);
    }
    expect(s1["tls-san"]).toEqual(expect.arrayContaining(["k3s.home.arpa", "192.168.1.250"]));
    expect(s2["write-kubeconfig-mode"]).toBe("0600");
    expect(s1["etcd-snapshot-schedule-cron"]).toBe("30 2 * * *");
    expect(s1["etcd-snapshot-retention"]).toBe(30);
    // haInventory has a GPU node, so K3s's packaged RuntimeClasses are disabled as well.
    expect(s1.disable).toEqual(["traefik", "servicelb", "runtimes"]);
    expect(s1["secrets-encryption"]).toBe(true);
  });

  it("gives agents only agent keys, the agent token as a file, and their taints", () => {
    const gpu = k3sConfig(nodes[3], nodes, k3s);
    expect(Object.keys(gpu).sort()).toEqual(["node-label", "node-name", "node-taint", "server", "token-file"]);
    // Agents join with the agent token, which joins agents only; never with the server token.
    expect(gpu["token-file"]).toBe("/etc/rancher/k3s/agent-token");
    expect(gpu["node-taint"]).toEqual(["nvidia.com/gpu=present:NoSchedule"]);
    expect(gpu.server).toBe(joinUrl(nodes));
  });

  it("never contains a token value and renders YAML K3s can read", () => {
    const text = k3sConfigYaml(nodes[1], nodes, k3s);
    expect(text).not.toMatch(/^(agent-)?token:/m);
    expect(YAML.parse(text)["token-file"]).toBe("/etc/rancher/k3s/cluster-token");
    // Every server checks agents against the same agent token (a value K3s requires to match on all servers).
    expect(YAML.parse(text)["agent-token-file"]).toBe("/etc/rancher/k3s/agent-token");
  });

  it("puts the token file under the root prefix used by tests", () => {
    expect(k3sConfig(nodes[4], nodes, k3s, nodePaths("/tmp/x"))["token-file"]).toBe("/tmp/x/etc/rancher/k3s/agent-token");
    expect(k3sConfig(nodes[0], nodes, k3s, nodePaths("/tmp/x"))["token-file"]).toBe("/tmp/x/etc/rancher/k3s/cluster-token");
  });

  it("disables K3s's packaged runtimes (RuntimeClass nvidia) on servers only when there are GPU nodes", () => {
    const cpuOnly = [node("s", "server"), node("a", "agent")];
    expect(k3sConfig(cpuOnly[0], cpuOnly, k3s).disable).toEqual(["traefik", "servicelb"]);
    expect(disabledComponents(nodes, settings({ disable: [] }))).toEqual(["runtimes"]);
    expect(disabledComponents(nodes, settings({ disable: ["runtimes", "traefik"] }))).toEqual(["runtimes", "traefik"]);
    expect(disabledComponents(cpuOnly, settings({ disable: [] }))).toEqual([]);
    // A gpu block with count 0 is not a GPU node (the config refuses it anyway).
    const zero = [node("s", "server"), node("g", "agent", { gpu: { vendor: "nvidia", count: 0 } })];
    expect(disabledComponents(zero, settings())).toEqual(["traefik"]);
    expect(k3sConfig(nodes[3], nodes, k3s).disable).toBeUndefined();
  });

  it("points servers at S3 for snapshots without any credential in config.yaml", () => {
    const s3k3s = settings({ etcdSnapshots: { s3: { bucket: "lab-etcd", region: "eu-west-1", folder: "k3s/staging" } } });
    for (const server of nodes.slice(0, 3)) {
      const c = k3sConfig(server, nodes, s3k3s);
      expect(c).toMatchObject({
        "etcd-s3": true, "etcd-s3-bucket": "lab-etcd", "etcd-s3-region": "eu-west-1",
        "etcd-s3-folder": "k3s/staging", "etcd-s3-endpoint": "s3.eu-west-1.amazonaws.com",
      });
      expect(Object.keys(c).filter((k) => /access|secret-key/.test(k))).toEqual([]);
    }
    expect(Object.keys(k3sConfig(nodes[5], nodes, s3k3s)).filter((k) => k.startsWith("etcd"))).toEqual([]);
    const minio = settings({ etcdSnapshots: { s3: { bucket: "etcd", region: "us-east-1", endpoint: "minio.home.arpa:9000" } } });
    const c = k3sConfig(nodes[0], nodes, minio);
    expect(c["etcd-s3-endpoint"]).toBe("minio.home.arpa:9000");
    expect(c["etcd-s3-folder"]).toBeUndefined();
    expect(k3sConfig(nodes[0], nodes, k3s)["etcd-s3"]).toBeUndefined();
  });

  it("refuses an inventory without a server", () => {
    expect(() => k3sConfig(nodes[3], agentsOf(nodes), k3s)).toThrow(/no server/);
  });
});

describe("files K3s reads with a YAML 1.1 parser (gopkg.in/yaml.v2)", () => {
  // YAML 1.1 reads a plain on, no, y or 0123 as a boolean or a number; every string is quoted.
  const yaml11 = (text: string) => YAML.parse(text, { version: "1.1" });

  it("config.yaml: names, interfaces, labels and schedules reach K3s as the strings they are", () => {
    const nodes = [
      node("on", "server", { flannelIface: "no", labels: { "homelab.dev/gpu": "off" } }),
      node("0123", "agent", { taints: ["dedicated=y:NoSchedule"] }),
    ];
    const k3s = settings({ apiEndpoint: "yes", etcdSnapshots: { schedule: "0 2 * * 0" } });
    expect(yaml11(k3sConfigYaml(nodes[0], nodes, k3s))).toMatchObject({
      "node-name": "on", "flannel-iface": "no", "node-label": ["homelab.dev/gpu=off"], "tls-san": ["yes", "on.home.arpa"],
      "etcd-snapshot-schedule-cron": "0 2 * * 0", "cluster-init": true, "etcd-snapshot-retention": 30,
    });
    expect(yaml11(k3sConfigYaml(nodes[1], nodes, k3s))).toMatchObject({ "node-name": "0123", "node-taint": ["dedicated=y:NoSchedule"] });
  });

  it("registries.yaml and the credentials drop-in: registry hosts and keys too", () => {
    expect(yaml11(registriesYaml(settings({ registryMirrors: { on: { endpoints: ["https://mirror.lan:5000"] } } }))!))
      .toEqual({ mirrors: { on: { endpoint: ["https://mirror.lan:5000"] } } });
    expect(yaml11(etcdS3CredentialsYaml({ accessKeyId: "0123", secretAccessKey: "yes" })))
      .toEqual({ "etcd-s3-access-key": "0123", "etcd-s3-secret-key": "yes" });
  });
});

describe("registries.yaml", () => {
  it("is absent without mirrors and lists endpoints per registry otherwise", () => {
    expect(registriesYaml(settings())).toBeUndefined();
    const text = registriesYaml(settings({ registryMirrors: { "docker.io": { endpoints: ["https://mirror.lan:5000"] } } }))!;
    expect(YAML.parse(text)).toEqual({ mirrors: { "docker.io": { endpoint: ["https://mirror.lan:5000"] } } });
  });

  it("changes the config digest when mirrors change", () => {
    expect(configDigest("a", undefined)).not.toBe(configDigest("a", "mirrors: {}"));
    expect(configDigest("a", undefined)).toBe(configDigest("a", undefined));
  });
});

describe("etcd S3 credentials drop-in", () => {
  const creds = { accessKeyId: "AKIAEXAMPLE0123456789", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };

  it("holds exactly the two K3s keys, as YAML K3s reads", () => {
    const text = etcdS3CredentialsYaml(creds);
    expect(YAML.parse(text)).toEqual({ "etcd-s3-access-key": creds.accessKeyId, "etcd-s3-secret-key": creds.secretAccessKey });
    expect(text).toMatch(/^etcd-s3-access-key: /m);
    expect(text).toMatch(/^etcd-s3-secret-key: /m);
  });

  it("quotes values YAML would otherwise reinterpret", () => {
    const odd = { accessKeyId: "0123", secretAccessKey: "true" };
    expect(YAML.parse(etcdS3CredentialsYaml(odd))).toEqual({ "etcd-s3-access-key": "0123", "etcd-s3-secret-key": "true" });
  });

  it("refuses empty or multi-line values without echoing them", () => {
    expect(() => etcdS3CredentialsYaml({ ...creds, accessKeyId: "" })).toThrow(/no access key ID/);
    let message = "";
    try { etcdS3CredentialsYaml({ ...creds, secretAccessKey: "line1\nsneaky: key" }); } catch (err) { message = String(err); }
    expect(message).toMatch(/secret access key contains whitespace/);
    expect(message).not.toContain("sneaky");
  });

  it("has a digest that changes with either credential and never contains them", () => {
    const d = etcdS3CredentialsDigest(etcdS3CredentialsYaml(creds));
    expect(d).toMatch(/^[0-9a-f]{64}$/);
    expect(etcdS3CredentialsDigest(etcdS3CredentialsYaml({ ...creds, secretAccessKey: "other" }))).not.toBe(d);
    expect(etcdS3CredentialsDigest(etcdS3CredentialsYaml({ ...creds, accessKeyId: "AKIAOTHER" }))).not.toBe(d);
  });
});

describe("upgrade plan", () => {
  const names = (plan: ReturnType<typeof upgradePlan>) => plan.map((stage) => stage.map((s) => s.node));

  it("upgrades servers one per stage in inventory order, then agents in round-robin waves", () => {
    const nodes = [
      node("a1", "agent"), node("s1", "server"), node("a2", "agent"), node("s2", "server"),
      node("a3", "agent"), node("a4", "agent"), node("a5", "agent"),
    ];
    expect(names(upgradePlan(nodes, 2))).toEqual([["s1"], ["s2"], ["a1", "a3", "a5"], ["a2", "a4"]]);
    expect(names(upgradePlan(nodes, 1))).toEqual([["s1"], ["s2"], ["a1", "a2", "a3", "a4", "a5"]]);
    // More waves than agents: one agent per wave, never an empty wave.
    expect(names(upgradePlan(nodes, 20))).toEqual([["s1"], ["s2"], ["a1"], ["a2"], ["a3"], ["a4"], ["a5"]]);
    expect(upgradePlan(nodes, 2).flat().every((s) => s.drain && s.uncordon)).toBe(true);
  });

  it("has only server stages without agents, and refuses a wave count below one", () => {
    expect(names(upgradePlan([node("s1", "server")], 4))).toEqual([["s1"]]);
    expect(() => upgradePlan([node("s1", "server")], 0)).toThrow(/at least 1/);
  });

  it("for any inventory: every node once, servers first and alone, waves balanced, servers + min(W, agents) stages", () => {
    const inventory = fc.array(fc.constantFrom("server" as const, "agent" as const), { minLength: 1, maxLength: 60 })
      .map((roles) => roles.map((role, i) => node(`n${i}`, role)));
    fc.assert(fc.property(inventory, fc.integer({ min: 1, max: 20 }), (nodes, waves) => {
      const plan = upgradePlan(nodes, waves);
      const servers = nodes.filter((n) => n.role === "server");
      const agents = nodes.filter((n) => n.role === "agent");
      // Every node exactly once.
      expect(plan.flat().map((s) => s.node).sort()).toEqual(nodes.map((n) => n.name).sort());
      // Servers first, one per stage, in inventory order; no stage mixes roles or is empty.
      expect(plan.slice(0, servers.length).map((stage) => stage.map((s) => s.node))).toEqual(servers.map((s) => [s.name]));
      const agentWaves = plan.slice(servers.length);
      for (const wave of agentWaves) {
        expect(wave.length).toBeGreaterThan(0);
        expect(wave.every((s) => s.role === "agent")).toBe(true);
      }
      // Waves balanced within one node, and the chain does not grow with the number of agents.
      const sizes = agentWaves.map((w) => w.length);
      if (sizes.length) expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      expect(agentWaves).toHaveLength(Math.min(waves, agents.length));
      expect(plan).toHaveLength(servers.length + Math.min(waves, agents.length));
    }), { numRuns: 300 });
  });
});

describe("admin-only labels", () => {
  const nodes = haInventory();
  it("never hands the kubelet a node-restriction.kubernetes.io/ label (it would refuse to start); the ready step sets them", () => {
    const gpu = { ...nodes[3], labels: { ...nodes[3].labels, "node-restriction.kubernetes.io/rack": "a" } };
    const config = k3sConfig(gpu, nodes, settings());
    expect(config["node-label"]).toEqual(["homelab.dev/class=gpu"]);
    const ready = waitReadyScript(gpu);
    expect(ready).toContain("'node-restriction.kubernetes.io/rack=a'");
    expect(ready).toContain("'node-restriction.kubernetes.io/homelab-gpu=nvidia'");
    expect(waitReadyScript(nodes[5])).not.toContain("homelab-gpu");
  });
});

describe("encryption and audit on servers", () => {
  const nodes = haInventory();
  it("sets the flannel backend and the audit log on servers only, from settings", () => {
    const server = k3sConfig(nodes[0], nodes, settings({ flannelBackend: "wireguard-native", auditLog: { retentionDays: 90 } }));
    expect(server["flannel-backend"]).toBe("wireguard-native");
    expect(server["kube-apiserver-arg"]).toEqual([
      "audit-log-path=/var/lib/rancher/k3s/server/logs/audit.log",
      "audit-policy-file=/etc/rancher/k3s/audit-policy.yaml",
      "audit-log-maxage=90",
      "audit-log-maxbackup=10",
      "audit-log-maxsize=100",
    ]);
    const agent = k3sConfig(nodes[5], nodes, settings({ flannelBackend: "wireguard-native" }));
    expect(agent["flannel-backend"]).toBeUndefined();
    expect(agent["kube-apiserver-arg"]).toBeUndefined();
  });

  it("audits who did what, logs the bodies of changes but never of Secrets, ConfigMaps or tokens", () => {
    const policy = YAML.parse(auditPolicyYaml());
    const rules = policy.rules as { level: string; resources?: { resources: string[] }[]; verbs?: string[] }[];
    const secrets = rules.findIndex((r) => r.resources?.some((g) => g.resources.includes("secrets")));
    const writes = rules.findIndex((r) => r.level === "Request");
    expect(rules[secrets].level).toBe("Metadata");
    expect(secrets).toBeLessThan(writes); // first matching rule wins
    expect(rules[rules.length - 1]).toEqual({ level: "Metadata" });
    expect(rules.some((r) => r.level === "RequestResponse")).toBe(false);
  });

  it("restarts a server when its audit policy changes (it is part of the configuration digest)", () => {
    const config = k3sConfigYaml(nodes[0], nodes, settings());
    expect(configDigest(config, undefined, "a")).not.toBe(configDigest(config, undefined, "b"));
    expect(configDigest(config, undefined)).toBe(configDigest(config, undefined));
  });
});
