// helm-chart-version-pinned and git-hosted charts: a chart is never read from a moving branch,
// neither as an archive URL nor as a repository, and never over plain http.
import { chartPinProblems, gitRefOfRawUrl } from "../../policies/helm";

const COMMIT = "21aaa66ce8027d34e67d6521cbee62e6d81ecd77";
const raw = (ref: string, file = "charts/v4.13.4/csi-driver-nfs-4.13.4.tgz") => `https://raw.githubusercontent.com/kubernetes-csi/csi-driver-nfs/${ref}/${file}`;

describe("helm-chart-version-pinned: charts hosted in git", () => {
  it("passes an archive at a commit, with its version", () => {
    expect(chartPinProblems({ chart: raw(COMMIT), version: "4.13.4" })).toEqual([]);
  });

  it("blocks an archive on a branch or tag, and one without a version", () => {
    expect(chartPinProblems({ chart: raw("master"), version: "4.13.4" })).toEqual([expect.stringMatching(/git ref "master", whose file can change/)]);
    expect(chartPinProblems({ chart: raw("v4.13.4"), version: "4.13.4" })).toEqual([expect.stringMatching(/git ref "v4\.13\.4"/)]);
    expect(chartPinProblems({ chart: raw(COMMIT) })).toEqual([expect.stringMatching(/has no version/)]);
  });

  it("blocks a repository on a branch, where released archives are repackaged in place", () => {
    const props = { chart: "csi-driver-nfs", version: "4.13.4", repositoryOpts: { repo: "https://raw.githubusercontent.com/kubernetes-csi/csi-driver-nfs/master/charts" } };
    expect(chartPinProblems(props)).toEqual([expect.stringMatching(/repository on the git ref "master".*ChartPin\.artifact/)]);
    expect(chartPinProblems({ ...props, repositoryOpts: { repo: "https://kubernetes-csi.github.io/csi-driver-nfs" } })).toEqual([]);
  });

  it("blocks an archive over plain http", () => {
    expect(chartPinProblems({ chart: "http://charts.lan/demo-1.0.0.tgz", version: "1.0.0" })).toEqual([expect.stringMatching(/plain http/)]);
  });

  it("reads the ref of raw.githubusercontent.com URLs only", () => {
    expect(gitRefOfRawUrl(raw(COMMIT))).toBe(COMMIT);
    expect(gitRefOfRawUrl("https://charts.jetstack.io/cert-manager-v1.21.1.tgz")).toBeUndefined();
  });
});
