// The generated scripts, run exactly as the component sends them (`[sudo -n] bash -c '<script>'`,
// secrets on stdin) against a real OpenSSH server on loopback with a pinned host key. K3s's
// installer, sudo and systemctl are stand-ins that record what they were asked to do; the scripts
// reach them through their ordinary names (PATH set by the test sshd) and a root prefix for files.
import { ChildProcess, execFileSync, spawn } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import {
  ScriptOptions, asCommand, caRecord, configureScript, etcdRestorePlan, etcdS3CredentialsYaml, installScript, k3sConfigYaml, nodePaths,
  preflightScript, secretRecordsStdin, uninstallScript,
} from "../../components/k3s";
import { executeRestorePlan } from "../../tools/lib/etcd-restore";
import { NodeSpec } from "../../components/config/schema";
import { node as makeNode, settings } from "./fixtures";

const SSHD = "/usr/sbin/sshd";
const VERSION = "v1.36.3+k3s1";
const NEXT = "v1.36.5+k3s1";
const TOKEN = "K10test-server-token::server:0123456789";
const AGENT_TOKEN = "K10test-agent-token::node:9876543210";
/** What an agent's configure step gets on stdin: the agent token only. */
const AGENT_STDIN = secretRecordsStdin({ "agent-token": AGENT_TOKEN });

let dir: string;
let root: string;
let state: string;
let sshd: ChildProcess | undefined;
let sshdLog = "";
let server: http.Server | undefined;
let port: number;
let options: Partial<ScriptOptions>;
let node: NodeSpec;
let nodes: NodeSpec[];
const requested: string[] = [];
const user = os.userInfo().username;
const nativeArch = os.arch() === "arm64" ? "arm64" : "amd64";
const k3s = settings();

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
}

async function waitForPort(p: number, timeoutMs = 10000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(p, "127.0.0.1", () => { socket.end(); resolve(true); });
      socket.once("error", () => resolve(false));
    });
    if (ok) return;
    if (sshd && sshd.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`sshd did not listen on 127.0.0.1:${p}: ${sshdLog}`);
}

function writeExecutable(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text, { mode: 0o755 });
}

/** The stand-in for K3s's install.sh: installs a fake binary and uninstaller, restarts on change. */
function fakeInstaller(): string {
  return `#!/bin/sh
set -eu
version="\${INSTALL_K3S_VERSION:?INSTALL_K3S_VERSION is required}"
bin_dir="\${INSTALL_K3S_BIN_DIR:-/usr/local/bin}"
case "\${INSTALL_K3S_EXEC:-}" in agent*) name=k3s-agent ;; *) name=k3s ;; esac
mkdir -p "$bin_dir"
tmp="$bin_dir/.k3s.new"
cat >"$tmp" <<FAKE_K3S
#!/bin/sh
if [ "\\\${1:-}" = --version ]; then printf 'k3s version %s (fake1234)\\\\ngo version go1.25.0\\\\n' '$version'; exit 0; fi
exit 1
FAKE_K3S
chmod 0755 "$tmp"
changed=no
if [ -f "$bin_dir/k3s" ] && cmp -s "$tmp" "$bin_dir/k3s"; then rm -f "$tmp"; else mv -f "$tmp" "$bin_dir/k3s"; changed=yes; fi
cat >"$bin_dir/$name-uninstall.sh" <<FAKE_UNINSTALL
#!/bin/sh
set -eu
echo "$name" >>'${state}/uninstalls.log'
rm -rf '${root}/etc/rancher/k3s'
rm -f '$bin_dir/k3s' '$bin_dir/$name-uninstall.sh'
FAKE_UNINSTALL
chmod 0755 "$bin_dir/$name-uninstall.sh"
systemd_dir="\${INSTALL_K3S_SYSTEMD_DIR:-/etc/systemd/system}"
mkdir -p "$systemd_dir"
printf '[Service]\\nType=notify\\nTimeoutStartSec=0\\nExecStart=%s/k3s %s\\n' "$bin_dir" "\${INSTALL_K3S_EXEC:-}" >"$systemd_dir/$name.service"
echo "$version $name" >>'${state}/installs.log'
systemctl enable "$name"
# As install.sh: SKIP_START leaves the unit enabled but not started.
if [ "\${INSTALL_K3S_SKIP_START:-}" = true ]; then exit 0; fi
if [ "$changed" = yes ]; then systemctl restart "$name"; else echo "No change detected so skipping service start"; fi
`;
}

interface Result { code: number | null; stdout: string; stderr: string }

