// Config keys of the security hardening (docs/security.md): each accepted in its right form and
// refused, by key path, in any other. Kept apart from validation.test.ts, which covers the rest.
import { ConfigError, parseSettings } from "../../components/config";
import { validRaw } from "./fixtures";

function problemsOf(raw: Record<string, unknown>): string[] {
  try {
    parseSettings(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  return [];
}

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
