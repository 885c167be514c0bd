// Copies of the real stack files with mistakes (or unusual choices) in them, and what the program
// says about them: through the plan's stack-file reader and loadConfig, in this process.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as YAML from "yaml";
import { ConfigError, HomelabConfig, loadConfig } from "../../components/config";
import { loadStackConfig, Override, StackConfigError } from "../../tools/lib/stack-config";

export const ROOT = path.resolve(__dirname, "../..");
export type StackName = "dev" | "staging";

/** A change to a stack file: to its `config:` block as data, or to its text. */
export interface StackChange {
  config?: (config: Record<string, any>) => void;
  text?: (yaml: string) => string;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stack-files-"));
let written = 0;

/** The 1-based line of `text` in the stack file as committed (error positions follow the file's edits). */
export function lineOf(stack: StackName, text: string): number {
  const lines = fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8").split("\n");
  const index = lines.findIndex((line) => line.includes(text));
  if (index === -1) throw new Error(`Pulumi.${stack}.yaml has no line with ${text}`);
  return index + 1;
}

/** Writes a changed copy of Pulumi.<stack>.yaml to a temporary file and returns its path. */
export function writeStackFile(stack: StackName, change: StackChange): string {
  let text = fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8");
  if (change.config) {
    const doc = YAML.parse(text) as { config: Record<string, any> };
    change.config(doc.config);
    text = YAML.stringify(doc);
  }
  if (change.text) text = change.text(text);
  const file = path.join(dir, `${++written}`, `Pulumi.${stack}.yaml`);
  fs.mkdirSync(path.dirname(file));
  fs.writeFileSync(file, text);
  return file;
}

/**
 * What the program says about a stack file, one line per problem (`key path: message`, or
 * `Pulumi.<stack>.yaml:line:col: message` for the file itself); empty when it loads. Needs the mock
 * runtime (tests/helpers/runtime.ts).
 */
export function problemsWith(stack: StackName, file: string, overrides: Override[] = []): string[] {
  let config;
  try {
    config = loadStackConfig(ROOT, stack, file, overrides);
  } catch (err) {
    if (!(err instanceof StackConfigError)) throw err;
    return err.message.split("\n").filter((line) => !line.startsWith("    ")).map((line) => line.replace(`${path.dirname(file)}${path.sep}`, ""));
  }
  pulumi.runtime.setAllConfig(config.values, config.secretKeys);
  try {
    loadConfig();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.problems.map((p) => `${p.path}: ${p.message}`);
  }
  return [];
}

/** The validated config of a stack file that must load (throws its problems otherwise). */
export function configOf(stack: StackName, file: string): HomelabConfig {
  const config = loadStackConfig(ROOT, stack, file);
  pulumi.runtime.setAllConfig(config.values, config.secretKeys);
  return loadConfig();
}

/** An unusual but valid stack file; `plan` ones are also planned end to end by the plan CLI. */
export interface UnusualFile extends StackChange {
  name: string;
  stack: StackName;
  plan?: boolean;
}

const nodesOf = (config: Record<string, any>) => config["homelab:nodes"] as Record<string, any>[];

/** The shapes of lab the issue names (one node, three servers and no agents, ...), each must plan. */
export const UNUSUAL_SHAPES: UnusualFile[] = [
  {
    name: "one node, a backup on Sundays by name, nfsVersion 4.2 written unquoted", stack: "dev", plan: true,
    config: (c) => {
      c["homelab:nodes"] = nodesOf(c).slice(0, 1);
      c["homelab:database"].backup.schedule = "0 2 * * SUN";
      c["homelab:storage"] = { nfsVersion: 4.2 };
    },
  },
  {
    name: "three servers and no agents", stack: "staging", plan: true,
    config: (c) => { c["homelab:nodes"] = nodesOf(c).filter((n) => n.role === "server"); delete c["homelab:gpu"]; },
  },
  {
    name: "IPv4 addresses as hosts", stack: "staging", plan: true,
    config: (c) => nodesOf(c).forEach((n, i) => { n.host = `192.168.1.${11 + i}`; }),
  },
  {
    name: "an arm64 server", stack: "dev", plan: true,
    config: (c) => { nodesOf(c)[0].arch = "arm64"; },
  },
  {
    name: "no GPU in staging", stack: "staging", plan: true,
    config: (c) => {
      const gpuNode = nodesOf(c).find((n) => n.gpu)!;
      delete gpuNode.gpu;
      delete gpuNode.taints;
      delete c["homelab:gpu"];
    },
  },
  {
    name: "no LAN exposure", stack: "staging", plan: true,
    // Nothing on the LAN: no exposed services, no ingress controller.
    config: (c) => { delete c["homelab:ai"].lanExposure; delete c["homelab:ai"].ollama.nodePort; delete c["homelab:ai"].ollama.allowedClients; delete c["homelab:ingress"]; },
  },
];
