// `npm run etcd-restore -- <stack> --snapshot <name> [--local] --identity <ssh key> [--dry-run]`
// Restores the stack's K3s cluster from an etcd snapshot (docs/recovery.md): stops K3s on every
// server, resets the first server from the snapshot, starts it, rejoins the others. The server
// token is read from the environment (K3S_TOKEN, e.g. from `pulumi stack output --show-secrets
// serverToken`) and reaches the first server on stdin only; without it the first server's own
// token file is used. --dry-run prints the steps and scripts without connecting.
import * as path from "node:path";
import { ConfigError, parseSettings } from "../components/config";
import { etcdRestorePlan } from "../components/k3s/restore";
import { runCli } from "./lib/cli";
import { executeRestorePlan, inventoryConnector, RestoreError } from "./lib/etcd-restore";
import { loadStackConfig, StackConfigError } from "./lib/stack-config";

const ROOT = path.resolve(__dirname, "..");
const USAGE = "usage: npm run etcd-restore -- <stack> --snapshot <name> [--local] --identity <ssh private key file> [--dry-run]";

export interface RestoreArgs {
  stack: string;
  snapshot: string;
  local: boolean;
  identity?: string;
  dryRun: boolean;
}

export function parseArgs(argv: string[]): RestoreArgs {
  let stack: string | undefined;
  let snapshot: string | undefined;
  let identity: string | undefined;
  let local = false;
  let dryRun = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new RestoreError(`${a} needs a value\n${USAGE}`);
      return v;
    };
    if (a === "--snapshot") snapshot = next();
    else if (a === "--identity") identity = next();
    else if (a === "--local") local = true;
    else if (a === "--dry-run") dryRun = true;
    else if (!a.startsWith("-") && stack === undefined) stack = a;
    else throw new RestoreError(`unknown argument ${a}\n${USAGE}`);
  }
  if (!stack || !snapshot) throw new RestoreError(USAGE);
  if (!dryRun && !identity) throw new RestoreError(`--identity is required (the SSH key that logs in to the nodes)\n${USAGE}`);
  return { stack, snapshot, local, identity, dryRun };
}

/** The inventory as the stack declares it (only non-secret keys are read). */
function inventory(stack: string) {
  const config = loadStackConfig(ROOT, stack);
  const raw: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(config.values)) {
    if (!key.startsWith("homelab:") || config.secretKeys.includes(key)) continue;
    try {
      raw[key.slice("homelab:".length)] = JSON.parse(value);
    } catch {
      raw[key.slice("homelab:".length)] = value;
    }
  }
  return parseSettings(raw);
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const settings = inventory(args.stack);
  const plan = etcdRestorePlan(settings.nodes, { snapshot: args.snapshot, source: args.local ? "local" : "s3" });
  if (args.dryRun) {
    for (const step of plan) process.stdout.write(`==> ${step.kind} on ${step.node.name} (${step.node.host})\n${step.script}\n`);
    return 0;
  }
  const token = process.env.K3S_TOKEN ?? "";
  const connector = inventoryConnector(settings.nodes, settings.k3s, args.identity!);
  try {
    await executeRestorePlan(plan, connector, token, (line) => process.stdout.write(`${line}\n`));
  } finally {
    connector.close();
  }
  process.stdout.write("etcd restored; check 'kubectl get nodes' and the runbook's after-restore checks\n");
  return 0;
}

if (require.main === module) runCli(main, [RestoreError, ConfigError, StackConfigError]);
