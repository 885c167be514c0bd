// Lifecycle of the database restore setting: refused on a stack whose Cluster exists, never a
// silent replacement of the protected Cluster, and a rebuilt stack restores on its own.
import type { DeploymentState } from "../../tools/lib/engine/state";
import { deployFromEmpty, preview } from "../../tools/lib/lifecycle";
import { changed, deployed, stackConfig, summary, withSetting } from "../helpers/lifecycle";

type Database = Record<string, any>;
const config = stackConfig("staging");
const CLUSTER = "database-cluster";
let state: DeploymentState;

beforeAll(async () => {
  state = await deployed(config);
});

const restoring = (extra: Record<string, unknown> = {}) => withSetting<Database>(config, "database", (db) => ({
  ...db,
  backup: { ...db.backup, serverName: "postgres-2" },
  restore: { fromServerName: "postgres", targetTime: "2026-11-28T21:30:00Z", ...extra },
}));

describe("lifecycle: restoring the database", () => {
  it("is refused on a stack whose Cluster exists, before anything is planned", async () => {
    await expect(preview(restoring(), { prior: state })).rejects.toThrow(/homelab:database\.restore: this stack already has a PostgreSQL Cluster \(created by initdb, archiving as "postgres"\)/);
  });

  it("confirmed while the Cluster is still in the state: the engine refuses to replace the protected Cluster", async () => {
    const run = await preview(restoring({ deletedServerName: "postgres" }), { prior: state });
    const cluster = run.decisions.find((d) => d.name === CLUSTER)!;
    expect(cluster.op).toBe("replace");
    expect(run.errors.map((e) => e.message)).toEqual([expect.stringMatching(new RegExp(`unable to replace resource .*${CLUSTER} as it is currently marked for protection.*spec\\.bootstrap`))]);
  });

  it("a new server name alone is an update of the Cluster: a new archive folder, same data", async () => {
    const renamed = withSetting<Database>(config, "database", (db) => ({ ...db, backup: { ...db.backup, serverName: "postgres-2" } }));
    const run = await preview(renamed, { prior: state });
    expect(run.errors).toEqual([]);
    expect(summary(run.decisions)).toEqual([`update kubernetes:postgresql.cnpg.io/v1:Cluster ${CLUSTER}`]);
  });

  it("a rebuilt stack restores on its second run, and the restore setting then describes its Cluster", async () => {
    const { previews, state: restored } = await deployFromEmpty(restoring());
    const second = previews[1].recorder.list().find((r) => r.name === CLUSTER)!;
    expect((second.inputs as any).spec.bootstrap.recovery.recoveryTarget).toEqual({ targetTime: "2026-11-28T21:30:00Z" });
    expect(restored.outputs.postgres).toMatchObject({ serverName: "postgres-2", bootstrap: "recovery from postgres to 2026-11-28T21:30:00Z" });
    // Dropping the setting later is refused: it records how the Cluster was born.
    await expect(preview(config, { prior: restored })).rejects.toThrow(/created by recovery from postgres to 2026-11-28T21:30:00Z; keep homelab:database\.restore/);
    expect(changed(previews[previews.length - 1].decisions)).toEqual([]);
  });
});
