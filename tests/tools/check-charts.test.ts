// check:charts against charts this test builds and serves on 127.0.0.1 (a Helm repository and an
// OCI registry with a token challenge): no internet needed.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as YAML from "yaml";
import { chartFiles, chartUsesFromPlans, checkValues, downloadChart } from "../../tools/lib/charts";
import { checkCharts } from "../../tools/check-charts";
import { readTar, readTgz, writeTar, writeTgz } from "../../tools/lib/tar";
import type { Plan } from "../../tools/lib/plan";

const ROOT = path.resolve(__dirname, "../..");

const subchart = writeTgz([
  { name: "metrics/Chart.yaml", data: "apiVersion: v2\nname: metrics\nversion: 0.3.0\n" },
  { name: "metrics/values.yaml", data: "port: 9100\nserviceMonitor:\n  enabled: false\n" },
]);

const demo = writeTgz([
  { name: "demo", kind: "directory" },
  { name: "demo/Chart.yaml", data: "apiVersion: v2\nname: demo\nversion: 1.2.3\ndependencies:\n  - name: metrics\n    version: 0.3.0\n    alias: exporter\n" },
  {
    name: "demo/values.yaml",
    data: [
      "image:",
      "  repository: demo",
      "  tag: ''",
      "replicas: 1",
      "podAnnotations: {}",
      "extraEnv: []",
      "resources: {}",
      "existingSecret:",
      "persistence:",
      "  enabled: false",
      "  size: 1Gi",
      "  # storageClass: fast",
      "",
    ].join("\n"),
  },
  {
    name: "demo/values.schema.json",
    data: JSON.stringify({
      type: "object",
      properties: {
        tls: { type: "object", properties: { enabled: { type: "boolean" }, secretName: { type: "string" } } },
        labels: { type: "object", additionalProperties: { type: "string" } },
      },
    }),
  },
  { name: "demo/templates/deployment.yaml", data: "kind: Deployment\n" },
  { name: "demo/charts/metrics-0.3.0.tgz", data: subchart },
]);

const goodValues = {
  image: { repository: "r", tag: "1" },
  podAnnotations: { "prometheus.io/scrape": "true", nested: { any: "thing" } },
  extraEnv: [{ name: "A", value: "b" }],
  resources: { limits: { memory: "1Gi" } },
  existingSecret: "[secret]", // a secret value the plan redacts is still a key path
  persistence: { enabled: true, storageClass: "nfs" },
  tls: { enabled: true },
  labels: { team: "lab" },
  exporter: { port: 9200, serviceMonitor: { enabled: true } },
  global: { imageRegistry: "mirror.lan" },
};

describe("tar", () => {
  it("round-trips files, directories and long names", () => {
    const long = `demo/${"d".repeat(90)}/${"f".repeat(40)}.yaml`;
    const entries = readTar(writeTar([{ name: "a", kind: "directory" }, { name: "a/b.txt", data: "hi" }, { name: long, data: "x".repeat(1000) }]));
    expect(entries.map((e) => [e.name, e.kind, e.data.length])).toEqual([
      ["a/", "directory", 0],
      ["a/b.txt", "file", 2],
      [long, "file", 1000],
    ]);
  });

  it("reads what git archive writes (pax global header, ustar)", () => {
    const r = spawnSync("git", ["archive", "--format=tar", "HEAD", "package.json"], { cwd: ROOT });
    expect(r.status).toBe(0);
    const [pkg] = readTar(r.stdout).filter((e) => e.kind === "file");
    expect(pkg.name).toBe("package.json");
    expect(JSON.parse(pkg.data.toString("utf8")).name).toBe("homelab");
  });

  it("rejects a corrupted header", () => {
    const tar = writeTar([{ name: "a", data: "x" }]);
    tar[0] = "b".charCodeAt(0);
    expect(() => readTar(tar)).toThrow(/checksum/);
  });
});

