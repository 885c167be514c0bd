import { crossCheck, databaseBootstrap, HomelabSchema, nextServerName, parseSettings, restoreProblems, validators } from "../../components/config";
import { recordedDatabase } from "../../components/previous-deployment";
import { validRaw } from "./fixtures";

const NOW = new Date("2026-11-29T12:00:00Z");

function withDatabase(database: Record<string, unknown>) {
  const raw = validRaw();
  raw.database = database;
  return parseSettings(raw);
}

/** Cross-key problems of a database setting, as `path: message`. */
function problems(database: Record<string, unknown>): string[] {
  const raw = validRaw();
  raw.database = database;
  // parseSettings runs crossCheck with the real clock; these tests fix it.
  return crossCheck(HomelabSchema.parse(raw), () => false, NOW).map((p) => `${p.path}: ${p.message}`);
}

describe("database restore settings", () => {
  it("archives under an explicit server name, postgres (the plugin's old default) unless set", () => {
    expect(withDatabase({}).database.backup.serverName).toBe("postgres");
    expect(withDatabase({ backup: { serverName: "postgres-2" } }).database.backup.serverName).toBe("postgres-2");
  });

  it("accepts a restore to the latest point and one to a past time", () => {
    expect(problems({ backup: { serverName: "postgres-2" }, restore: { fromServerName: "postgres" } })).toEqual([]);
    expect(problems({ backup: { serverName: "postgres-2" }, restore: { fromServerName: "postgres", targetTime: "2026-11-28T21:30:00Z" } })).toEqual([]);
  });

  it("refuses a restore whose new timeline would be archived where it restores from, suggesting a new name", () => {
    expect(problems({ restore: { fromServerName: "postgres" } })).toEqual([
      expect.stringMatching(/^homelab:database\.backup\.serverName: is "postgres", the server name the restore reads from.*"postgres-2"/),
    ]);
    expect(nextServerName("postgres-2")).toBe("postgres-3");
  });

  it("refuses a target time in the future, and one without a zone", () => {
    expect(problems({ backup: { serverName: "pg-2" }, restore: { fromServerName: "postgres", targetTime: "2026-11-29T12:00:01Z" } })).toEqual([
      expect.stringMatching(/^homelab:database\.restore\.targetTime: 2026-11-29T12:00:01Z is in the future/),
    ]);
    expect(() => withDatabase({ backup: { serverName: "pg-2" }, restore: { fromServerName: "postgres", targetTime: "2026-11-28 21:30:00" } }))
      .toThrow(/homelab:database\.restore\.targetTime: expected an RFC 3339 timestamp with a zone/);
    expect(validators.isZonedTimestamp("2026-02-30T00:00:00Z")).toBe(false);
    expect(validators.isZonedTimestamp("2026-11-28T21:30:00.123456+01:00")).toBe(true);
  });

  it("refuses a confirmation that names the archive the new Cluster would write to", () => {
    expect(problems({ backup: { serverName: "postgres" }, restore: { fromServerName: "postgres-2", deletedServerName: "postgres" } })).toEqual([
      expect.stringMatching(/^homelab:database\.restore\.deletedServerName: names the deleted Cluster's archive/),
    ]);
  });
});

describe("a restore against the Cluster an earlier deployment created", () => {
  const database = (d: Record<string, unknown>) => withDatabase(d).database;
  const initdb = { serverName: "postgres", bootstrap: "initdb" };

  it("is allowed on a stack that never deployed the database (a new or rebuilt stack's first runs)", () => {
    expect(restoreProblems(database({ backup: { serverName: "postgres-2" }, restore: { fromServerName: "postgres" } }), undefined)).toEqual([]);
  });

  it("is refused on a stack whose Cluster exists, naming the runbook and the confirmation", () => {
    const [problem] = restoreProblems(database({ backup: { serverName: "postgres-2" }, restore: { fromServerName: "postgres" } }), initdb);
    expect(problem.path).toBe("homelab:database.restore");
    expect(problem.message).toMatch(/already has a PostgreSQL Cluster \(created by initdb, archiving as "postgres"\)/);
    expect(problem.message).toMatch(/docs\/recovery\.md.*deletedServerName: postgres/);
  });

  it("goes ahead once the operator confirms the deleted Cluster's server name, and stays accepted once done", () => {
    const settings = database({ backup: { serverName: "postgres-2" }, restore: { fromServerName: "postgres", deletedServerName: "postgres" } });
    expect(restoreProblems(settings, initdb)).toEqual([]);
    // The next run records the restored Cluster; the same settings describe it.
    expect(restoreProblems(settings, { serverName: "postgres-2", bootstrap: databaseBootstrap(settings) })).toEqual([]);
    // A wrong confirmation does not.
    expect(restoreProblems(database({ backup: { serverName: "postgres-2" }, restore: { fromServerName: "postgres", deletedServerName: "pg" } }), initdb)).toHaveLength(1);
  });

  it("keeps the restore setting while the restored Cluster exists", () => {
    const restored = { serverName: "postgres-2", bootstrap: "recovery from postgres to 2026-11-28T21:30:00Z" };
    const [problem] = restoreProblems(database({ backup: { serverName: "postgres-2" } }), restored);
    expect(problem.message).toMatch(/created by recovery from postgres to 2026-11-28T21:30:00Z; keep homelab:database\.restore/);
  });

  it("reads deployments from before the output recorded the bootstrap as initdb archiving under postgres", () => {
    expect(recordedDatabase({ host: "postgres-rw.database.svc", backupBucket: "b" })).toEqual(initdb);
    expect(recordedDatabase({ host: "h", serverName: "postgres-2", bootstrap: "recovery from postgres" })).toEqual({ serverName: "postgres-2", bootstrap: "recovery from postgres" });
    expect(recordedDatabase(undefined)).toBeUndefined();
  });
});
