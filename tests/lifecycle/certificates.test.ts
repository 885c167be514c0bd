// Lifecycle (10): cert-manager moving to its own layer on a lab that has run for a while keeps the
// release it had in the database layer.
import type { DeploymentState, StateResource } from "../../tools/lib/engine/state";
import { preview } from "../../tools/lib/lifecycle";
import { deployed, stackConfig, summary } from "../helpers/lifecycle";

const config = stackConfig("staging");
let state: DeploymentState;

beforeAll(async () => {
  state = await deployed(config);
});

const DATABASE = "urn:pulumi:staging::homelab::homelab:database:Database::database";
/** Where the database layer registered cert-manager before the certificates layer existed (main at 01b0334). */
const FORMER = {
  "cert-manager-chart": { name: "database-cert-manager", urn: "urn:pulumi:staging::homelab::homelab:database:Database$kubernetes:helm.sh/v4:Chart::database-cert-manager" },
  "cert-manager-podmonitor": {
    name: "database-podmonitor-cert-manager",
    urn: "urn:pulumi:staging::homelab::homelab:database:Database$kubernetes:monitoring.coreos.com/v1:PodMonitor::database-podmonitor-cert-manager",
  },
} as const;

/** The state as a lab deployed before the move holds it: cert-manager's chart and monitor under the database layer. */
function beforeTheMove(current: DeploymentState): DeploymentState {
  const resources: StateResource[] = [];
  for (const r of current.resources) {
    if (r.type === "homelab:certificates:CertManager") continue;
    const former = FORMER[r.name as keyof typeof FORMER];
    resources.push(former ? { ...r, urn: former.urn, name: former.name, parent: DATABASE } : r);
  }
  return { ...current, resources };
}

describe("lifecycle: cert-manager moves to its own layer", () => {
  it("(10) cert-manager moves to the certificates layer without being uninstalled: its chart and monitor are matched through aliases", async () => {
    const prior = beforeTheMove(state);
    expect(prior.resources.map((r) => r.urn)).toContain(FORMER["cert-manager-chart"].urn);
    const run = await preview(config, { prior });
    expect(run.errors).toEqual([]);
    for (const [name, former] of Object.entries(FORMER)) {
      expect(run.decisions.find((d) => d.name === name)).toMatchObject({ op: "same", aliasOf: former.urn });
    }
    expect(summary(run.decisions)).toEqual(["create homelab:certificates:CertManager cert-manager"]);
  });
});
