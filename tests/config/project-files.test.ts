// Pulumi.yaml declares exactly the keys the program reads, and the stack files stay valid and
// secret-free.
import * as fs from "node:fs";
import * as path from "node:path";
import * as YAML from "yaml";
import { HomelabSchema, OPTIONAL_SECRET_KEYS, parseSettings, SECRET_KEYS } from "../../components/config";
import * as versions from "../../components/versions";
import { readProjectFile } from "../../tools/lib/stack-config";
import { rawStack, StackName } from "../helpers/stacks";

const ROOT = path.resolve(__dirname, "../..");
const stackFiles = ["dev", "staging"].map((stack) => ({
  stack,
  config: YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")).config as Record<string, unknown>,
}));

describe("Pulumi.yaml", () => {
  const project = readProjectFile(ROOT);

  it("declares every settings key and every required secret, with descriptions", () => {
    const declared = Object.keys(project.config).filter((k) => k.startsWith("homelab:")).map((k) => k.slice(8)).sort();
    expect(declared).toEqual([...Object.keys(HomelabSchema.shape), ...Object.keys(SECRET_KEYS)].sort());
    for (const key of Object.keys(SECRET_KEYS)) expect(project.config[`homelab:${key}`]).toMatchObject({ type: "string", secret: true });
    for (const spec of Object.values(project.config)) expect(spec.description ?? spec.value).toBeTruthy();
  });

  it("leaves optional secrets undeclared (a declared key needs a value) and names each in its comment", () => {
    // A typed key without a default must be set; a default would be plain text, which the CLI
    // refuses for a secret. The program refuses one stored in plain text instead (stack-keys.ts).
    const text = fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8");
    for (const key of Object.keys(OPTIONAL_SECRET_KEYS)) {
      expect(project.config[`homelab:${key}`]).toBeUndefined();
      expect([key, new RegExp(`^  #   homelab:${key} `, "m").test(text)]).toEqual([key, true]);
    }
  });

  it("disables default providers for every stack", () => {
    expect(project.config["pulumi:disable-default-providers"].value).toEqual(["*"]);
  });
});

describe.each(stackFiles)("Pulumi.$stack.yaml", ({ stack, config }) => {
  const raw = rawStack(stack as StackName);

  it("is valid", () => {
    expect(() => parseSettings(raw)).not.toThrow();
  });

  it("holds no secret key, in plain text or otherwise", () => {
    for (const key of [...Object.keys(SECRET_KEYS), ...Object.keys(OPTIONAL_SECRET_KEYS)]) {
      expect(config).not.toHaveProperty(`homelab:${key}`);
    }
    expect(JSON.stringify(config)).not.toMatch(/PRIVATE KEY|password|token/i);
  });

  it("pins the K3s release of the version registry", () => {
    expect((config["homelab:k3s"] as { version: string }).version).toBe(versions.k3s.release);
  });

  if (stack === "staging") {
    it("models the reference lab: 7+ nodes, arm64, a dual-GPU node, 1 or 3 servers", () => {
      const settings = parseSettings(raw);
      expect(settings.nodes.length).toBeGreaterThanOrEqual(7);
      expect(settings.nodes.some((n) => n.arch === "arm64")).toBe(true);
      expect(settings.nodes.find((n) => n.gpu)?.gpu?.count).toBe(2);
      expect([1, 3]).toContain(settings.nodes.filter((n) => n.role === "server").length);
      expect(settings.database.instances).toBe(3);
    });
  } else {
    it("stays small and CPU-only", () => {
      const settings = parseSettings(raw);
      expect(settings.nodes.length).toBeLessThanOrEqual(2);
      expect(settings.nodes.some((n) => n.gpu)).toBe(false);
      expect(settings.database.instances).toBe(1);
    });
  }
});
