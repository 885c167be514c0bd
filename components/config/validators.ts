// Format checks shared by the config schema. Each is a plain predicate named for what it accepts,
// so the schema reads as a list of rules and the rules can be tested on their own.
import { isIP } from "node:net";

const HOSTNAME_LABEL = /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/;
const DNS1123_LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const K3S_RELEASE = /^v\d+\.\d+\.\d+\+k3s\d+$/;
const QUANTITY_BYTES = /^[1-9]\d*(Ki|Mi|Gi|Ti)$/;
const PROMETHEUS_DURATION = /^[1-9]\d*(h|d|w|y)$/;
const LABEL_NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/;
const TAINT = /^([^=:\s]+)(=([^=:\s]*))?:(NoSchedule|PreferNoSchedule|NoExecute)$/;

/** An IPv4 or IPv6 literal. */
export function isIpAddress(value: string): boolean {
  return isIP(value) !== 0;
}

/** A DNS hostname (RFC 1123), fully qualified or not. */
export function isHostname(value: string): boolean {
  if (value.length === 0 || value.length > 253) return false;
  const labels = value.replace(/\.$/, "").split(".");
  // A name made only of digits and dots is a malformed IP, not a hostname.
  if (labels.every((label) => /^\d+$/.test(label))) return false;
  return labels.every((label) => HOSTNAME_LABEL.test(label));
}

/** Where a machine can be reached: an IP literal or a hostname. */
export function isAddress(value: string): boolean {
  return isIpAddress(value) || isHostname(value);
}

/** An IPv4 or IPv6 network in CIDR notation, e.g. 192.168.1.0/24. */
export function isCidr(value: string): boolean {
  const [address, bits, ...rest] = value.split("/");
  if (rest.length > 0 || bits === undefined || !/^\d{1,3}$/.test(bits)) return false;
  const family = isIP(address);
  if (family === 0) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}

/** A network of exactly one address: an IPv4 /32 or an IPv6 /128. */
export function isSingleHostCidr(value: string): boolean {
  if (!isCidr(value)) return false;
  const [address, bits] = value.split("/");
  return Number(bits) === (isIP(address) === 4 ? 32 : 128);
}

/** A Kubernetes object name that is also a valid node name (DNS-1123 label). */
export function isDns1123Label(value: string): boolean {
  return DNS1123_LABEL.test(value);
}

/** A pinned K3s release such as v1.33.5+k3s1; channels like "stable" or "latest" are refused. */
export function isPinnedK3sVersion(value: string): boolean {
  return K3S_RELEASE.test(value);
}

/** A byte quantity in binary units, e.g. 50Gi. */
export function isByteQuantity(value: string): boolean {
  return QUANTITY_BYTES.test(value);
}

/** A Prometheus/Loki-style duration in hours or longer, e.g. 30d or 744h. */
export function isRetention(value: string): boolean {
  return PROMETHEUS_DURATION.test(value);
}

const HOURS_PER_UNIT: Record<string, number> = { h: 1, d: 24, w: 168, y: 8760 };

/** The hours in a duration that isRetention accepts. */
export function durationHours(value: string): number {
  const match = /^(\d+)(h|d|w|y)$/.exec(value);
  return match ? Number(match[1]) * HOURS_PER_UNIT[match[2]] : NaN;
}

// Plain scalars YAML 1.1 (Go's yaml.v2, which K3s and client-go use) does not read as strings:
// booleans, null, and integers in decimal, octal, hex or binary.
const YAML_11_NOT_STRING = /^(y|yes|n|no|true|false|on|off|null|~|[-+]?(0|[1-9][0-9_]*)|0[0-7_]+|0x[0-9a-fA-F_]+|0b[01_]+)$/i;

/** Whether a YAML 1.1 parser reads this value, written unquoted, as a string. */
export function isYaml11String(value: string): boolean {
  return !YAML_11_NOT_STRING.test(value);
}

