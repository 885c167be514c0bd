// Host keys as @pulumi/command will pin them: SSH wire format, types current OpenSSH negotiates.
import { hostKeyProblem } from "../../components/config/host-key";
import { ECDSA_P256_HOST_KEY as P256, RSA_HOST_KEY as RSA } from "./fixtures";

// Public keys made with ssh-keygen for these tests.
const ED25519 = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIB50lTxCjdjkyM7jL8Y5W/nZ4m7obI5Ix/1Ulz/USgav";
const P384 = "ecdsa-sha2-nistp384 AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBB5CwHcdogRdoLrKBSagymej7KiUyesLa/21FhBCeQnKic7Xbk9o450Rj3Mr5bfcTHQhejv42VarK0ElrivLqR+uO6+13Rp19Qw10S6ptfCjMXVijrM6cw1UF9XLjGihjQ==";
const P521 = "ecdsa-sha2-nistp521 AAAAE2VjZHNhLXNoYTItbmlzdHA1MjEAAAAIbmlzdHA1MjEAAACFBAGNt/XCQZPiZ/f7XpiW/g24DqS5pZsIoC5FKWzWJOC6ODstmRewSofgFLGaM9+v1Yp/5XepRI+61rIsuex3LiQkRgC++UIaXYpPZ2QQssZOugaWI8SpoDkHeQQJmf66syHgCz+jmoeRcXCvBm4WxVE1a5bTwUsijXCyfZzns4F2Z3+A8w==";

/** An SSH wire-format string: uint32 length, then the bytes. */
function sshString(value: Buffer | string): Buffer {
  const bytes = Buffer.isBuffer(value) ? value : Buffer.from(value, "latin1");
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}
const line = (type: string, ...parts: (Buffer | string)[]) => `${type} ${Buffer.concat(parts.map(sshString)).toString("base64")}`;
const blobOf = (key: string) => Buffer.from(key.split(" ")[1], "base64");

describe("hostKeyProblem", () => {
  it.each([ED25519, P256, P384, P521, `${ED25519} root@node1`, `  ${ED25519}  `])("accepts %s", (key) => {
    expect(hostKeyProblem(key)).toBeUndefined();
  });

  it("refuses ssh-rsa, saying why, with the ssh-keyscan command for the node", () => {
    expect(hostKeyProblem(RSA, "pgmac01.home.arpa")).toBe(
      'an ssh-rsa host key cannot be pinned: @pulumi/command then offers only SHA-1 "ssh-rsa" signatures, which OpenSSH 8.8 and later refuse by default (no common host key algorithm); ' +
        "pin the node's ed25519 key: ssh-keyscan -t ed25519 pgmac01.home.arpa",
    );
  });

  it.each([
    ["a truncated key (whole base64 groups)", ED25519.slice(0, -4), "the key data ends early"],
    ["a truncated key (broken base64)", ED25519.slice(0, -1), "the key is not complete base64"],
    ["the type alone", "ssh-ed25519", "has the key type but not the key"],
    ["a blob of another type", `ecdsa-sha2-nistp256 ${ED25519.split(" ")[1]}`, 'the key data is a "ssh-ed25519" key but the line says "ecdsa-sha2-nistp256"'],
    ["a short ed25519 key", line("ssh-ed25519", "ssh-ed25519", Buffer.alloc(31, 7)), "an ed25519 key is 32 bytes, this one 31"],
    ["bytes after the key", `ssh-ed25519 ${Buffer.concat([blobOf(ED25519), Buffer.from([0])]).toString("base64")}`, "1 unexpected bytes follow the key"],
    ["a curve that is not the type's", line("ecdsa-sha2-nistp384", "ecdsa-sha2-nistp384", "nistp256", Buffer.alloc(65, 4)), 'the key data names curve "nistp256" but the line says "ecdsa-sha2-nistp384"'],
    ["a point of the wrong size", line("ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256", "nistp256", Buffer.alloc(33, 4)), "a nistp256 key is an uncompressed point of 65 bytes, this one 33"],
    ["a point off the curve", line("ecdsa-sha2-nistp256", "ecdsa-sha2-nistp256", "nistp256", Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)])), "the key's point is not on curve nistp256"],
    ["a fingerprint", "SHA256:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU", "is a fingerprint, not the key itself"],
    ["a private key", "-----BEGIN OPENSSH PRIVATE KEY-----", "is a private key"],
    ["ssh-keyscan's line with the host first", `node1.home.arpa ${ED25519}`, 'starts with "node1.home.arpa", the host name ssh-keyscan prints first'],
    ["a DSA key", "ssh-dss AAAAB3NzaC1kc3M=", "DSA host keys are no longer offered"],
    ["something else", "hello", "expected a key type (ssh-ed25519, ecdsa-sha2-nistp256, ecdsa-sha2-nistp384, ecdsa-sha2-nistp521)"],
  ])("refuses %s", (_, key, problem) => {
    expect(hostKeyProblem(key)).toContain(problem);
  });

  it("names the host in the command that fetches the right key", () => {
    expect(hostKeyProblem(ED25519.slice(0, -4), "10.0.0.12")).toMatch(/copy it again from ssh-keyscan -t ed25519 10\.0\.0\.12$/);
    expect(hostKeyProblem("hello")).toContain("ssh-keyscan -t ed25519 <host>");
  });
});
