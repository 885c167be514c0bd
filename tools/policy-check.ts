// `npm run policy:check -- [--json] [--config FILE] FILE...`
// Evaluates the policy pack on Kubernetes YAML (multi-document; `helm template` output is the
// typical input). Objects without a namespace get the default level, restricted. Exit status:
// 0 clean or advisory only, 1 a mandatory violation, 2 a usage or input error.
import * as fs from "node:fs";
import * as YAML from "yaml";
import { evaluate, formatViolation, hasMandatory, loadPackConfig, PackConfig, PackConfigError } from "../policies/lib/engine";
import { manifestType } from "../policies/lib/k8s";
import { PlainResource, Violation } from "../policies/lib/types";
import { ALL_POLICIES } from "../policies/registry";
import { runCli } from "./lib/cli";

const USAGE = "usage: npm run policy:check -- [--json] [--config FILE] FILE...";

export class UsageError extends Error {}

export interface CheckArgs {
  json: boolean;
  config?: string;
  files: string[];
}

export function parseArgs(argv: string[]): CheckArgs {
  const files: string[] = [];
  let json = false;
  let config: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === "--json") json = true;
    else if (arg === "--config") {
      config = argv[++i];
      if (config === undefined) throw new UsageError(`--config needs a file\n${USAGE}`);
    } else if (arg.startsWith("-") && arg !== "-") throw new UsageError(`unknown option ${arg}\n${USAGE}`);
    else files.push(arg);
  }
  if (!files.length) throw new UsageError(USAGE);
  return { json, config, files };
}

/** Every Kubernetes object in a YAML text (documents and `kind: List` items), as plain resources. */
export function parseManifests(text: string, file: string): PlainResource[] {
  const out: PlainResource[] = [];
  const docs = YAML.parseAllDocuments(text);
  docs.forEach((doc, index) => {
    if (doc.errors.length) throw new UsageError(`${file}: document ${index + 1}: ${doc.errors[0].message}`);
    const add = (obj: unknown, where: string) => {
      if (obj === null || typeof obj !== "object" || Array.isArray(obj)) return;
      const o = obj as Record<string, unknown>;
      if (typeof o.kind !== "string" || typeof o.apiVersion !== "string") return;
      if (o.kind.endsWith("List") && Array.isArray(o.items)) {
        o.items.forEach((item, i) => add(item, `${where}.items[${i}]`));
        return;
      }
      const meta = (o.metadata ?? {}) as Record<string, unknown>;
      const name = typeof meta.name === "string" ? meta.name : `(unnamed ${o.kind})`;
      out.push({ type: manifestType(o.apiVersion, o.kind), name, urn: `${file}#${where}`, props: o, file });
    };
    add(doc.toJS(), String(index + 1));
  });
  return out;
}

export interface JsonViolation {
  file: string | null;
  kind: string | null;
  name: string | null;
  namespace: string | null;
  policy: string;
  enforcementLevel: string;
  pss: { level: string; check: string } | null;
  message: string;
}

export function toJson(v: Violation): JsonViolation {
  return {
    file: v.resource?.file ?? null,
    kind: v.resource?.kind ?? null,
    name: v.resource?.name ?? null,
    namespace: v.resource?.namespace ?? null,
    policy: v.policy,
    enforcementLevel: v.enforcementLevel,
    pss: v.pss,
    message: v.message,
  };
}

export function checkFiles(args: CheckArgs): Violation[] {
  const pack: PackConfig = args.config ? loadPackConfig(args.config, ALL_POLICIES) : {};
  const resources = args.files.flatMap((file) => {
    const text = file === "-" ? fs.readFileSync(0, "utf8") : readFile(file);
    return parseManifests(text, file);
  });
  return evaluate(ALL_POLICIES, resources, pack, { source: "manifests" });
}

function readFile(file: string): string {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function main(): number {
  const args = parseArgs(process.argv.slice(2));
  const violations = checkFiles(args);
  if (args.json) process.stdout.write(JSON.stringify({ violations: violations.map(toJson) }, null, 2) + "\n");
  else {
    for (const v of violations) process.stdout.write(formatViolation(v) + "\n");
    const mandatory = violations.filter((v) => v.enforcementLevel === "mandatory").length;
    process.stdout.write(`${violations.length} violation(s), ${mandatory} mandatory\n`);
  }
  return hasMandatory(violations) ? 1 : 0;
}

if (require.main === module) runCli(main, [UsageError, PackConfigError], 2);
