// Unit tests of the generated scripts, and shellcheck over every one of them.
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
  asCommand, configureScript, expectedRecords, grantAdminScript, installScript, installScriptUrl, k3sConfigYaml, preflightScript,
  etcdRestorePlan, registriesYaml, removeNodeScript, secretRecordsStdin, shq, uninstallScript, upgradeDrainScript, upgradeUncordonScript, waitReadyScript,
} from "../../components/k3s";
import { haInventory, node as makeNode, settings } from "./fixtures";

const SHELLCHECK = "/usr/bin/shellcheck";
const nodes = haInventory();
const [s1, , , gpu1, pi1, a1] = nodes;
const k3s = settings({ registryMirrors: { "docker.io": { endpoints: ["https://mirror.lan:5000"] } } });
const V = k3s.version;

/** Every script the component can generate, named for failure messages. */
function allScripts(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of nodes) {
    out[`preflight ${n.name}`] = preflightScript(n);
    out[`preflight ${n.name} with wireguard`] = preflightScript(n, {}, { wireguard: true });
    out[`configure ${n.name}`] = configureScript(k3sConfigYaml(n, nodes, k3s), registriesYaml(k3s), {}, { serverToken: n.role === "server", etcdS3Credentials: false });
    out[`install ${n.name}`] = installScript(n, V, { allowUpgrade: false });
    out[`upgrade ${n.name}`] = installScript(n, V, { allowUpgrade: true });
    out[`ready ${n.name}`] = waitReadyScript(n);
    out[`drain ${n.name}`] = upgradeDrainScript(n, V);
    out[`uncordon ${n.name}`] = upgradeUncordonScript(n, V);
    out[`remove ${n.name}`] = removeNodeScript(n);
    out[`uninstall ${n.name}`] = uninstallScript(n);
  }
  out["configure without mirrors"] = configureScript(k3sConfigYaml(a1, nodes, k3s), undefined, {}, { serverToken: false, etcdS3Credentials: false });
  out["configure with etcd S3 credentials"] = configureScript(k3sConfigYaml(s1, nodes, k3s), undefined, {}, { serverToken: true, etcdS3Credentials: true });
  out["configure a server with its audit policy"] = configureScript(k3sConfigYaml(s1, nodes, k3s), undefined, {}, { serverToken: true, etcdS3Credentials: false }, { auditPolicy: "kind: Policy\n" });
  out["install with a pinned installer"] = installScript(a1, V, { allowUpgrade: false, installerSha256: "0".repeat(64) });
  out["configure the first server with the cluster CA"] = configureScript(k3sConfigYaml(s1, nodes, k3s), undefined, {}, { serverToken: true, etcdS3Credentials: false, caFiles: ["server-ca.crt", "etcd/peer-ca.key"] });
  out["grant admin"] = grantAdminScript("homelab-admin", "homelab-admin");
  for (const source of ["s3", "local"] as const) {
    const snapshot = source === "s3" ? "etcd-snapshot-s1-1764383400" : "/var/lib/rancher/k3s/server/db/snapshots/etcd-snapshot-s1-1764383400";
    for (const step of etcdRestorePlan(nodes, { snapshot, source })) out[`etcd restore (${source}): ${step.kind} ${step.node.name}`] = step.script;
  }
  return out;
}

