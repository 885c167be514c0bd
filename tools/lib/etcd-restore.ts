// The runner behind `npm run etcd-restore` (docs/recovery.md): executes the restore plan
// (components/k3s/restore.ts) over SSH, one step after the other, stopping at the first failure.
// Host keys are pinned from the inventory; the server token goes to the reset step's stdin only.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { K3sSettings, NodeSpec } from "../../components/config/schema";
import { asCommand } from "../../components/k3s/scripts";
import type { RestoreStep } from "../../components/k3s/restore";

export class RestoreError extends Error {}

export interface SshTarget {
  /** ssh's arguments before the remote command (identity, port, pinned known_hosts, user@host). */
  args: string[];
}

export interface Connector {
  /** The ssh arguments that reach `node`. */
  argsFor(node: NodeSpec): string[];
  /** Removes the temporary known_hosts file. */
  close(): void;
}

/** ssh arguments for the inventory: key auth only, every host key (the bastion's too) pinned. */
export function inventoryConnector(nodes: readonly NodeSpec[], k3s: Pick<K3sSettings, "bastion">, identityFile: string): Connector {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "etcd-restore-"));
  const knownHosts = path.join(dir, "known_hosts");
  const entry = (host: string, port: number, key: string) => `${port === 22 ? host : `[${host}]:${port}`} ${key}`;
  const lines = nodes.map((n) => entry(n.host, n.port, n.hostKey));
  if (k3s.bastion) lines.push(entry(k3s.bastion.host, k3s.bastion.port, k3s.bastion.hostKey));
  fs.writeFileSync(knownHosts, lines.join("\n") + "\n", { mode: 0o600 });
  const common = [
    "-F", "/dev/null", "-i", identityFile, "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
    "-o", "StrictHostKeyChecking=yes", "-o", `UserKnownHostsFile=${knownHosts}`, "-o", "GlobalKnownHostsFile=/dev/null",
  ];
  const bastion = k3s.bastion;
  return {
    argsFor: (node) => [
      ...common,
      ...(bastion ? ["-J", `${bastion.user}@${bastion.host}:${bastion.port}`] : []),
      "-p", String(node.port), `${node.user}@${node.host}`,
    ],
    close: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

export interface StepResult {
  node: string;
  kind: RestoreStep["kind"];
  code: number | null;
  output: string;
}

function runSsh(args: string[], stdin: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("ssh", args, { stdio: ["pipe", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
    child.stdin.end(stdin);
  });
}

/**
 * Runs every step in order; a failed step stops the restore (what has run is reported, and the
 * runbook says how to resume). `log` receives each step's output as it finishes.
 */
export async function executeRestorePlan(
  plan: RestoreStep[],
  connector: Pick<Connector, "argsFor">,
  token: string,
  log: (line: string) => void = () => undefined,
): Promise<StepResult[]> {
  const results: StepResult[] = [];
  for (const step of plan) {
    log(`==> ${step.kind} on ${step.node.name}`);
    const { code, output } = await runSsh([...connector.argsFor(step.node), asCommand(step.script, true)], step.takesToken ? `${token}\n` : "");
    results.push({ node: step.node.name, kind: step.kind, code, output });
    log(output.trimEnd());
    if (code !== 0) {
      throw new RestoreError(`the ${step.kind} step failed on ${step.node.name} (exit ${code}); fix the cause and run the remaining steps (docs/recovery.md, "If a step fails")`);
    }
  }
  return results;
}