function ssh(command: string, stdin = "", knownHosts = path.join(dir, "known_hosts")): Promise<Result> {
  const args = [
    "-F", "/dev/null", "-p", String(port), "-i", path.join(dir, "client_ed25519"),
    "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-o", "StrictHostKeyChecking=yes",
    "-o", `UserKnownHostsFile=${knownHosts}`, "-o", "GlobalKnownHostsFile=/dev/null",
    "-o", "HostKeyAlgorithms=ssh-ed25519", "-o", "LogLevel=ERROR",
    `${user}@127.0.0.1`, command,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn("ssh", args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

async function ok(command: string, stdin = ""): Promise<string> {
  const r = await ssh(command, stdin);
  if (r.code !== 0) throw new Error(`exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

const lines = (file: string) =>
  fs.existsSync(path.join(state, file)) ? fs.readFileSync(path.join(state, file), "utf8").trim().split("\n").filter(Boolean) : [];
const configure = (n: NodeSpec) =>
  asCommand(configureScript(k3sConfigYaml(n, nodes, k3s, nodePaths(root)), undefined, options, { serverToken: false, etcdS3Credentials: false }), true);
const install = (n: NodeSpec, version: string, allowUpgrade: boolean) => asCommand(installScript(n, version, { allowUpgrade }, options), true);

beforeAll(async () => {
  if (!fs.existsSync(SSHD)) throw new Error(`${SSHD} is missing: install openssh-server (the .ci/run script does); these tests need a real sshd`);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "k3s-ssh-"));
  root = path.join(dir, "root");
  state = path.join(dir, "state");
  fs.mkdirSync(state);
  // An arm64 CI runner gets the memory-cgroup check; give it a cgroup v2 controller list.
  fs.mkdirSync(path.join(root, "sys/fs/cgroup"), { recursive: true });
  fs.writeFileSync(path.join(root, "sys/fs/cgroup/cgroup.controllers"), "cpuset cpu io memory pids\n");
  for (const key of ["host_ed25519", "client_ed25519"]) {
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", key, "-f", path.join(dir, key)]);
  }
  fs.copyFileSync(path.join(dir, "client_ed25519.pub"), path.join(dir, "authorized_keys"));
  // The inventory form: type and key, as `ssh-keyscan -t ed25519` prints them.
  const hostKey = fs.readFileSync(path.join(dir, "host_ed25519.pub"), "utf8").trim().split(" ").slice(0, 2).join(" ");

  const shims = path.join(dir, "shims");
  writeExecutable(path.join(shims, "sudo"), `#!/bin/bash
if [ -e '${state}/sudo-denied' ]; then echo "sudo: a password is required" >&2; exit 1; fi
if [ "\${1:-}" = -n ]; then shift; fi
exec "$@"
`);
  writeExecutable(path.join(shims, "systemctl"), `#!/bin/bash
echo "$*" >>'${state}/systemctl.log'
if [ "$1" = restart ]; then
  echo "$2" >>'${state}/restarts.log'
  # A node that cannot join: K3s's Type=notify unit never reports ready (TimeoutStartSec=0).
  if [ -e '${state}/start-hangs' ]; then sleep 30; fi
fi
# Which units run, for the restore steps' checks.
case "$1" in
  start|restart) touch '${state}/active-'"$2" ;;
  stop) rm -f '${state}/active-'"$2" ;;
  is-active) [ "$2" = --quiet ] && shift; [ -e '${state}/active-'"$2" ]; exit ;;
esac
`);

  // The WireGuard pre-flight asks modprobe whether the module exists; available only when told so.
  writeExecutable(path.join(shims, "modprobe"), `#!/bin/bash
[ -e '${state}/wireguard-available' ]
`);

  const installerServer = http.createServer((req, res) => {
    requested.push(req.url ?? "");
    if (/^\/v[^/]+\/install\.sh$/.test(req.url ?? "")) res.end(fakeInstaller());
    else { res.statusCode = 404; res.end("not found"); }
  });
  server = installerServer;
  await new Promise<void>((resolve) => installerServer.listen(0, "127.0.0.1", resolve));
  const httpPort = (installerServer.address() as net.AddressInfo).port;

  port = await freePort();
  fs.writeFileSync(path.join(dir, "known_hosts"), `[127.0.0.1]:${port} ${hostKey}\n`);
  const config = [
    `Port ${port}`, "ListenAddress 127.0.0.1", `HostKey ${path.join(dir, "host_ed25519")}`, `PidFile ${path.join(dir, "sshd.pid")}`,
    `AuthorizedKeysFile ${path.join(dir, "authorized_keys")}`, "StrictModes no", "PubkeyAuthentication yes",
    "PasswordAuthentication no", "KbdInteractiveAuthentication no", "PermitRootLogin prohibit-password", "UsePAM no",
    `AllowUsers ${user}`, `SetEnv PATH=${shims}:/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin`, "LogLevel ERROR",
  ].join("\n");
  fs.writeFileSync(path.join(dir, "sshd_config"), config + "\n");
  // sshd started as root insists on its privilege-separation directory (the package creates it at boot).
  if (process.getuid?.() === 0 && !fs.existsSync("/run/sshd")) fs.mkdirSync("/run/sshd", { mode: 0o755 });
  sshd = spawn(SSHD, ["-D", "-e", "-f", path.join(dir, "sshd_config")], { stdio: ["ignore", "ignore", "pipe"] });
  sshd.stderr!.on("data", (d) => (sshdLog += d));
  await waitForPort(port);

  options = { root, binDir: path.join(root, "usr/local/bin"), installScriptBaseUrl: `http://127.0.0.1:${httpPort}`, readyTimeoutSeconds: 5, startTimeoutSeconds: 2 };
  nodes = [makeNode("s1", "server"), makeNode("node1", "agent", { host: "127.0.0.1", port, user, hostKey, arch: nativeArch })];
  node = nodes[1];
});

