import * as YAML from "yaml";
import {
  agentsOf, configDigest, joinUrl, k3sConfig, k3sConfigYaml, nodePaths, registriesYaml, rewriteKubeconfig, upgradeOrder,
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

  it("has no cluster-init with a single server", () => {
    const single = [node("only", "server"), node("a", "agent")];
    expect(k3sConfig(single[0], single, k3s)["cluster-init"]).toBeUndefined();
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
    expect(s1.disable).toEqual(["traefik", "servicelb"]);
    expect(s1["secrets-encryption"]).toBe(true);
  });

  it("gives agents only agent keys, the token as a file, and their taints", () => {
    const gpu = k3sConfig(nodes[3], nodes, k3s);
    expect(Object.keys(gpu).sort()).toEqual(["node-label", "node-name", "node-taint", "server", "token-file"]);
    expect(gpu["token-file"]).toBe("/etc/rancher/k3s/cluster-token");
    expect(gpu["node-taint"]).toEqual(["nvidia.com/gpu=present:NoSchedule"]);
    expect(gpu.server).toBe(joinUrl(nodes));
  });

  it("never contains a token value and renders YAML K3s can read", () => {
    const text = k3sConfigYaml(nodes[1], nodes, k3s);
    expect(text).not.toMatch(/^token:/m);
    expect(YAML.parse(text)["token-file"]).toBe("/etc/rancher/k3s/cluster-token");
  });

  it("puts the token file under the root prefix used by tests", () => {
    expect(k3sConfig(nodes[4], nodes, k3s, nodePaths("/tmp/x"))["token-file"]).toBe("/tmp/x/etc/rancher/k3s/cluster-token");
  });

  it("refuses an inventory without a server", () => {
    expect(() => k3sConfig(nodes[3], agentsOf(nodes), k3s)).toThrow(/no server/);
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

describe("upgrade order", () => {
  it("is every server one at a time in inventory order, then the agents, each drained and uncordoned", () => {
    const nodes = [node("a1", "agent"), node("s1", "server"), node("a2", "agent"), node("s2", "server")];
    expect(upgradeOrder(nodes).map((s) => s.node)).toEqual(["s1", "s2", "a1", "a2"]);
    expect(upgradeOrder(nodes).every((s) => s.drain && s.uncordon)).toBe(true);
  });

  it("never puts an agent before a server (any inventory)", () => {
    const roles = ["server", "agent"] as const;
    for (let mask = 0; mask < 64; mask++) {
      const nodes = Array.from({ length: 6 }, (_, i) => node(`n${i}`, roles[(mask >> i) & 1]));
      const order = upgradeOrder(nodes).map((s) => s.role);
      expect(order.indexOf("agent") === -1 || order.lastIndexOf("server") < order.indexOf("agent")).toBe(true);
      expect(order).toHaveLength(6);
    }
  });
});

describe("kubeconfig rewrite", () => {
  const raw = `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: Q0E=
    server: https://127.0.0.1:6443
  name: default
contexts:
- context:
    cluster: default
    user: default
  name: default
current-context: default
kind: Config
preferences: {}
users:
- name: default
  user:
    client-certificate-data: Q0VSVA==
    client-key-data: S0VZ
`;

  it("points at the API endpoint and names everything after the cluster, keeping credentials", () => {
    const doc = YAML.parse(rewriteKubeconfig(raw, "k3s.home.arpa", "lab"));
    expect(doc.clusters[0]).toEqual({ name: "lab", cluster: { "certificate-authority-data": "Q0E=", server: "https://k3s.home.arpa:6443" } });
    expect(doc.contexts[0]).toEqual({ name: "lab", context: { cluster: "lab", user: "lab" } });
    expect(doc.users[0].name).toBe("lab");
    expect(doc.users[0].user["client-key-data"]).toBe("S0VZ");
    expect(doc["current-context"]).toBe("lab");
  });

  it("brackets an IPv6 endpoint and rejects something that is not K3s's kubeconfig", () => {
    expect(YAML.parse(rewriteKubeconfig(raw, "fd00::10", "lab")).clusters[0].cluster.server).toBe("https://[fd00::10]:6443");
    expect(() => rewriteKubeconfig("sudo: a password is required", "k", "lab")).toThrow(/not the single-cluster file/);
  });
});
