// Problems that only show across keys: inventory shape, host keys, addresses, GPU settings, the K3s
// components other settings rely on. They run on whatever parsed (partial.ts), so they are reported
// together with the schema's problems; a check stays quiet when a value it reads has a problem of
// its own, so one mistake is not reported twice or guessed at.
import { isIP } from "node:net";
import { isAdminLabel } from "../node-labels";
import { hostKeyProblem } from "./host-key";
import { ingressHosts } from "./ingress";
import { nodeNetworkProblems } from "./network";
import type { Parts } from "./partial";
import { ConfigProblem, formatPath } from "./problems";
import { restoreSettingProblems } from "./restore";
import type { NodeSpec, RawHomelabSettings } from "./schema";
import * as v from "./validators";

export type SettingsParts = Parts<RawHomelabSettings>;
type NodeParts = Parts<NodeSpec>;

/** Whether the schema found a problem at or below a key path. */
export type HasProblem = (path: readonly PropertyKey[]) => boolean;

export function crossCheck(settings: SettingsParts, hasProblem: HasProblem = () => false, now: Date = new Date()): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const at = (path: PropertyKey[], message: string) => problems.push({ path: formatPath(path), message });
  const nodes: (NodeParts | undefined)[] = Array.isArray(settings.nodes) ? settings.nodes : [];
  const node: NodeAccess = {
    broken: (i, key) => nodes[i] === undefined || hasProblem(["nodes", i, key]),
    field: (i, key) => (node.broken(i, key) ? undefined : nodes[i]?.[key]),
  };
  /** The field of every node, or undefined unless every node has it (or, if optional, may lack it) without problems. */
  const ofEveryNode = <K extends keyof NodeParts>(key: K, optional = false): NodeParts[K][] | undefined => {
    if (!Array.isArray(settings.nodes) || nodes.some((_, i) => node.broken(i, key))) return undefined;
    const values = nodes.map((_, i) => node.field(i, key));
    return optional || values.every((value) => value !== undefined) ? values : undefined;
  };

  checkNodes(nodes.length, node, at);
  checkAddresses(settings, nodes.length, node, at);
  // The nodes' networks are checked against every node's address and the cluster's networks, so
  // only when all of those parsed.
  const networkInputsParsed = !hasProblem(["network"]) && !hasProblem(["nodes"]) && Array.isArray(settings.nodes) &&
    !hasProblem(["k3s", "clusterCidr"]) && !hasProblem(["k3s", "serviceCidr"]) &&
    settings.k3s?.clusterCidr !== undefined && settings.k3s.serviceCidr !== undefined;
  if (networkInputsParsed) {
    for (const problem of nodeNetworkProblems(settings as RawHomelabSettings)) at(problem.path, problem.message);
  }

  const bastion = settings.k3s?.bastion;
  const bastionKeyProblem = typeof bastion?.hostKey === "string" && !hasProblem(["k3s", "bastion", "hostKey"])
    ? hostKeyProblem(bastion.hostKey, hasProblem(["k3s", "bastion", "host"]) ? undefined : bastion.host)
    : undefined;
  if (bastionKeyProblem) at(["k3s", "bastion", "hostKey"], bastionKeyProblem);

  const pins = settings.k3s?.installerSha256;
  const version = settings.k3s?.version;
  if (pins && version !== undefined && !hasProblem(["k3s", "installerSha256"]) && Object.keys(pins).length > 0 && pins[version] === undefined) {
    at(["k3s", "installerSha256"], `pins the installer of ${Object.keys(pins).join(", ")} but not of k3s.version ${version}; add its sha256 (curl -sfL https://raw.githubusercontent.com/k3s-io/k3s/${encodeURIComponent(version)}/install.sh | sha256sum)`);
  }

  // Packaged K3s components that other settings rely on.
  const disable = settings.k3s?.disable ?? [];
  const disabled = (item: string) => disable.indexOf(item as (typeof disable)[number]);
  if (disabled("coredns") !== -1) {
    at(["k3s", "disable", disabled("coredns")], "every layer finds its Services through cluster DNS and this program deploys no other DNS server; keep coredns");
  }
  if (disabled("local-storage") !== -1 && settings.storage?.defaultClass === "local-path") {
    at(["k3s", "disable", disabled("local-storage")], 'removes the local-path StorageClass, which homelab:storage.defaultClass makes the default (claims without a class would stay Pending); keep local-storage or set storage.defaultClass to "nfs-csi-v2"');
  }
  if (disabled("servicelb") !== -1 && settings.ai?.lanExposure?.serviceType === "LoadBalancer") {
    at(["ai", "lanExposure", "serviceType"], 'LoadBalancer Services are served by K3s ServiceLB, which k3s.disable removes (they would stay Pending); keep servicelb or use "NodePort"');
  }

  checkIngress(settings, hasProblem, disabled, at);

  const roles = ofEveryNode("role");
  if (roles && roles.length > 0) {
    const servers = roles.filter((role) => role === "server").length;
    if (servers === 0) at(["nodes"], 'no node has role "server"; the cluster needs one (or three for HA)');
    else if (servers > 1 && servers % 2 === 0) at(["nodes"], `${servers} servers cannot keep etcd quorum through a failure; use an odd number (1 or 3)`);
  }

  const gpus = ofEveryNode("gpu", true);
  const hasGpu = gpus?.some((gpu) => gpu !== undefined && (gpu.count ?? 0) > 0);
  if (hasGpu === false && settings.ai?.accelerator === "nvidia") {
    at(["ai", "accelerator"], '"nvidia" needs at least one node with a gpu block in homelab:nodes');
  }
  if (hasGpu === false && (settings.gpu?.timeSlicingReplicas ?? 1) > 1) {
    at(["gpu", "timeSlicingReplicas"], "a GPU setting in a stack without GPU nodes");
  }

  const piper = settings.ai?.piper;
  if (piper?.minReplicas !== undefined && piper.maxReplicas !== undefined) {
    if (piper.minReplicas > piper.maxReplicas) at(["ai", "piper", "minReplicas"], `must not exceed maxReplicas (${piper.maxReplicas})`);
    if (piper.maxReplicas > piper.minReplicas && disabled("metrics-server") !== -1) {
      at(["ai", "piper", "maxReplicas"], "Piper scales on CPU, which needs metrics-server; keep it out of k3s.disable or set maxReplicas equal to minReplicas");
    }
  }
  const ollama = settings.ai?.ollama;
  if (ollama?.nodePort !== undefined && !(ollama.allowedClients && ollama.allowedClients.length > 0) && !hasProblem(["ai", "ollama", "allowedClients"])) {
    at(["ai", "ollama", "nodePort"], "exposes Ollama, which has no authentication, on the LAN; declare the hosts that may call it in ai.ollama.allowedClients (each a /32), or drop the NodePort and use Open WebUI");
  }
  // A problem anywhere in the block (a misspelt nodePort) would make this a guess: say nothing then.
  if (ollama?.allowedClients !== undefined && ollama.nodePort === undefined && !hasProblem(["ai", "ollama"])) {
    at(["ai", "ollama", "allowedClients"], "admits clients to a NodePort that ai.ollama.nodePort does not declare; set the port or remove the list");
  }
  if (settings.ssh?.agentSocketPath !== undefined && settings.ssh.agent === false) {
    at(["ssh", "agentSocketPath"], "names an agent socket, but ssh.agent is false: set ssh.agent to true to log in through it");
  }
  for (const [identity, generations] of Object.entries(settings.aws?.accessKeyGenerations ?? {})) {
    if (!Array.isArray(generations) || generations.some((g) => g === undefined)) continue;
    const problem = v.accessKeyGenerationsProblem(generations as number[]);
    if (problem) at(["aws", "accessKeyGenerations", identity], problem);
  }
  const seenDatabases = new Map<string, number>();
  settings.database?.databases?.forEach((name, i) => {
    if (name === undefined) return;
    const first = seenDatabases.get(name);
    if (first !== undefined) at(["database", "databases", i], `duplicate database "${name}" (also databases[${first}])`);
    else seenDatabases.set(name, i);
  });
  if (settings.k3s?.etcdSnapshots?.programBucket === true && settings.k3s.etcdSnapshots.s3 !== undefined) {
    at(["k3s", "etcdSnapshots", "programBucket"], "snapshots go to one S3 destination: the program's own bucket (programBucket) or yours (s3); remove one");
  }
  for (const problem of restoreSettingProblems(settings, now)) at(problem.path, problem.message);
  const instances = settings.database?.instances;
  if (instances !== undefined && Array.isArray(settings.nodes) && instances > settings.nodes.length) {
    at(["database", "instances"], `${instances} instances with anti-affinity need at least ${instances} nodes; the inventory has ${settings.nodes.length}`);
  }
  return problems;
}