afterAll(async () => {
  const daemon = sshd;
  if (daemon && daemon.exitCode === null) {
    const exited = new Promise((r) => daemon.once("exit", r));
    daemon.kill("SIGTERM");
    await exited;
  }
  if (server) await new Promise((r) => server!.close(r));
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("scripts over a real OpenSSH server", () => {
  it("refuses a host whose key is not the pinned one", async () => {
    const wrong = path.join(dir, "wrong_known_hosts");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", path.join(dir, "other")]);
    fs.writeFileSync(wrong, `[127.0.0.1]:${port} ${fs.readFileSync(path.join(dir, "other.pub"), "utf8")}`);
    const r = await ssh("true", "", wrong);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/host key|HOST IDENTIFICATION/i);
  });

  it("pre-flight passes on a matching node", async () => {
    expect(await ok(asCommand(preflightScript(node, options), false))).toContain("pre-flight ok on node node1");
  });

  it("pre-flight checks the wireguard module only when the cluster encrypts pod traffic with it", async () => {
    const r = await ssh(asCommand(preflightScript(node, options, { wireguard: true }), false));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("pre-flight failed on node node1: the wireguard kernel module is not available (k3s.flannelBackend is wireguard-native)");
    fs.writeFileSync(path.join(state, "wireguard-available"), "");
    try {
      expect(await ok(asCommand(preflightScript(node, options, { wireguard: true }), false))).toContain("pre-flight ok");
    } finally {
      fs.rmSync(path.join(state, "wireguard-available"));
    }
  });

  it("pre-flight fails on a wrong architecture with a clear message", async () => {
    const wrong = { ...node, arch: nativeArch === "amd64" ? "arm64" : "amd64" } as NodeSpec;
    const r = await ssh(asCommand(preflightScript(wrong, options), false));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/pre-flight failed on node node1: the machine is \S+ but the inventory declares arch (arm64|amd64)/);
  });

  it("fails clearly without passwordless sudo, and privileged steps change nothing", async () => {
    fs.writeFileSync(path.join(state, "sudo-denied"), "");
    try {
      const r = await ssh(asCommand(preflightScript(node, options), false));
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(`pre-flight failed on node node1: ${user} has no passwordless sudo`);
      const c = await ssh(configure(node), AGENT_STDIN);
      expect(c.code).not.toBe(0);
      expect(fs.existsSync(path.join(root, "etc/rancher/k3s"))).toBe(false);
    } finally {
      fs.rmSync(path.join(state, "sudo-denied"));
    }
  });

  it("first run: writes root-only config and agent token from stdin, installs the pinned release once", async () => {
    expect(await ok(configure(node), AGENT_STDIN)).toBe("configuration changed: agent-token config.yaml\n");
    const p = nodePaths(root);
    expect(fs.readFileSync(p.agentToken, "utf8")).toBe(AGENT_TOKEN);
    expect(fs.statSync(p.agentToken).mode & 0o777).toBe(0o600);
    expect(fs.statSync(p.config).mode & 0o777).toBe(0o600);
    expect(fs.existsSync(p.token)).toBe(false);
    expect(fs.readFileSync(p.config, "utf8")).toContain(`token-file: "${p.agentToken}"`);

    const out = await ok(install(node, VERSION, false));
    expect(out).toContain(`installed ${VERSION}`);
    expect(requested).toEqual([`/${encodeURIComponent(VERSION)}/install.sh`]);
    expect(lines("installs.log")).toEqual([`${VERSION} k3s-agent`]);
    expect(lines("restarts.log")).toEqual(["k3s-agent"]);
  });

  it("second run: nothing changes and nothing restarts", async () => {
    expect(await ok(configure(node), AGENT_STDIN)).toBe("configuration unchanged\n");
    expect(await ok(install(node, VERSION, false))).toContain(": unchanged");
    expect(await ok(install(node, VERSION, true))).toContain(": unchanged");
    expect(lines("installs.log")).toHaveLength(1);
    expect(lines("restarts.log")).toHaveLength(1);
    expect(requested).toHaveLength(1);
  });

  it("a configuration change restarts K3s exactly once, without reinstalling", async () => {
    const changed = { ...node, labels: { "homelab.dev/class": "laptop" } };
    expect(await ok(configure(changed), AGENT_STDIN)).toBe("configuration changed: config.yaml\n");
    expect(await ok(install(changed, VERSION, false))).toContain("restarted k3s-agent (configuration changed)");
    expect(await ok(install(changed, VERSION, false))).toContain(": unchanged");
    expect(lines("restarts.log")).toEqual(["k3s-agent", "k3s-agent"]);
    expect(lines("installs.log")).toHaveLength(1);
    // Back to the original configuration for the next tests: one more restart.
    await ok(configure(node), AGENT_STDIN);
    await ok(install(node, VERSION, false));
    expect(lines("restarts.log")).toHaveLength(3);
  });

  it("a version bump is left to the ordered upgrade step, which upgrades once", async () => {
    expect(await ok(install(node, NEXT, false))).toContain(`K3s ${VERSION} is installed; the ordered upgrade step moves it to ${NEXT}`);
    expect(lines("installs.log")).toHaveLength(1);
    expect(await ok(install(node, NEXT, true))).toContain(`upgraded ${VERSION} -> ${NEXT}`);
    expect(requested[requested.length - 1]).toBe(`/${encodeURIComponent(NEXT)}/install.sh`);
    expect(lines("installs.log")).toEqual([`${VERSION} k3s-agent`, `${NEXT} k3s-agent`]);
    expect(lines("restarts.log")).toHaveLength(4);
    expect(await ok(install(node, NEXT, true))).toContain(": unchanged");
    expect(lines("restarts.log")).toHaveLength(4);
  });

  it("the installer never starts K3s itself; a unit that never reports ready fails within the start timeout, and the next run retries", async () => {
    // install.sh is always run with INSTALL_K3S_SKIP_START (its own restart would wait forever).
    expect(installScript(node, NEXT, { allowUpgrade: true }, options)).toContain("INSTALL_K3S_SKIP_START=true");
    const changed = { ...node, labels: { "homelab.dev/class": "hangs" } };
    await ok(configure(changed), AGENT_STDIN);
    fs.writeFileSync(path.join(state, "start-hangs"), "");
    const started = Date.now();
    let r: Result;
    try {
      r = await ssh(install(changed, NEXT, false));
    } finally {
      fs.rmSync(path.join(state, "start-hangs"));
    }
    expect(Date.now() - started).toBeLessThan(20000);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/k3s-agent on \S+ did not report ready within 2s \(configuration changed\).*journalctl -u k3s-agent/);
    // The applied digest is only recorded on success, so the next run restarts again.
    expect(await ok(install(changed, NEXT, false))).toContain("restarted k3s-agent (configuration changed)");
    await ok(configure(node), AGENT_STDIN);
    await ok(install(node, NEXT, false));
  });

  it("reinstalls (same release) when the binary is there but its unit is missing, and starts it once", async () => {
    const unitFile = path.join(root, "etc/systemd/system/k3s-agent.service");
    expect(fs.existsSync(unitFile)).toBe(true);
    fs.rmSync(unitFile);
    const installs = lines("installs.log").length;
    const restarts = lines("restarts.log").length;
    expect(await ok(install(node, NEXT, false))).toContain(`reinstalled ${NEXT} (k3s-agent unit was missing)`);
    expect(lines("installs.log")).toHaveLength(installs + 1);
    expect(lines("restarts.log")).toHaveLength(restarts + 1);
    expect(await ok(install(node, NEXT, false))).toContain(": unchanged");
  });

  it("uninstall runs K3s's uninstaller and leaves no K3s or homelab files; a second run is a no-op", async () => {
    const out = await ok(asCommand(uninstallScript(node, options), true));
    expect(out).toContain("K3s uninstalled");
    expect(lines("uninstalls.log")).toEqual(["k3s-agent"]);
    const p = nodePaths(root);
    expect(fs.existsSync(p.configDir)).toBe(false);
    expect(fs.existsSync(p.stateDir)).toBe(false);
    expect(fs.existsSync(path.join(root, "usr/local/bin/k3s"))).toBe(false);
    expect(await ok(asCommand(uninstallScript(node, options), true))).toContain("K3s is not installed");
    expect(lines("uninstalls.log")).toHaveLength(1);
  });
});

