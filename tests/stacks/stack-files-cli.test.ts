// The plan CLI on changed copies of the stack files, end to end: the unusual but valid shapes of lab
// plan, and the mistakes only the CLI can show (a YAML error, a secret in plain text, many problems
// in one file) end with exit 1, the message and no stack trace. The bulk of the mistakes is checked
// in process by tests/config/stack-files.test.ts.
import * as path from "node:path";
import type { Plan, PlannedResource } from "../../tools/lib/plan";
import { planCommand } from "../helpers/plan";
import { lineOf, UNUSUAL_SHAPES, writeStackFile } from "../helpers/stack-files";

const ofType = (plan: Plan, type: string): PlannedResource[] => plan.resources.filter((r) => r.type === type);

/** What each shape's plan must show beyond planning at all. */
const CHECKS: Record<string, (plan: Plan) => void> = {
  "one node, a backup on Sundays by name, nfsVersion 4.2 written unquoted": (plan) => {
    expect(ofType(plan, "homelab:k3s:K3sNode")).toHaveLength(1);
    expect((ofType(plan, "kubernetes:postgresql.cnpg.io/v1:ScheduledBackup")[0].inputs as any).spec.schedule).toBe("0 0 2 * * SUN");
    for (const sc of ofType(plan, "kubernetes:storage.k8s.io/v1:StorageClass")) expect((sc.inputs as any).mountOptions).toContain("nfsvers=4.2");
  },
  "three servers and no agents": (plan) => {
    const configs = ofType(plan, "command:remote:Command").filter((r) => r.name.endsWith("-configure")).map((r) => String(r.inputs.create));
    expect(configs).toHaveLength(3);
    expect(configs.filter((c) => c.includes("cluster-init: true"))).toHaveLength(1);
  },
  "IPv4 addresses as hosts": (plan) => {
    expect(ofType(plan, "homelab:k3s:K3sNode")).toHaveLength(8);
    const agentConfig = String(ofType(plan, "command:remote:Command").find((r) => r.name === "homelab-rpi01-configure")!.inputs.create);
    expect(agentConfig).toContain('server: "https://192.168.1.11:6443"');
  },
  "an arm64 server": (plan) => {
    expect(String(ofType(plan, "command:remote:Command").find((r) => r.name === "homelab-devbox-preflight")!.inputs.create)).toContain("arm64");
  },
  "no GPU in staging": (plan) => {
    expect(ofType(plan, "kubernetes:helm.sh/v4:Chart").map((r) => r.name)).not.toContainEqual(expect.stringMatching(/gpu/));
  },
  "no LAN exposure": (plan) => {
    expect(ofType(plan, "kubernetes:core/v1:Service").map((r) => (r.inputs as any).spec.type)).toEqual(expect.arrayContaining(["ClusterIP"]));
    expect(ofType(plan, "kubernetes:core/v1:Service").map((r) => (r.inputs as any).spec.type)).not.toContainEqual(expect.stringMatching(/LoadBalancer|NodePort/));
  },
};

describe("unusual but valid stack files plan", () => {
  it.each(UNUSUAL_SHAPES.filter((u) => u.plan).map((u) => [u.name, u] as const))("%s", (name, shape) => {
    const { status, stdout, stderr } = planCommand([shape.stack, "--json", "--config-file", writeStackFile(shape.stack, shape)]);
    expect(stderr).not.toMatch(/^(error|failed unexpectedly)/m); // warnings (undelivered alerts) may be printed
    expect(status).toBe(0);
    CHECKS[name](JSON.parse(stdout) as Plan);
  });

  it("has a check for every shape", () => {
    expect(Object.keys(CHECKS).sort()).toEqual(UNUSUAL_SHAPES.filter((u) => u.plan).map((u) => u.name).sort());
  });
});

describe("broken stack files through the plan CLI", () => {
  const refused = (file: string) => {
    const result = planCommand(["dev", "--config-file", file]);
    expect(result.status).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).not.toMatch(/\n\s+at /);
    return result.stderr.replaceAll(`${path.dirname(file)}${path.sep}`, "");
  };

  it("a YAML syntax error: file, line and column, the line and a caret", () => {
    const file = writeStackFile("dev", { text: (yaml) => yaml.replace("      retention: 7", "\t  retention: 7") });
    expect(refused(file)).toBe(`error: Pulumi.dev.yaml:${lineOf("dev", "      retention: 7")}:1: Tabs are not allowed as indentation\n    →  retention: 7\n    ^\n`);
  });

  it("a secret in plain text: the command that stores it encrypted, never the value", () => {
    const file = writeStackFile("dev", { config: (c) => { c["homelab:nfsServer"] = "nas.example.invalid"; } });
    const stderr = refused(file);
    expect(stderr).toBe("error: Pulumi.dev.yaml: homelab:nfsServer is in plain text, but Pulumi.yaml declares it secret; delete that line and store the value encrypted: pulumi config set --stack dev --secret homelab:nfsServer <value>\n");
  });

  it("many mistakes: every one of them, each with its key path", () => {
    const file = writeStackFile("dev", {
      config: (c) => {
        c["homelab:databse"] = c["homelab:database"];
        delete c["homelab:database"];
        c["homelab:nodes"][0].arch = "x86_64";
        c["homelab:nodes"][1].role = "server";
        c["homelab:k3s"].etcdSnapshots.schedule = "0 2 * * 7";
      },
    });
    expect(refused(file).split("\n")).toEqual([
      "error: Invalid stack configuration (4 problems):",
      expect.stringMatching(/^ {2}- homelab:nodes\[0\]\.arch: expected "amd64" or "arm64", got the string "x86_64"/),
      expect.stringMatching(/^ {2}- homelab:k3s\.etcdSnapshots\.schedule: "0 2 \* \* 7": day of week 7 is out of range 0-6/),
      "  - homelab:databse: unknown key (it would be ignored); did you mean homelab:database?",
      "  - homelab:nodes: 2 servers cannot keep etcd quorum through a failure; use an odd number (1 or 3)",
      "",
    ]);
  });
});
