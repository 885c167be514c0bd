// Renovate's regex managers must find every pin in the version registry (tested with JS regexes;
// the patterns avoid anything RE2 lacks: no lookaround, no backreferences).
import * as fs from "node:fs";
import * as path from "node:path";
import { charts, images, k3s } from "../../components/versions";

const ROOT = path.resolve(__dirname, "../..");
const config = JSON.parse(fs.readFileSync(path.join(ROOT, "renovate.json"), "utf8")) as {
  extends: string[];
  customManagers: { managerFilePatterns: string[]; matchStrings: string[]; datasourceTemplate?: string }[];
  packageRules: { matchPackageNames?: string[]; matchDepNames?: string[]; matchDatasources?: string[]; groupName?: string; prBodyNotes?: string[] }[];
};

function matches(file: string): Record<string, string>[] {
  const text = fs.readFileSync(path.join(ROOT, file), "utf8");
  const out: Record<string, string>[] = [];
  for (const m of config.customManagers) {
    const pattern = new RegExp(m.managerFilePatterns[0].slice(1, -1));
    if (!pattern.test(file)) continue;
    for (const s of m.matchStrings) {
      expect(s).not.toMatch(/\(\?[=!]|\(\?<[=!]|\\\d|\[\^\]/); // RE2-compatible
      for (const x of text.matchAll(new RegExp(s, "g"))) out.push({ ...x.groups, datasource: x.groups?.datasource ?? m.datasourceTemplate ?? "" });
    }
  }
  return out;
}

describe("renovate.json", () => {
  const found = matches("components/versions.ts");

  it("finds every chart with its repository as the registry", () => {
    for (const pin of Object.values(charts) as { repo: string; chart: string; version: string }[]) {
      const hit = found.find((f) => f.depName === pin.chart && f.currentValue === pin.version);
      expect(hit).toBeDefined();
      if (pin.repo.startsWith("oci://")) expect(hit).toMatchObject({ datasource: "docker", ociPath: pin.repo.slice(6) });
      else expect(hit).toMatchObject({ datasource: "helm", registryUrl: pin.repo });
    }
  });

  it("finds every image as a docker dependency", () => {
    for (const pin of Object.values(images) as { repository: string; tag: string }[]) {
      expect(found).toContainEqual(expect.objectContaining({ depName: pin.repository, currentValue: pin.tag, datasource: "docker" }));
    }
  });

  it("finds the K3s release in the registry and in both stack files", () => {
    expect(found).toContainEqual(expect.objectContaining({ depName: "k3s-io/k3s", currentValue: k3s.release, datasource: "github-releases" }));
    for (const stack of ["Pulumi.dev.yaml", "Pulumi.staging.yaml"]) expect(matches(stack).map((m) => m.currentValue)).toEqual([k3s.release]);
  });

  it("asks a chart bump of a pin with an artifact to move the artifact with it", () => {
    for (const pin of Object.values(charts) as { chart: string; artifact?: unknown }[]) {
      if (!pin.artifact) continue;
      const rule = config.packageRules.find((r) => r.matchDepNames?.includes(pin.chart) && r.matchDatasources?.includes("helm"));
      expect(rule?.prBodyNotes?.join(" ")).toMatch(/artifact/);
    }
  });

  it("groups the Pulumi packages, pins action digests and uses semantic commits", () => {
    expect(config.extends).toEqual(expect.arrayContaining([":semanticCommits", "helpers:pinGitHubActionDigests"]));
    expect(config.packageRules).toContainEqual(expect.objectContaining({ matchPackageNames: ["@pulumi/**"], groupName: "pulumi" }));
  });
});
