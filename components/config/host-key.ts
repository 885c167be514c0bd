// Pinned SSH host keys, checked the way @pulumi/command will use them. The provider parses the line
// with x/crypto/ssh's ParseAuthorizedKey, pins it with FixedHostKey and offers the server only that
// key's type as host key algorithm (pulumi-command v1.2.1, provider/pkg/provider/remote/
// connection.go: `HostKeyAlgorithms: []string{publicKey.Type()}`). A key that does not parse fails
// every SSH step at deploy time, so the blob is decoded here as SSH wire format (RFC 4253 6.6,
// RFC 5656 3.1) with the sizes x/crypto/ssh checks (keys.go: parseED25519, parseECDSA).
import { createPublicKey } from "node:crypto";

const ECDSA_CURVES: Record<string, { name: string; jwk: string; coordinateBytes: number }> = {
  "ecdsa-sha2-nistp256": { name: "nistp256", jwk: "P-256", coordinateBytes: 32 },
  "ecdsa-sha2-nistp384": { name: "nistp384", jwk: "P-384", coordinateBytes: 48 },
  "ecdsa-sha2-nistp521": { name: "nistp521", jwk: "P-521", coordinateBytes: 66 },
};

/** The host key types @pulumi/command can pin against a current OpenSSH server. */
export const HOST_KEY_TYPES = ["ssh-ed25519", ...Object.keys(ECDSA_CURVES)] as const;

const KEYSCAN = "ssh-keyscan -t ed25519 <host>";

/**
 * Why an RSA host key cannot be pinned: x/crypto/ssh names an RSA key's type "ssh-rsa" (keys.go,
 * rsaPublicKey.Type), so the client offers only the SHA-1 "ssh-rsa" signature algorithm, which
 * OpenSSH 8.8 and later refuse by default; the handshake fails with no common host key algorithm.
 */
const RSA_REFUSED = "an ssh-rsa host key cannot be pinned: @pulumi/command then offers only SHA-1 \"ssh-rsa\" signatures, which OpenSSH 8.8 and later refuse by default (no common host key algorithm)";

/** Reads one length-prefixed SSH `string`; undefined when the data ends early. */
function readString(data: Buffer, offset: number): { value: Buffer; next: number } | undefined {
  if (offset + 4 > data.length) return undefined;
  const length = data.readUInt32BE(offset);
  const end = offset + 4 + length;
  if (end > data.length) return undefined;
  return { value: data.subarray(offset + 4, end), next: end };
}

/** Problems with the decoded key blob of a declared type, or undefined when it is a valid key. */
function blobProblem(type: string, blob: Buffer): string | undefined {
  const truncated = "the key data ends early (truncated when copied?)";
  const inner = readString(blob, 0);
  if (!inner) return truncated;
  const innerType = inner.value.toString("latin1");
  if (innerType !== type) return `the key data is a "${innerType}" key but the line says "${type}"`;
  let rest: number;
  if (type === "ssh-ed25519") {
    const key = readString(blob, inner.next);
    if (!key) return truncated;
    if (key.value.length !== 32) return `an ed25519 key is 32 bytes, this one ${key.value.length}`;
    rest = key.next;
  } else {
    const curve = ECDSA_CURVES[type];
    const name = readString(blob, inner.next);
    const point = name && readString(blob, name.next);
    if (!name || !point) return truncated;
    if (name.value.toString("latin1") !== curve.name) return `the key data names curve "${name.value.toString("latin1")}" but the line says "${type}"`;
    const size = 1 + 2 * curve.coordinateBytes;
    if (point.value.length !== size || point.value[0] !== 0x04) return `a ${curve.name} key is an uncompressed point of ${size} bytes, this one ${point.value.length}`;
    const x = point.value.subarray(1, 1 + curve.coordinateBytes).toString("base64url");
    const y = point.value.subarray(1 + curve.coordinateBytes).toString("base64url");
    try {
      createPublicKey({ key: { kty: "EC", crv: curve.jwk, x, y }, format: "jwk" });
    } catch {
      return `the key's point is not on curve ${curve.name} (damaged when copied?)`;
    }
    rest = point.next;
  }
  if (rest !== blob.length) return `${blob.length - rest} unexpected bytes follow the key`;
  return undefined;
}

/**
 * What is wrong with one public host key line ("<type> <base64> [comment]", as `ssh-keyscan`
 * prints it after the host name), or undefined when @pulumi/command can pin it. `host` completes
 * the ssh-keyscan command in messages.
 */
export function hostKeyProblem(line: string, host?: string): string | undefined {
  const keyscan = KEYSCAN.replace("<host>", host ?? "<host>");
  // A trailing comment is allowed, as in authorized_keys.
  const [type, data] = line.trim().split(/\s+/);
  if (/PRIVATE KEY/.test(line)) return `is a private key; a host key is the node's public key: ${keyscan}`;
  if (/^(SHA256|MD5):/.test(type)) return `is a fingerprint, not the key itself; get the key with ${keyscan}`;
  if (type === "ssh-rsa") return `${RSA_REFUSED}; pin the node's ed25519 key: ${keyscan}`;
  if (type === "ssh-dss") return `DSA host keys are no longer offered by OpenSSH; pin the node's ed25519 key: ${keyscan}`;
  if (!(HOST_KEY_TYPES as readonly string[]).includes(type)) {
    if ((HOST_KEY_TYPES as readonly string[]).includes(data ?? "")) {
      return `starts with "${type}", the host name ssh-keyscan prints first; keep only "${data} AAAA..."`;
    }
    return `expected a key type (${HOST_KEY_TYPES.join(", ")}) and the key, as ${keyscan} prints them`;
  }
  if (data === undefined) return `has the key type but not the key; get both with ${keyscan}`;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(data) || data.length % 4 !== 0) {
    return `the key is not complete base64 (truncated or damaged when copied?); copy it again from ${keyscan}`;
  }
  const problem = blobProblem(type, Buffer.from(data, "base64"));
  if (problem) return `${problem}; copy it again from ${keyscan}`;
  return undefined;
}