describe("etcd S3 credentials over a real OpenSSH server", () => {
  const CREDS = { accessKeyId: "AKIASSHCANARY0000001", secretAccessKey: "ssh-canary-secret/Key+0123456789abcdefghij" };
  const ROTATED = { accessKeyId: "AKIASSHCANARY0000002", secretAccessKey: "ssh-canary-rotated/Key+0123456789abcdefgh" };
  const s3k3s = settings({ etcdSnapshots: { s3: { bucket: "lab-etcd", region: "eu-west-1", folder: "k3s/test" } } });
  const canaries = [CREDS.accessKeyId, CREDS.secretAccessKey, ROTATED.accessKeyId, ROTATED.secretAccessKey];
  let server: NodeSpec;
  const configureServer = (withCredentials: boolean, k = s3k3s) =>
    asCommand(configureScript(k3sConfigYaml(server, [server], k, nodePaths(root)), undefined, options, { serverToken: true, etcdS3Credentials: withCredentials }), true);
  const installServer = () => asCommand(installScript(server, VERSION, { allowUpgrade: false }, options), true);
  const tokens = { token: TOKEN, "agent-token": AGENT_TOKEN };
  const stdinWith = (creds: typeof CREDS) => secretRecordsStdin({ ...tokens, "etcd-s3-credentials": etcdS3CredentialsYaml(creds) });
  const TOKENS_ONLY = secretRecordsStdin(tokens);
  const restarts = () => lines("restarts.log").length;

  /** Every file under the test root whose content holds one of the credentials. */
  function filesHoldingCredentials(): string[] {
    const found: string[] = [];
    const walk = (at: string) => {
      for (const entry of fs.readdirSync(at, { withFileTypes: true })) {
        const full = path.join(at, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.isFile() && canaries.some((c) => fs.readFileSync(full, "utf8").includes(c))) found.push(path.relative(root, full));
      }
    };
    walk(root);
    walk(state);
    return found.sort();
  }
  const expectNoLeak = (...texts: string[]) => {
    for (const text of texts) for (const c of canaries) expect(text).not.toContain(c);
  };

  beforeAll(() => {
    server = makeNode("srv1", "server", { host: "127.0.0.1", port, user, hostKey: nodes[1].hostKey, arch: nativeArch });
  });

  it("writes the credentials drop-in 0600 from stdin; config.yaml, the token, commands and output hold no credential", async () => {
    const command = configureServer(true);
    expectNoLeak(command);
    const r = await ssh(command, stdinWith(CREDS));
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("configuration changed: agent-token cluster-token config.yaml 50-etcd-s3-credentials.yaml\n");
    expectNoLeak(r.stdout, r.stderr);

    const p = nodePaths(root);
    expect(fs.statSync(p.etcdS3Credentials).mode & 0o777).toBe(0o600);
    expect(fs.statSync(p.configDropInDir).mode & 0o777).toBe(0o700);
    expect(YAML.parse(fs.readFileSync(p.etcdS3Credentials, "utf8"))).toEqual({
      "etcd-s3-access-key": CREDS.accessKeyId, "etcd-s3-secret-key": CREDS.secretAccessKey,
    });
    expect(fs.readFileSync(p.token, "utf8")).toBe(TOKEN);
    expect(fs.readFileSync(p.agentToken, "utf8")).toBe(AGENT_TOKEN);
    const config = YAML.parse(fs.readFileSync(p.config, "utf8"));
    expect(config).toMatchObject({ "cluster-init": true, "etcd-s3": true, "etcd-s3-bucket": "lab-etcd", "etcd-s3-folder": "k3s/test" });

    const install = await ssh(installServer());
    expect(install.code).toBe(0);
    expect(install.stdout).toContain(`installed ${VERSION}`);
    expectNoLeak(install.stdout, install.stderr, sshdLog);
    // Only the drop-in holds the credentials; the applied digest is a hash.
    expect(filesHoldingCredentials()).toEqual([path.relative(root, p.etcdS3Credentials)]);
  });

  it("unchanged credentials restart nothing; rotated ones rewrite the drop-in and restart K3s once", async () => {
    const before = restarts();
    expect(await ok(configureServer(true), stdinWith(CREDS))).toBe("configuration unchanged\n");
    expect(await ok(installServer())).toContain(": unchanged");
    expect(restarts()).toBe(before);

    const r = await ssh(configureServer(true), stdinWith(ROTATED));
    expect(r.stdout).toBe("configuration changed: 50-etcd-s3-credentials.yaml\n");
    expectNoLeak(r.stdout, r.stderr);
    const install = await ok(installServer());
    expect(install).toContain("restarted k3s (configuration changed)");
    expectNoLeak(install);
    expect(restarts()).toBe(before + 1);
    expect(await ok(installServer())).toContain(": unchanged");
    expect(restarts()).toBe(before + 1);
    expect(YAML.parse(fs.readFileSync(nodePaths(root).etcdS3Credentials, "utf8"))["etcd-s3-secret-key"]).toBe(ROTATED.secretAccessKey);
  });

  it("refuses missing, malformed or unexpected secret records without echoing them or writing anything", async () => {
    const p = nodePaths(root);
    const snapshot = () => [p.config, p.token, p.agentToken, p.etcdS3Credentials].map((f) => fs.readFileSync(f, "utf8")).join("\0");
    const before = snapshot();
    const missing = await ssh(configureServer(true), TOKENS_ONLY);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain("no etcd-s3-credentials on stdin");
    const garbage = await ssh(configureServer(true), secretRecordsStdin({ ...tokens, "etcd-s3-credentials": `not-yaml-${CREDS.secretAccessKey}` }));
    expect(garbage.code).not.toBe(0);
    expect(garbage.stderr).toContain("the etcd-s3-credentials record is not the etcd S3 credentials drop-in (value not shown)");
    const unexpected = await ssh(configureServer(false, settings()), stdinWith(CREDS));
    expect(unexpected.code).not.toBe(0);
    expect(unexpected.stderr).toContain("unexpected secret record 'etcd-s3-credentials' on stdin (value not shown)");
    const notBase64 = await ssh(configureServer(true), `token ${TOKEN}\n`);
    expect(notBase64.code).not.toBe(0);
    expect(notBase64.stderr).toContain("secret record token on stdin is not base64 (value not shown)");
    const texts = [missing, garbage, unexpected, notBase64].flatMap((r) => [r.stdout, r.stderr]);
    expectNoLeak(...texts);
    for (const text of texts) expect(text).not.toContain(TOKEN);
    expect(snapshot()).toBe(before);
  });

  it("turning S3 off removes the drop-in and restarts once; uninstall leaves no credentials behind", async () => {
    const before = restarts();
    expect(await ok(configureServer(false, settings()), TOKENS_ONLY)).toBe("configuration changed: config.yaml 50-etcd-s3-credentials.yaml(removed)\n");
    expect(fs.existsSync(nodePaths(root).etcdS3Credentials)).toBe(false);
    expect(await ok(installServer())).toContain("restarted k3s (configuration changed)");
    expect(restarts()).toBe(before + 1);
    expect(filesHoldingCredentials()).toEqual([]);

    // Back on, then uninstalled: the drop-in and its directory go too.
    await ok(configureServer(true), stdinWith(CREDS));
    expect(await ok(asCommand(uninstallScript(server, options), true))).toContain("K3s uninstalled");
    expect(fs.existsSync(nodePaths(root).configDir)).toBe(false);
    expect(filesHoldingCredentials()).toEqual([]);
  });
});