/** A node's fields: `field` is undefined when the field is absent or `broken` (has a problem of its own). */
interface NodeAccess {
  broken: (i: number, key: keyof NodeParts) => boolean;
  field: <K extends keyof NodeParts>(i: number, key: K) => NodeParts[K] | undefined;
}
type At = (path: PropertyKey[], message: string) => void;

/** Each node's host key, names (current and former) and SSH addresses unique, taints, labels, GPU settings. */
function checkNodes(count: number, { broken, field }: NodeAccess, at: At): void {
  const seenNames = new Map<string, number>();
  const seenEndpoints = new Map<string, number>();
  const all = Array.from({ length: count }, (_, j) => j);
  for (let i = 0; i < count; i++) {
    const hostKey = field(i, "hostKey");
    const keyProblem = typeof hostKey === "string" ? hostKeyProblem(hostKey, field(i, "host")) : undefined;
    if (keyProblem) at(["nodes", i, "hostKey"], keyProblem);

    const name = field(i, "name");
    if (name !== undefined) {
      const first = seenNames.get(name);
      if (first !== undefined) at(["nodes", i, "name"], `duplicate node name "${name}" (also nodes[${first}])`);
      else seenNames.set(name, i);
    }

    const host = field(i, "host");
    const port = field(i, "port");
    if (host !== undefined && port !== undefined) {
      const endpoint = `${host}:${port}`;
      const same = seenEndpoints.get(endpoint);
      if (same !== undefined) at(["nodes", i, "host"], `${endpoint} is already nodes[${same}]'s SSH address`);
      else seenEndpoints.set(endpoint, i);
    }

    field(i, "formerNames")?.forEach((former, f) => {
      if (former === undefined) return;
      const current = all.findIndex((j) => field(j, "name") === former);
      if (current !== -1) at(["nodes", i, "formerNames", f], `"${former}" is the name of nodes[${current}]; a former name must not be in use`);
      const claimed = all.findIndex((j) => j !== i && (field(j, "formerNames") ?? []).includes(former));
      if (claimed !== -1) at(["nodes", i, "formerNames", f], `"${former}" is also a former name of nodes[${claimed}]; one machine had it`);
    });
    const taints = field(i, "taints");
    taints?.forEach((taint, t) => {
      if (taint !== undefined && !v.parseTaint(taint)) {
        at(["nodes", i, "taints", t], `expected "key[=value]:Effect" with Effect NoSchedule, PreferNoSchedule or NoExecute, got "${taint}"`);
      }
    });
    Object.keys(field(i, "labels") ?? {}).forEach((key) => {
      // Admin-only labels are set by the program after registration, not by the kubelet.
      if (!isAdminLabel(key) && !v.isKubeletSettableLabel(key)) {
        at(["nodes", i, "labels", key], "the kubelet may not set labels under kubernetes.io or k8s.io (NodeRestriction); use your own prefix such as homelab.dev/, or node-restriction.kubernetes.io/ for a label only an administrator may set (the program sets it once the node is Ready)");
      }
    });
    const gpu = field(i, "gpu");
    if (gpu?.count === 0) {
      at(["nodes", i, "gpu"], "a GPU setting on a node without a GPU (count is 0); remove the gpu block or set the number of GPUs");
    }
    const gpuTaint = taints?.some((taint) => taint?.startsWith("nvidia.com/gpu"));
    if (gpuTaint && gpu === undefined && !broken(i, "gpu")) {
      at(["nodes", i, "taints"], "an nvidia.com/gpu taint on a node without a gpu block; declare the node's GPUs or drop the taint");
    }
  }
}