/** A Kubernetes label key: an optional DNS-subdomain prefix and a name of at most 63 characters. */
export function isLabelKey(value: string): boolean {
  const slash = value.lastIndexOf("/");
  const name = slash === -1 ? value : value.slice(slash + 1);
  const prefix = slash === -1 ? undefined : value.slice(0, slash);
  if (prefix !== undefined && (prefix.length > 253 || !isHostname(prefix))) return false;
  return LABEL_NAME.test(name);
}

/** A Kubernetes label value: at most 63 characters, alphanumeric at both ends. */
export function isLabelValue(value: string): boolean {
  return value.length <= 63 && LABEL_VALUE.test(value);
}

// Labels under kubernetes.io / k8s.io that the kubelet may still set on its own node.
const KUBELET_ALLOWED_LABELS = new Set([
  "kubernetes.io/hostname", "kubernetes.io/arch", "kubernetes.io/os",
  "beta.kubernetes.io/instance-type", "node.kubernetes.io/instance-type",
  "failure-domain.beta.kubernetes.io/region", "failure-domain.beta.kubernetes.io/zone",
  "topology.kubernetes.io/region", "topology.kubernetes.io/zone",
]);

/**
 * Whether the kubelet may set this label on its own node (the NodeRestriction admission plugin).
 * K3s passes `node-label` to the kubelet, so a refused label (node-role.kubernetes.io/worker is
 * the classic) makes the node fail to register.
 */
export function isKubeletSettableLabel(key: string): boolean {
  const slash = key.indexOf("/");
  if (slash === -1) return true;
  const prefix = key.slice(0, slash);
  if (!/(^|\.)(kubernetes\.io|k8s\.io)$/.test(prefix)) return true;
  return KUBELET_ALLOWED_LABELS.has(key) || /(^|\.)(kubelet|node)\.kubernetes\.io$/.test(prefix);
}

/** A node taint in K3s's `key[=value]:Effect` form. */
export function parseTaint(value: string): { key: string; value?: string; effect: string } | undefined {
  const match = TAINT.exec(value);
  if (!match || !isLabelKey(match[1])) return undefined;
  if (match[3] !== undefined && match[3] !== "" && !isLabelValue(match[3])) return undefined;
  return { key: match[1], value: match[3] || undefined, effect: match[4] };
}

const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const S3_RESERVED_PREFIXES = ["xn--", "sthree-", "amzn-s3-demo-"];
const S3_RESERVED_SUFFIXES = ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"];

/** A general-purpose S3 bucket name (AWS naming rules, which MinIO follows too). */
export function isS3BucketName(value: string): boolean {
  if (!S3_BUCKET.test(value) || value.includes("..") || isIP(value) !== 0) return false;
  return !S3_RESERVED_PREFIXES.some((p) => value.startsWith(p)) && !S3_RESERVED_SUFFIXES.some((s) => value.endsWith(s));
}

/** A folder (key prefix) inside a bucket: segments of letters, digits and ._- joined by single slashes. */
export function isS3Folder(value: string): boolean {
  return value.length <= 512 && value.split("/").every((segment) => /^[A-Za-z0-9._-]+$/.test(segment) && segment !== "." && segment !== "..");
}

/** A hostname, IPv4 address or bracketed IPv6 address, optionally followed by :port (1-65535). */
export function isHostPort(value: string): boolean {
  const match = /^(\[[^\]]+\]|[^:[\]]+)(?::(\d{1,5}))?$/.exec(value);
  if (!match) return false;
  const [, host, port] = match;
  if (port !== undefined && (Number(port) < 1 || Number(port) > 65535)) return false;
  if (host.startsWith("[")) return isIP(host.slice(1, -1)) === 6;
  return isIP(host) === 4 || isHostname(host);
}