describe("the cluster CA, agent tokens and renames over a real OpenSSH server", () => {
  const CA_FILES = ["server-ca.crt", "server-ca.key", "client-ca.crt", "client-ca.key", "etcd/peer-ca.crt", "etcd/peer-ca.key"];
  const pemOf = (name: string, n = 1) => `-----BEGIN TEST-----\n${Buffer.from(`${name}-${n}`).toString("base64")}\n-----END TEST-----\n`;
  let first: NodeSpec;
  const configureFirst = () => asCommand(configureScript(k3sConfigYaml(first, [first], k3s, nodePaths(root)), undefined, options, {
    serverToken: true, etcdS3Credentials: false, caFiles: CA_FILES,
  }), true);
  const firstStdin = (generation = 1) => secretRecordsStdin({
    token: TOKEN, "agent-token": AGENT_TOKEN,
    ...Object.fromEntries(CA_FILES.map((f) => [caRecord(f), pemOf(f, generation)])),
  });

  beforeAll(() => {
    first = makeNode("first", "server", { host: "127.0.0.1", port, user, hostKey: nodes[1].hostKey, arch: nativeArch });
  });

  it("the first server places the cluster CA files once, root-only, exactly as sent", async () => {
    const p = nodePaths(root);
    expect(await ok(configureFirst(), firstStdin())).toBe("configuration changed: agent-token cluster-token config.yaml cluster-ca\n");
    for (const f of CA_FILES) {
      expect(fs.readFileSync(path.join(p.tlsDir, f), "utf8")).toBe(pemOf(f));
      expect(fs.statSync(path.join(p.tlsDir, f)).mode & 0o777).toBe(0o600);
    }
    expect(fs.statSync(path.join(p.tlsDir, "etcd")).mode & 0o777).toBe(0o700);
    expect(await ok(configureFirst(), firstStdin())).toBe("configuration unchanged\n");
  });

  it("refuses a server that already has another cluster CA, and changes nothing", async () => {
    const p = nodePaths(root);
    const r = await ssh(configureFirst(), firstStdin(2));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("already has a different cluster CA");
    expect(r.stdout + r.stderr).not.toContain(pemOf("server-ca.key", 2));
    for (const f of CA_FILES) expect(fs.readFileSync(path.join(p.tlsDir, f), "utf8")).toBe(pemOf(f));
    fs.rmSync(path.join(root, "var/lib/rancher"), { recursive: true, force: true });
  });

  it("an agent that still holds the server token from an earlier layout loses it", async () => {
    const p = nodePaths(root);
    fs.writeFileSync(p.token, TOKEN, { mode: 0o600 });
    const out = await ok(configure(node), AGENT_STDIN);
    expect(out).toContain("cluster-token(removed)");
    expect(fs.existsSync(p.token)).toBe(false);
    expect(fs.readFileSync(p.agentToken, "utf8")).toBe(AGENT_TOKEN);
  });

  it("never uninstalls K3s from a machine whose configuration now names another node (a rename)", async () => {
    const renamed = { ...node, name: "node1-renamed", formerNames: [node.name] };
    await ok(configure(renamed), AGENT_STDIN);
    await ok(install(renamed, VERSION, false));
    const uninstalls = lines("uninstalls.log").length;
    // The old name's install step is deleted after the rename: its uninstaller must not run.
    const out = await ok(asCommand(uninstallScript(node, options), true));
    expect(out).toContain("configured as node node1-renamed, not node1: it was renamed, so K3s stays installed");
    expect(lines("uninstalls.log")).toHaveLength(uninstalls);
    expect(fs.existsSync(nodePaths(root).config)).toBe(true);
    // Removing the node under its current name uninstalls as usual.
    expect(await ok(asCommand(uninstallScript(renamed, options), true))).toContain("K3s uninstalled");
    expect(lines("uninstalls.log")).toHaveLength(uninstalls + 1);
  });

  it("runs a pinned installer only when its sha256 matches, and nothing at all otherwise", async () => {
    const sha = createHash("sha256").update(fakeInstaller()).digest("hex");
    await ok(configure(node), AGENT_STDIN);
    const installs = lines("installs.log").length;
    const pinned = (digest: string) => asCommand(installScript(node, VERSION, { allowUpgrade: false, installerSha256: digest }, options), true);
    const wrong = await ssh(pinned("0".repeat(64)));
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toContain("does not have the sha256 pinned in homelab:k3s.installerSha256; nothing was run");
    expect(lines("installs.log")).toHaveLength(installs);
    expect(await ok(pinned(sha))).toContain(`installed ${VERSION}`);
    expect(lines("installs.log")).toHaveLength(installs + 1);
    await ok(asCommand(uninstallScript(node, options), true));
  });
});