/** Node addresses: one per node, of the cluster's family, outside the pod and service networks. */
function checkAddresses(settings: SettingsParts, count: number, { broken, field }: NodeAccess, at: At): void {
  const clusterCidr = settings.k3s?.clusterCidr;
  const serviceCidr = settings.k3s?.serviceCidr;
  const clusterFamily = clusterCidr === undefined ? undefined : v.cidrRange(clusterCidr)?.family;
  const seenNodeIps = new Map<string, number>();
  for (let i = 0; i < count; i++) {
    const nodeIp = field(i, "nodeIp");
    if (nodeIp !== undefined) {
      const key = nodeIp.toLowerCase();
      const same = seenNodeIps.get(key);
      if (same !== undefined) at(["nodes", i, "nodeIp"], `duplicate node IP ${nodeIp} (also nodes[${same}].nodeIp); every node needs its own address`);
      else seenNodeIps.set(key, i);
      const family = isIP(nodeIp);
      if (clusterFamily !== undefined && family !== clusterFamily) {
        at(["nodes", i, "nodeIp"], `an IPv${family} node IP in a cluster whose k3s.clusterCidr (${clusterCidr}) is IPv${clusterFamily}; use the node's IPv${clusterFamily} address`);
      }
    }
    // A node IP with a problem of its own hides which address K3s would use: say nothing then.
    if (nodeIp === undefined && broken(i, "nodeIp")) continue;
    const host = field(i, "host");
    const addressed = nodeIp ?? (host !== undefined && isIP(host) ? host : undefined);
    if (addressed === undefined) continue;
    const name = nodeIp !== undefined ? "nodeIp" : "host";
    for (const [key, cidr] of [["clusterCidr", clusterCidr], ["serviceCidr", serviceCidr]] as const) {
      if (cidr !== undefined && v.cidrContains(cidr, addressed)) {
        at(["nodes", i, name], `${addressed} is inside k3s.${key} (${cidr}); pod and service networks must not overlap the LAN, change k3s.${key}`);
      }
    }
  }
  if (clusterCidr !== undefined && serviceCidr !== undefined && v.cidrsOverlap(clusterCidr, serviceCidr)) {
    at(["k3s", "serviceCidr"], `${serviceCidr} overlaps k3s.clusterCidr (${clusterCidr}); pods and services need separate networks`);
  }
}

