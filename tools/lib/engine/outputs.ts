// The outputs a resource would have once `pulumi up` created or updated it, simulated: its inputs
// plus the fields its provider computes, with deterministic stand-in values (a function of the
// resource's URN and inputs, so two runs of the same program agree byte for byte, and a resource
// created with other inputs gets other values). Nothing here is a real secret.
import { createHash } from "node:crypto";

const digest = (...parts: unknown[]) => createHash("sha256").update(JSON.stringify(parts)).digest("hex");

/** A PEM block whose body is a stand-in: well-formed for parsers that only split PEM blocks. */
export function standInPem(label: string, seed: string): string {
  const body = Buffer.from(`homelab-plan-stand-in:${label}:${digest(seed)}`).toString("base64");
  return `-----BEGIN ${label}-----\n${body.match(/.{1,64}/g)!.join("\n")}\n-----END ${label}-----\n`;
}

/** An alphanumeric stand-in of a given length (random passwords). */
function standInText(seed: string, length: number): string {
  let out = "";
  for (let i = 0; out.length < length; i++) out += digest(seed, i).replace(/[^a-z0-9]/g, "");
  return out.slice(0, length);
}

/** Fixed validity window for stand-in certificates, so plans never depend on the clock. */
const VALID_FROM = "2026-01-01T00:00:00Z";
const VALID_UNTIL = "2036-01-01T00:00:00Z";

/**
 * The provider-computed outputs of a resource after create or update, by type. `inputs` are the
 * resource's plain inputs; the caller merges these over them.
 */
export function computedOutputs(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  // A function of the whole input, serialised only for the types that need one (most resources,
  // commands with long scripts among them, do not).
  let serialised: string | undefined;
  const seed = () => (serialised ??= `${type}\0${name}\0${JSON.stringify(inputs)}`);
  switch (type) {
    case "command:remote:Command":
    case "command:local:Command":
      return { stdout: "", stderr: "" };
    case "random:index/randomPassword:RandomPassword":
      return { result: standInText(seed(), Number(inputs.length ?? 16)), bcryptHash: `$2a$10$${standInText(seed() + "bcrypt", 53)}` };
    case "random:index/randomBytes:RandomBytes": {
      const bytes = Buffer.from(standInText(seed(), Number(inputs.length ?? 32) * 2), "utf8").subarray(0, Number(inputs.length ?? 32));
      return { base64: bytes.toString("base64"), hex: bytes.toString("hex") };
    }
    case "tls:index/privateKey:PrivateKey":
      return {
        privateKeyPem: standInPem(inputs.algorithm === "RSA" ? "RSA PRIVATE KEY" : "EC PRIVATE KEY", seed()),
        privateKeyPemPkcs8: standInPem("PRIVATE KEY", seed()),
        privateKeyOpenssh: standInPem("OPENSSH PRIVATE KEY", seed()),
        publicKeyPem: standInPem("PUBLIC KEY", seed()),
        publicKeyOpenssh: `ecdsa-sha2-nistp256 ${Buffer.from(digest(seed())).toString("base64")}\n`,
        publicKeyFingerprintSha256: `SHA256:${digest(seed()).slice(0, 43)}`,
        publicKeyFingerprintMd5: digest(seed()).slice(0, 32).replace(/(..)(?!$)/g, "$1:"),
      };
    case "tls:index/selfSignedCert:SelfSignedCert":
    case "tls:index/locallySignedCert:LocallySignedCert":
      return { certPem: standInPem("CERTIFICATE", seed()), validityStartTime: VALID_FROM, validityEndTime: VALID_UNTIL, readyForRenewal: false };
    case "tls:index/certRequest:CertRequest":
      return { certRequestPem: standInPem("CERTIFICATE REQUEST", seed()) };
    case "aws:iam/accessKey:AccessKey":
      return { arn: `arn:aws:mock:::${name}`, secret: standInText(seed(), 40), sesSmtpPasswordV4: standInText(seed() + "smtp", 44), status: "Active" };
    case "aws:kms/key:Key":
      return { arn: `arn:aws:mock:::${name}`, keyId: `mock-key-${digest(seed()).slice(0, 8)}` };
    case "aws:s3/bucket:Bucket":
      // AWS completes a bucketPrefix with a random suffix; the plan shows where it goes.
      return { arn: `arn:aws:mock:::${name}`, bucket: inputs.bucket ?? `${inputs.bucketPrefix ?? `${name}-`}<suffix>` };
    default:
      return type.startsWith("aws:") ? { arn: `arn:aws:mock:::${name}` } : {};
  }
}