/**
 * The stand-in for `k3s server --cluster-reset`: records its arguments and whether K3S_TOKEN held
 * the server token (never the token itself), refuses a config with server: as K3s does, and
 * "restores" by writing the snapshot's name into the etcd data directory.
 */
function fakeK3sWithReset(): string {
  return `#!/bin/bash
if [ "\${1:-}" = --version ]; then printf 'k3s version ${VERSION} (fake1234)\\n'; exit 0; fi
[ "\${1:-}" = server ] || exit 1
shift
printf '%s\\n' "$*" >>'${state}/k3s-server.log'
if [ "\${K3S_TOKEN:-}" = '${TOKEN}' ]; then echo "token: the server token" >>'${state}/k3s-server.log'; else echo "token: missing or wrong" >>'${state}/k3s-server.log'; exit 1; fi
config="" path=""
for arg in "$@"; do
  case "$arg" in
    --cluster-reset-restore-path=*) path="\${arg#*=}" ;;
  esac
done
while [ $# -gt 0 ]; do [ "$1" = --config ] && config="$2"; shift; done
if grep -q '^server:' "$config"; then echo "cannot perform cluster-reset while server URL is set" >&2; exit 1; fi
mkdir -p '${root}/var/lib/rancher/k3s/server/db'
echo "$path" >'${root}/var/lib/rancher/k3s/server/db/restored-from'
echo "Managed etcd cluster membership has been reset, restart without --cluster-reset flag now."
`;
}