describe("checkValues", () => {
  const files = chartFiles(demo);

  it("reads values, schema and aliased subcharts from the archive", () => {
    expect(files.name).toBe("demo");
    expect([...files.subcharts.keys()]).toEqual(["exporter"]);
    expect(readTgz(demo).some((e) => e.name === "demo/charts/metrics-0.3.0.tgz")).toBe(true);
  });

  it("accepts keys from values.yaml, the schema, open maps and lists, subcharts and global", () => {
    expect(checkValues(goodValues, files)).toEqual([{ path: "persistence.storageClass", status: "commented", hint: "only in a commented-out line of values.yaml" }]);
  });

  it("lists every key the chart does not know, with a hint", () => {
    const findings = checkValues({ replicaz: 2, image: { tag: "1", pullPolicyy: "Always" }, tls: { enable: true }, exporter: { prot: 1 }, replicas: { count: 2 } }, files);
    expect(findings.map((f) => f.path)).toEqual(["replicaz", "image.pullPolicyy", "tls.enable", "exporter.prot", "replicas"]);
    expect(findings.every((f) => f.status === "missing")).toBe(true);
    expect(findings[0].hint).toBe("did you mean replicas?");
    expect(findings[2].hint).toBe("did you mean enabled?");
    expect(findings[4].hint).toMatch(/not a map/);
  });
});