/** The web interfaces' names under the declared domain, each its own, and the K3s components the ingress layer relies on. */
function checkIngress(settings: SettingsParts, hasProblem: HasProblem, disabled: (item: string) => number, at: At): void {
  const ingress = settings.ingress;
  if (ingress === undefined) return;
  if (ingress.domain !== undefined && !hasProblem(["ingress", "domain"]) && !hasProblem(["ingress", "hosts"])) {
    const domain = ingress.domain;
    const seenHosts = new Map<string, string>();
    for (const [service, host] of Object.entries(ingressHosts({ domain, hosts: ingress.hosts }))) {
      if (!v.isUnderDomain(host, domain)) {
        at(["ingress", "hosts", service], `${host} is not under ingress.domain (${domain}); the lab's CA signs names under that domain only, so use a name ending in .${domain}`);
      }
      const other = seenHosts.get(host);
      if (other !== undefined) at(["ingress", "hosts", service], `${host} is also ${other}'s host name; every web interface needs its own`);
      else seenHosts.set(host, service);
    }
    if (ingress.acme !== undefined && v.isNonPublicDomain(domain)) {
      at(["ingress", "acme"], `${domain} is reserved for private use, and ACME CAs issue certificates for public domains only; remove ingress.acme to use the lab's own CA, or set ingress.domain to a domain you own`);
    }
  }
  if (!hasProblem(["k3s", "disable"]) && disabled("traefik") === -1) {
    at(["k3s", "disable"], "K3s's packaged Traefik would compete with the ingress layer's own controller for ports 80 and 443; keep traefik in k3s.disable while homelab:ingress is set");
  }
  if (disabled("servicelb") !== -1) {
    at(["k3s", "disable", disabled("servicelb")], "the ingress controller's LoadBalancer Service is served by K3s ServiceLB, which k3s.disable removes (it would stay Pending); keep servicelb while homelab:ingress is set");
  }
}