describe("etcd restore over a real OpenSSH server", () => {
  const SNAPSHOT = "etcd-snapshot-s1-1764383400";
  let first: NodeSpec;
  let second: NodeSpec;
  const connector = { argsFor: () => [
    "-F", "/dev/null", "-p", String(port), "-i", path.join(dir, "client_ed25519"), "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
    "-o", "StrictHostKeyChecking=yes", "-o", `UserKnownHostsFile=${path.join(dir, "known_hosts")}`, "-o", "GlobalKnownHostsFile=/dev/null",
    "-o", "LogLevel=ERROR", `${user}@127.0.0.1`,
  ] };
  beforeAll(() => {
    first = makeNode("s1", "server", { host: "127.0.0.1", port, user, hostKey: node.hostKey, arch: nativeArch });
    second = makeNode("s2", "server", { host: "127.0.0.1", port, user, hostKey: node.hostKey, arch: nativeArch });
    writeExecutable(path.join(options.binDir!, "k3s"), fakeK3sWithReset());
    fs.rmSync(path.join(state, "k3s-server.log"), { force: true });
  });

  const placeConfig = (n: NodeSpec, inventory: NodeSpec[], settingsFor = k3s) => {
    fs.mkdirSync(nodePaths(root).configDir, { recursive: true });
    fs.writeFileSync(nodePaths(root).config, k3sConfigYaml(n, inventory, settingsFor, nodePaths(root)), { mode: 0o600 });
  };

  it("restores a one-server cluster from an S3 snapshot with the token from stdin, through the runner", async () => {
    const s3 = settings({ etcdSnapshots: { schedule: "30 2 * * *", retention: 5, s3: { bucket: "lab-etcd", region: "eu-west-1" } } });
    placeConfig(first, [first], s3);
    fs.writeFileSync(path.join(state, "active-k3s"), "");
    const plan = etcdRestorePlan([first], { snapshot: SNAPSHOT, source: "s3" }, options);
    const results = await executeRestorePlan(plan, connector, TOKEN);
    expect(results.map((r) => `${r.kind} ${r.code}`)).toEqual(["stop 0", "reset 0", "start 0"]);
    expect(lines("k3s-server.log")).toEqual([
      `--config ${nodePaths(root).config} --cluster-reset --cluster-reset-restore-path=${SNAPSHOT}`,
      "token: the server token",
    ]);
    expect(fs.readFileSync(path.join(root, "var/lib/rancher/k3s/server/db/restored-from"), "utf8").trim()).toBe(SNAPSHOT);
    expect(fs.existsSync(path.join(state, "active-k3s"))).toBe(true);
    expect(results.map((r) => r.output).join("")).not.toContain(TOKEN);
  });

  it("falls back to the token file when stdin has none, and turns S3 off for a local snapshot", async () => {
    placeConfig(first, [first, second]);
    fs.writeFileSync(nodePaths(root).token, TOKEN, { mode: 0o600 });
    fs.rmSync(path.join(state, "k3s-server.log"), { force: true });
    const local = "/var/lib/rancher/k3s/server/db/snapshots/" + SNAPSHOT;
    fs.mkdirSync(path.join(root, path.dirname(local)), { recursive: true });
    const plan = etcdRestorePlan([first, second], { snapshot: path.join(root, local), source: "local" }, options)
      .filter((s) => s.node.name === first.name);
    fs.writeFileSync(path.join(root, local), "snapshot");
    await executeRestorePlan(plan, connector, "");
    expect(lines("k3s-server.log")[0]).toMatch(/--cluster-reset-restore-path=\S+ --etcd-s3=false$/);
    expect(lines("k3s-server.log")[1]).toBe("token: the server token");
  });

  it("refuses to reset a server that joins another, or one whose K3s still runs", async () => {
    placeConfig(second, [first, second]);
    const [reset] = etcdRestorePlan([first, second], { snapshot: SNAPSHOT, source: "s3" }, options).filter((s) => s.kind === "reset");
    // The reset step as it would run on a server with server: in its config.
    fs.rmSync(path.join(state, "active-k3s"), { force: true });
    const joined = await ssh(asCommand(reset.script, true), `${TOKEN}\n`);
    expect(joined.code).not.toBe(0);
    expect(joined.stderr).toContain("K3s resets only on the cluster-init server");
    placeConfig(first, [first, second]);
    fs.writeFileSync(path.join(state, "active-k3s"), "");
    const running = await ssh(asCommand(reset.script, true), `${TOKEN}\n`);
    expect(running.code).not.toBe(0);
    expect(running.stderr).toContain("K3s is still running on s1; run the stop step on every server first");
  });

  it("rejoins another server: its old etcd data is kept aside, then K3s starts", async () => {
    const db = path.join(root, "var/lib/rancher/k3s/server/db");
    fs.mkdirSync(db, { recursive: true });
    fs.writeFileSync(path.join(db, "member"), "old member");
    const plan = etcdRestorePlan([first, second], { snapshot: SNAPSHOT, source: "s3" }, options)
      .filter((s) => s.node.name === second.name);
    expect(plan.map((s) => s.kind)).toEqual(["stop", "rejoin"]);
    const results = await executeRestorePlan(plan, connector, TOKEN);
    expect(results[1].output).toMatch(/old etcd data of s2 moved to \S+db-before-restore-\d{8}T\d{6}Z/);
    expect(fs.existsSync(db)).toBe(false);
    const aside = fs.readdirSync(path.dirname(db)).find((f) => f.startsWith("db-before-restore-"))!;
    expect(fs.readFileSync(path.join(path.dirname(db), aside, "member"), "utf8")).toBe("old member");
    expect(fs.existsSync(path.join(state, "active-k3s"))).toBe(true);
  });

  it("stops at the first failed step and says which", async () => {
    const plan = etcdRestorePlan([first], { snapshot: SNAPSHOT, source: "s3" }, options);
    fs.writeFileSync(path.join(state, "active-k3s"), "");
    // A wrong token: the stand-in refuses it as K3s would.
    await expect(executeRestorePlan(plan, connector, "K10wrong::server:nope")).rejects.toThrow(/the reset step failed on s1/);
  });
});