/** An IP literal as a number and its family, for range arithmetic. */
function ipToBigInt(address: string): { family: 4 | 6; value: bigint } | undefined {
  const family = isIP(address);
  if (family === 4) return { family, value: address.split(".").reduce((n, o) => (n << 8n) + BigInt(Number(o)), 0n) };
  if (family !== 6) return undefined;
  let text = address;
  // An embedded IPv4 tail (::ffff:10.0.0.1) becomes two hextets.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const n = ipToBigInt(v4[1])!.value;
    text = text.slice(0, -v4[1].length) + `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  return { family, value: groups.reduce((n, g) => (n << 16n) + BigInt(parseInt(g || "0", 16)), 0n) };
}

/** The first and last address of a CIDR network (undefined if it is not one). */
export function cidrRange(cidr: string): { family: 4 | 6; first: bigint; last: bigint } | undefined {
  if (!isCidr(cidr)) return undefined;
  const [address, bits] = cidr.split("/");
  const ip = ipToBigInt(address)!;
  const width = ip.family === 4 ? 32n : 128n;
  const hostBits = width - BigInt(Number(bits));
  const first = (ip.value >> hostBits) << hostBits;
  return { family: ip.family, first, last: first + (1n << hostBits) - 1n };
}

/** Whether two CIDR networks of the same family share any address. */
export function cidrsOverlap(a: string, b: string): boolean {
  const x = cidrRange(a);
  const y = cidrRange(b);
  return x !== undefined && y !== undefined && x.family === y.family && x.first <= y.last && y.first <= x.last;
}

/** Whether an IP literal lies inside a CIDR network. */
export function cidrContains(cidr: string, address: string): boolean {
  const range = cidrRange(cidr);
  const ip = ipToBigInt(address);
  return range !== undefined && ip !== undefined && range.family === ip.family && range.first <= ip.value && ip.value <= range.last;
}

/** A lowercase DNS name of two or more labels (e.g. lab.home.arpa): what an ingress host or domain may be. */
export function isDnsName(value: string): boolean {
  if (value.length > 253) return false;
  const labels = value.split(".");
  return labels.length >= 2 && labels.every((label) => DNS1123_LABEL.test(label)) && !/^\d+$/.test(labels[labels.length - 1]);
}

/** Whether a DNS name is the domain itself or lies under it (a.lab.home.arpa under lab.home.arpa). */
export function isUnderDomain(name: string, domain: string): boolean {
  return name === domain || name.endsWith(`.${domain}`);
}

/**
 * Names reserved for private or special use (RFC 8375 home.arpa, RFC 6762 .local, RFC 6761 and
 * RFC 2606 names, ICANN's .internal, and the common .lan): no public CA issues certificates for them.
 */
const NON_PUBLIC_SUFFIXES = ["home.arpa", "local", "internal", "lan", "localdomain", "localhost", "test", "example", "invalid"];
export function isNonPublicDomain(domain: string): boolean {
  return NON_PUBLIC_SUFFIXES.some((suffix) => isUnderDomain(domain, suffix));
}

/** AWS's limit of access keys per IAM user. */
export const MAX_ACCESS_KEYS = 2;

/** Why a list of access key generations (homelab:aws.accessKeyGenerations) cannot be used, or undefined. */
export function accessKeyGenerationsProblem(generations: readonly number[]): string | undefined {
  if (generations.length === 0) return "expected at least one key generation, e.g. [1]";
  if (generations.length > MAX_ACCESS_KEYS) return `AWS allows ${MAX_ACCESS_KEYS} access keys per IAM user: keep the old and the new generation only`;
  if (generations.some((g, i) => i > 0 && g <= generations[i - 1])) return "list the generations in ascending order, each once (e.g. [1, 2] while rotating)";
  return undefined;
}

/**
 * An RFC 3339 timestamp with an explicit zone (Z or ±hh:mm), e.g. 2026-11-28T21:30:00Z: the form
 * CloudNative-PG's recoveryTarget.targetTime parses without guessing a time zone.
 */
export function isZonedTimestamp(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/.exec(value);
  if (!match) return false;
  const [, y, mo, d, h, mi, s] = match.map(Number);
  const day = new Date(Date.UTC(y, mo - 1, d));
  return day.getUTCMonth() === mo - 1 && day.getUTCDate() === d && h < 24 && mi < 60 && s < 60 && !Number.isNaN(Date.parse(value));
}

/** A Barman Cloud server name: the folder a cluster's WAL and base backups are filed under in the bucket. */
export function isBackupServerName(value: string): boolean {
  return /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(value);
}