describe("generated scripts", () => {
  it("shellcheck is installed (CI installs it; .ci/run)", () => {
    if (!fs.existsSync(SHELLCHECK)) throw new Error(`${SHELLCHECK} is missing: apt-get install shellcheck (the .ci/run script does)`);
  });

  it.each(Object.entries(allScripts()))("%s passes shellcheck", (_, script) => {
    const result = spawnSync(SHELLCHECK, ["--shell=bash", "--severity=style", "-"], { input: script, encoding: "utf8" });
    expect(result.stdout + result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  it.each(Object.entries(allScripts()))("%s is strict and parses as bash", (_, script) => {
    expect(script).toMatch(/^#!\/usr\/bin\/env bash\n#.*\nset -euo pipefail\n/);
    execFileSync("bash", ["-n"], { input: script });
  });

  it("quotes values so a hostile string stays data", () => {
    const evil = "x'; touch /tmp/pwned; echo '";
    const out = execFileSync("bash", ["-c", `printf %s ${shq(evil)}`], { encoding: "utf8" });
    expect(out).toBe(evil);
    const wrapped = asCommand("echo \"it's $HOME\"", true);
    expect(wrapped.startsWith("sudo -n bash -c '")).toBe(true);
    expect(execFileSync("bash", ["-c", wrapped.replace(/^sudo -n /, "")], { encoding: "utf8", env: { HOME: "/h", PATH: process.env.PATH } })).toBe("it's /h\n");
  });

  it("reads the tokens from stdin and never names them in the script", () => {
    const script = configureScript(k3sConfigYaml(s1, nodes, k3s), undefined, {}, { serverToken: true, etcdS3Credentials: false });
    expect(script).toContain(`while IFS=' ' read -r name value; do`);
    expect(script).toContain("want_records='agent-token token'");
    expect(script).not.toMatch(/K3S_TOKEN/);
    expect(installScript(a1, V, { allowUpgrade: false })).not.toMatch(/K3S_TOKEN|K3S_URL/);
    expect(configureScript(k3sConfigYaml(a1, nodes, k3s), undefined, {}, { serverToken: false, etcdS3Credentials: false })).toContain("want_records='agent-token'");
  });

  it("frames stdin as one base64 line per record, in name order; refuses empty values and odd names", () => {
    const stdin = secretRecordsStdin({ token: "K10abc::server:pw", "agent-token": "K10abc::node:pw2", "ca/etcd/peer-ca.key": "line 1\nline 2\n" });
    const lines = stdin.trimEnd().split("\n");
    expect(lines.map((l) => l.split(" ")[0])).toEqual(["agent-token", "ca/etcd/peer-ca.key", "token"]);
    expect(Buffer.from(lines[1].split(" ")[1], "base64").toString()).toBe("line 1\nline 2\n");
    expect(() => secretRecordsStdin({ token: "" })).toThrow(/is empty/);
    expect(() => secretRecordsStdin({ "../x": "v" })).toThrow(/invalid secret record name/);
    expect(expectedRecords({ serverToken: true, etcdS3Credentials: true, caFiles: ["server-ca.crt"] })).toEqual(["agent-token", "ca/server-ca.crt", "etcd-s3-credentials", "token"]);
  });

  it("keeps K3s on a machine that was renamed: the uninstaller runs only if the config names this node", () => {
    const script = uninstallScript(a1);
    expect(script).toContain("node='a1'");
    expect(script.indexOf('[ "$configured" != "$node" ]')).toBeLessThan(script.indexOf('"$uninstaller"'));
  });

  it("removes the Node objects of a renamed node's former names once it is Ready", () => {
    const renamed = makeNode("a2", "agent", { formerNames: ["a1", "old-a1"] });
    expect(waitReadyScript(renamed)).toContain("former_names='a1 old-a1'");
    expect(waitReadyScript(a1)).toContain("former_names=''");
  });

  it("hashes the config.yaml.d drop-ins into the applied-configuration digest, so new credentials restart K3s", () => {
    const script = installScript(s1, V, { allowUpgrade: false });
    expect(script).toContain("dropin_dir='/etc/rancher/k3s/config.yaml.d'");
    expect(script).toContain(`for f in "$dropin_dir"/*.yaml "$dropin_dir"/*.yml`);
    expect(uninstallScript(s1)).toContain("credentials_file='/etc/rancher/k3s/config.yaml.d/50-etcd-s3-credentials.yaml'");
  });

  it("installs the pinned release with that release's installer, as server or agent", () => {
    expect(installScriptUrl(V)).toBe("https://raw.githubusercontent.com/k3s-io/k3s/v1.36.3%2Bk3s1/install.sh");
    const agent = installScript(a1, V, { allowUpgrade: false });
    expect(agent).toContain("exec_type='agent'");
    expect(agent).toContain("unit='k3s-agent'");
    expect(agent).toContain("allow_upgrade='no'");
    expect(agent).toContain(`INSTALL_K3S_VERSION="$want" INSTALL_K3S_EXEC="$exec_type"`);
    expect(installScript(s1, V, { allowUpgrade: true })).toContain("exec_type='server'");
    expect(installScript(s1, V, { allowUpgrade: true })).toContain("allow_upgrade='yes'");
  });

  it("checks GPUs and the NVIDIA runtime only on GPU nodes, the memory cgroup only on arm64", () => {
    const gpu = preflightScript(gpu1);
    expect(gpu).toContain("want_gpus='2'");
    expect(gpu).toContain("nvidia-container-runtime");
    expect(installScript(gpu1, V, { allowUpgrade: false })).toContain("grep -q nvidia");
    expect(preflightScript(a1)).not.toContain("nvidia");
    expect(installScript(a1, V, { allowUpgrade: false })).not.toContain("nvidia");
    expect(preflightScript(pi1)).toContain("cgroup_enable=memory");
    expect(preflightScript(pi1)).toContain("want_arch='aarch64'");
    expect(preflightScript(a1)).not.toContain("cgroup");
  });

  it("asserts the node's labels and taints once it is Ready", () => {
    const script = waitReadyScript(gpu1);
    expect(script).toContain(`kubectl label node "$node" 'homelab.dev/class=gpu' --overwrite`);
    expect(script).toContain(`kubectl taint node "$node" 'nvidia.com/gpu=present:NoSchedule' --overwrite`);
  });

  describe("wait-ready against a stand-in kubectl", () => {
    // `k3s kubectl` stand-in: a Node whose Ready status and annotations come from files; every
    // label/taint/annotate call is logged.
    let dir: string;
    const run = (script: string) => spawnSync("bash", ["-c", script], { encoding: "utf8", timeout: 20000 });
    const calls = () => fs.readFileSync(path.join(dir, "calls.log"), "utf8").trim().split("\n").filter(Boolean);
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "k3s-ready-"));
      fs.writeFileSync(path.join(dir, "calls.log"), "");
      fs.writeFileSync(path.join(dir, "ready"), "True");
      fs.writeFileSync(path.join(dir, "k3s"), `#!/bin/bash
[ "$1" = kubectl ] || exit 2; shift
case "$1" in
  get)
    case "$*" in
      *Ready*) cat '${"$"}{DIR}/ready' ;;
      *managed-labels*) cat '${"$"}{DIR}/labels' 2>/dev/null || true ;;
      *managed-taints*) cat '${"$"}{DIR}/taints' 2>/dev/null || true ;;
    esac ;;
  *) echo "$*" >>'${"$"}{DIR}/calls.log' ;;
esac
`.replace(/\$\{DIR\}/g, dir), { mode: 0o755 });
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("removes the labels and taints it set earlier that the inventory dropped, and leaves others alone", () => {
      // An earlier run managed two labels and two taints; the inventory now keeps one of each.
      fs.writeFileSync(path.join(dir, "labels"), "homelab.dev/class homelab.dev/old");
      fs.writeFileSync(path.join(dir, "taints"), "nvidia.com/gpu:NoSchedule dedicated:NoExecute");
      const r = run(waitReadyScript(gpu1, { binDir: dir }));
      expect(r.stderr).toBe("");
      expect(r.status).toBe(0);
      expect(calls()).toEqual([
        "label node gpu1 homelab.dev/old-",
        "taint node gpu1 dedicated:NoExecute-",
        "label node gpu1 homelab.dev/class=gpu --overwrite",
        // The GPU label only an admin may set (node-restriction.kubernetes.io/): the kubelet cannot.
        "label node gpu1 node-restriction.kubernetes.io/homelab-gpu=nvidia --overwrite",
        "taint node gpu1 nvidia.com/gpu=present:NoSchedule --overwrite",
        "annotate node gpu1 --overwrite homelab.dev/managed-labels=homelab.dev/class node-restriction.kubernetes.io/homelab-gpu homelab.dev/managed-taints=nvidia.com/gpu:NoSchedule",
      ]);
      expect(r.stdout).toContain("removed label homelab.dev/old");
      expect(r.stdout).toContain("removed taint dedicated:NoExecute");
    });

    it("on a node it never annotated, removes nothing; a node with no labels or taints records empty sets", () => {
      const bare = makeNode("bare", "agent");
      const r = run(waitReadyScript(bare, { binDir: dir }));
      expect(r.status).toBe(0);
      expect(calls()).toEqual(["annotate node bare --overwrite homelab.dev/managed-labels= homelab.dev/managed-taints="]);
    });

    it("uncordons a node whose drain fails, before failing, for an upgrade and for a removal alike", () => {
      fs.writeFileSync(path.join(dir, "k3s"), `#!/bin/bash
[ "$1" = kubectl ] || exit 2; shift
echo "$*" >>'${dir}/calls.log'
case "$1" in
  get) [[ "$*" == *kubeletVersion* ]] && echo v1.36.2+k3s1 ;;
  drain) exit 1 ;;
esac
exit 0
`, { mode: 0o755 });
      for (const script of [upgradeDrainScript(a1, V, { binDir: dir }), removeNodeScript(a1, { binDir: dir })]) {
        fs.writeFileSync(path.join(dir, "calls.log"), "");
        const r = run(script);
        expect(r.status).not.toBe(0);
        expect(r.stderr).toContain("draining a1 failed (a PodDisruptionBudget?); it is uncordoned again");
        const verbs = calls().map((c) => c.split(" ")[0]);
        expect(verbs.slice(verbs.indexOf("drain"))).toEqual(["drain", "uncordon"]);
      }
    });

    it("times out with a message that names the node and where to look", () => {
      fs.writeFileSync(path.join(dir, "ready"), "False");
      const r = run(waitReadyScript(a1, { binDir: dir, readyTimeoutSeconds: 1 }));
      expect(r.status).not.toBe(0);
      expect(r.stderr).toMatch(/node a1 is not Ready after 1s; check 'journalctl -u k3s' or 'journalctl -u k3s-agent' on it/);
      expect(calls()).toEqual([]);
    });
  });

  it("uninstalls with the uninstaller of the node's role", () => {
    expect(uninstallScript(s1)).toContain("/usr/local/bin/k3s-uninstall.sh");
    expect(uninstallScript(a1)).toContain("/usr/local/bin/k3s-agent-uninstall.sh");
    expect(removeNodeScript(a1)).toMatch(/drain "\$node"[\s\S]*delete node "\$node"/);
  });

  it("matches the reviewed install script", () => {
    expect(installScript(gpu1, V, { allowUpgrade: false })).toMatchSnapshot();
  });
});
