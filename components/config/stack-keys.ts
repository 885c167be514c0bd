// Every key of the stack's config, as the runtime passes them: the program reads them all, so none
// is silently ignored. The Pulumi CLI does not refuse keys a program never reads; this does.
import { closest } from "./messages";
import { CONFIG_NAMESPACE, ConfigProblem } from "./problems";
import { ALL_SECRET_KEYS, secretValueProblem, setSecretCommand } from "./secrets";

/**
 * Namespaces other than the program's. `pulumi:` holds engine settings (Pulumi.yaml sets
 * pulumi:disable-default-providers) and is left to the engine. The providers' own namespaces
 * configure default providers only, and every provider here is explicit (default providers are
 * disabled), so a key there would be ignored: it is refused with where the setting lives instead.
 */
const FOREIGN_NAMESPACES: Record<string, { ignoredBecause: string; moves?: Record<string, string> } | "allowed"> = {
  pulumi: "allowed",
  aws: { ignoredBecause: "the program's AWS provider is explicit and configured from homelab:aws", moves: { region: "homelab:aws.region", profile: "homelab:aws.profile" } },
  kubernetes: { ignoredBecause: "the program's Kubernetes provider is explicit and built from the cluster's kubeconfig" },
  command: { ignoredBecause: "the program's command provider is explicit; SSH settings live in homelab:nodes and homelab:k3s.bastion" },
  random: { ignoredBecause: "the program's random provider is explicit and takes no settings" },
  tls: { ignoredBecause: "the program's TLS provider is explicit and takes no settings" },
};

export interface StackKeys {
  /** The `homelab:` settings (secret keys excepted), values parsed from JSON as the runtime passes them. */
  settings: Record<string, unknown>;
  /** Problems with keys outside the settings: foreign namespaces, secrets stored in plain text. */
  problems: ConfigProblem[];
}

/** A value as the runtime passes it: objects, lists, numbers and booleans as JSON, strings as they are. */
export function parseConfigValue(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Sorts the stack's keys: settings for the schema, problems for keys the program would ignore and
 * for secret keys whose value is not secret (`isSecret` says which keys the engine passed as
 * secrets: those stored encrypted, or set with `--secret`).
 */
export function sortStackKeys(all: Readonly<Record<string, string>>, isSecret: (key: string) => boolean): StackKeys {
  const settings: Record<string, unknown> = {};
  const problems: ConfigProblem[] = [];
  for (const [fullKey, text] of Object.entries(all).sort(([a], [b]) => a.localeCompare(b))) {
    const colon = fullKey.indexOf(":");
    const namespace = colon === -1 ? "" : fullKey.slice(0, colon);
    const key = fullKey.slice(colon + 1);
    if (namespace === CONFIG_NAMESPACE) {
      if (!(ALL_SECRET_KEYS as string[]).includes(key)) settings[key] = parseConfigValue(text);
      else if (!isSecret(fullKey)) {
        problems.push({ path: fullKey, message: `is stored in plain text (in the stack file, or set without --secret); store it encrypted: ${setSecretCommand(key)}` });
      } else {
        const problem = secretValueProblem(key, text);
        if (problem) problems.push({ path: fullKey, message: problem });
      }
      continue;
    }
    const rule = FOREIGN_NAMESPACES[namespace];
    if (rule === "allowed") continue;
    if (rule !== undefined) {
      const move = rule.moves?.[key];
      problems.push({ path: fullKey, message: `would be ignored: ${rule.ignoredBecause}; ${move ? `set ${move} instead` : "remove it"}` });
      continue;
    }
    const guess = closest(namespace, [CONFIG_NAMESPACE, ...Object.keys(FOREIGN_NAMESPACES)]);
    problems.push({
      path: fullKey,
      message: guess === CONFIG_NAMESPACE
        ? `would be ignored: unknown namespace "${namespace}"; did you mean ${CONFIG_NAMESPACE}:${key}?`
        : `would be ignored: this program reads ${CONFIG_NAMESPACE}:* settings only (and leaves pulumi:* to the engine); remove it`,
    });
  }
  return { settings, problems };
}
