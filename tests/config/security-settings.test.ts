// Config keys of the security hardening (docs/security.md): each accepted in its right form and
// refused, by key path, in any other. Kept apart from validation.test.ts, which covers the rest.
import { parseSettings, requiredSecretKeys, secretPresenceProblems } from "../../components/config";
import { problemsOf, validRaw } from "./fixtures";

describe("homelab:aws.permissionsBoundary", () => {
  it("is optional and takes an IAM managed policy ARN", () => {
    expect(parseSettings(validRaw()).aws.permissionsBoundary).toBeUndefined();
    const raw = validRaw();
    raw.aws = { ...raw.aws, permissionsBoundary: "arn:aws:iam::123456789012:policy/homelab-dev-workload-boundary" };
    expect(parseSettings(raw).aws.permissionsBoundary).toBe("arn:aws:iam::123456789012:policy/homelab-dev-workload-boundary");
  });

  it.each(["homelab-dev-workload-boundary", "arn:aws:iam::123456789012:role/x", "arn:aws:iam::12345:policy/x"])("refuses %s", (value) => {
    const raw = validRaw();
    raw.aws = { ...raw.aws, permissionsBoundary: value };
    expect(problemsOf(raw)).toEqual([expect.stringMatching(/^homelab:aws\.permissionsBoundary: expected an IAM managed policy ARN/)]);
  });
});

describe("homelab:ai.ollama.allowedClients", () => {
  const withOllama = (ollama: Record<string, unknown>, lanExposure?: unknown) => {
    const raw = validRaw();
    raw.ai = { ollama, ...(lanExposure ? { lanExposure } : {}) };
    return raw;
  };

  it("admits single hosts (IPv4 /32, IPv6 /128) to Ollama's NodePort, without any LAN exposure of the rest", () => {
    expect(problemsOf(withOllama({ nodePort: 31434, allowedClients: ["192.168.1.20/32", "fd00::20/128"] }))).toEqual([]);
  });

  it.each(["192.168.1.0/24", "192.168.1.20", "fd00::/64", "0.0.0.0/0"])("refuses %s: a network, or no prefix at all", (cidr) => {
    expect(problemsOf(withOllama({ nodePort: 31434, allowedClients: [cidr] }))).toEqual([
      expect.stringMatching(/^homelab:ai\.ollama\.allowedClients\[0\]: expected one host as a \/32/),
    ]);
  });

  it("a NodePort needs its clients even when the LAN exposure of the other services is declared", () => {
    expect(problemsOf(withOllama({ nodePort: 31434 }, { allowedCidrs: ["192.168.1.0/24"] }))).toEqual([
      expect.stringMatching(/^homelab:ai\.ollama\.nodePort: exposes Ollama, which has no authentication/),
    ]);
    expect(problemsOf(withOllama({ nodePort: 31434, allowedClients: [] }))).toEqual([expect.stringMatching(/^homelab:ai\.ollama\.nodePort:/)]);
  });

  it("refuses clients without a NodePort to admit them to", () => {
    expect(problemsOf(withOllama({ allowedClients: ["192.168.1.20/32"] }))).toEqual([
      expect.stringMatching(/^homelab:ai\.ollama\.allowedClients: admits clients to a NodePort that ai\.ollama\.nodePort does not declare/),
    ]);
  });
});

describe("homelab:ssh and homelab:sshPrivateKey", () => {
  const settings = (ssh?: Record<string, unknown>) => {
    const raw = validRaw();
    if (ssh) (raw as Record<string, unknown>).ssh = ssh;
    return parseSettings(raw);
  };

  it("logs in with the key by default, and needs it then", () => {
    expect(settings().ssh).toEqual({ agent: false });
    expect(requiredSecretKeys(settings())).toContain("sshPrivateKey");
    expect(secretPresenceProblems(settings(), new Set())).toEqual([
      { path: "homelab:sshPrivateKey", message: expect.stringMatching(/^is required unless homelab:ssh\.agent is true: .*pulumi config set --secret homelab:sshPrivateKey < ~\/\.ssh\/<private key file>.*ssh\.agent true/) },
    ]);
  });

  it("with the agent, needs no key and refuses one (it would stay in config and in every command's state)", () => {
    const agent = settings({ agent: true, agentSocketPath: "/home/op/.1password/agent.sock" });
    expect(agent.ssh).toEqual({ agent: true, agentSocketPath: "/home/op/.1password/agent.sock" });
    expect(requiredSecretKeys(agent)).not.toContain("sshPrivateKey");
    expect(secretPresenceProblems(agent, new Set())).toEqual([]);
    expect(secretPresenceProblems(agent, new Set(["sshPrivateKey"]))).toEqual([
      { path: "homelab:sshPrivateKey", message: expect.stringContaining("pulumi config rm homelab:sshPrivateKey") },
    ]);
  });

  it("refuses a relative socket path, and a socket path without the agent", () => {
    const raw = validRaw();
    (raw as Record<string, unknown>).ssh = { agent: true, agentSocketPath: "agent.sock" };
    expect(problemsOf(raw)).toEqual([expect.stringMatching(/^homelab:ssh\.agentSocketPath: expected the absolute path/)]);
    (raw as Record<string, unknown>).ssh = { agentSocketPath: "/run/agent.sock" };
    expect(problemsOf(raw)).toEqual([expect.stringMatching(/^homelab:ssh\.agentSocketPath: names an agent socket, but ssh\.agent is false/)]);
  });
});