describe("downloading and the CLI", () => {
  let server: http.Server;
  let base: string;
  let tokenAsked = 0;
  const digest = createHash("sha256").update(demo).digest("hex");

  beforeAll(async () => {
    server = http.createServer((req, res) => {
      const url = req.url ?? "";
      if (url === "/charts/index.yaml") {
        res.end(YAML.stringify({ apiVersion: "v1", entries: { demo: [{ name: "demo", version: "1.2.3", digest, urls: ["demo-1.2.3.tgz"] }] } }));
      } else if (url === "/charts/demo-1.2.3.tgz" || url === `/v2/lab/charts/demo/blobs/sha256:${digest}`) {
        if (url.startsWith("/v2/") && req.headers.authorization !== "Bearer t0ken") {
          res.statusCode = 401;
          res.end();
          return;
        }
        res.end(demo);
      } else if (url === "/v2/lab/charts/demo/manifests/1.2.3") {
        if (req.headers.authorization !== "Bearer t0ken") {
          res.statusCode = 401;
          res.setHeader("WWW-Authenticate", `Bearer realm="${base}/token",service="test",scope="repository:lab/charts/demo:pull"`);
          res.end();
          return;
        }
        res.end(JSON.stringify({ schemaVersion: 2, layers: [{ mediaType: "application/vnd.cncf.helm.chart.content.v1.tar+gzip", digest: `sha256:${digest}` }] }));
      } else if (url.startsWith("/token?")) {
        tokenAsked++;
        expect(url).toContain("scope=repository%3Alab%2Fcharts%2Fdemo%3Apull");
        res.end(JSON.stringify({ token: "t0ken" }));
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const planWith = (repo: string, chart: string, values: unknown): Plan => ({
    stack: "test",
    outputs: {},
    resources: [
      {
        urn: "urn:pulumi:test::homelab::kubernetes:helm.sh/v4:Chart::demo",
        type: "kubernetes:helm.sh/v4:Chart",
        name: "demo",
        parent: null,
        provider: null,
        dependencies: [],
        inputs: { chart, version: "1.2.3", repositoryOpts: { repo }, namespace: "demo", values },
      },
    ],
  });

  it("fetches a version through the repository's index.yaml and checks its digest", async () => {
    expect((await downloadChart({ repo: `${base}/charts`, chart: "demo", version: "1.2.3" })).equals(demo)).toBe(true);
    await expect(downloadChart({ repo: `${base}/charts`, chart: "demo", version: "9.9.9" })).rejects.toThrow(/no version 9\.9\.9.*newest: 1\.2\.3/);
  });

  it("fetches a pinned artifact from its own URL and refuses bytes other than the pinned sha256", async () => {
    const ref = { repo: `${base}/charts`, chart: "demo", version: "1.2.3", url: `${base}/charts/demo-1.2.3.tgz` };
    expect((await downloadChart({ ...ref, sha256: digest })).equals(demo)).toBe(true);
    await expect(downloadChart({ ...ref, sha256: "0".repeat(64) })).rejects.toThrow(/does not match the pinned sha256/);
    await expect(downloadChart(ref)).rejects.toThrow(/no pinned sha256/);
  });

  it("reads a chart installed by URL as its pin's artifact, and checks its values", async () => {
    const url = `${base}/charts/demo-1.2.3.tgz`;
    const plan = planWith(`${base}/charts`, url, { ...goodValues, replica: 2 });
    delete (plan.resources[0].inputs as Record<string, unknown>).repositoryOpts;
    const { uses, unreadable } = chartUsesFromPlans([plan]);
    expect(unreadable).toEqual([]);
    expect(uses).toEqual([expect.objectContaining({ chart: "demo", version: "1.2.3", url })]);
    const pin = { repo: "https://example.invalid/moving/charts", chart: "demo", version: "1.2.3", valuesCheckedAgainst: "1.2.3", artifact: { url, sha256: digest } };
    const [report] = await checkCharts(uses, [pin], false);
    expect(report.error).toBeUndefined();
    expect(report.notes).toEqual([]);
    expect(report.findings.filter((f) => f.status === "missing").map((f) => f.path)).toEqual(["replica"]);
    const [tampered] = await checkCharts(uses, [{ ...pin, artifact: { url, sha256: "f".repeat(64) } }], false);
    expect(tampered.error).toMatch(/does not match the pinned sha256/);
  });

  it("fetches from an OCI registry after its token challenge", async () => {
    const ref = { repo: `oci://${base.slice("http://".length)}/lab/charts`, chart: "demo", version: "1.2.3" };
    expect((await downloadChart(ref)).equals(demo)).toBe(true);
    expect(tokenAsked).toBe(1);
  });

  it("reports the missing paths of every chart the plans install", async () => {
    const { uses } = chartUsesFromPlans([planWith(`${base}/charts`, "demo", { ...goodValues, persistance: { enabled: true } })]);
    const [report] = await checkCharts(uses, [{ repo: `${base}/charts`, chart: "demo", version: "1.2.3", valuesCheckedAgainst: "1.2.2" }], false);
    expect(report.error).toBeUndefined();
    expect(report.findings.filter((f) => f.status === "missing")).toEqual([{ path: "persistance", status: "missing", hint: "did you mean persistence?", sources: ["test: demo"] }]);
    expect(report.notes).toEqual(["valuesCheckedAgainst is 1.2.2: when this check passes, set it to 1.2.3"]);
  });

  it("npm run check:charts exits 1 and names the missing key; 0 when all keys exist", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "check-charts-"));
    const run = (values: unknown) => {
      const file = path.join(dir, "plan.json");
      fs.writeFileSync(file, JSON.stringify(planWith(`${base}/charts`, "demo", values)));
      return new Promise<{ status: number | null; stdout: string }>((resolve) => {
        // Async spawn: the chart server lives in this process and must keep answering.
        const child = require("node:child_process").spawn(process.execPath, ["-r", "./tools/register.js", "tools/check-charts.ts", "--plan-file", file, "--skip-unplanned"], { cwd: ROOT });
        let stdout = "";
        child.stdout.on("data", (b: Buffer) => (stdout += b.toString()));
        child.on("close", (status: number | null) => resolve({ status, stdout }));
      });
    };
    return run({ image: { tagg: "1" } })
      .then((bad) => {
        expect(bad.status).toBe(1);
        expect(bad.stdout).toMatch(/1 missing +demo 1\.2\.3/);
        expect(bad.stdout).toContain("✗ image.tagg  [test: demo]  — did you mean tag?");
        return run(goodValues);
      })
      .then((good) => {
        expect(good.stdout).toMatch(/^ok +demo 1\.2\.3/m);
        expect(good.status).toBe(0);
      });
  });
});
