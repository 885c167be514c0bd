// The database restore settings against the bucket's server names, the clock, and the Cluster an
// earlier deployment of the stack created (docs/recovery.md). A Cluster bootstraps once.
import { ConfigProblem, formatPath } from "./problems";
import type { RawHomelabSettings } from "./schema";
import type { SettingsParts } from "./cross-checks";

/** A suggestion for a new server name: postgres -> postgres-2, postgres-2 -> postgres-3. */
export function nextServerName(serverName: string): string {
  const match = /^(.*)-(\d+)$/.exec(serverName);
  return match ? `${match[1]}-${Number(match[2]) + 1}` : `${serverName}-2`;
}

/**
 * Problems within the restore settings: a server name that would archive over the backups it
 * restores from, and a target time in the future. `now` is the clock's time (tests fix it).
 */
export function restoreSettingProblems(settings: SettingsParts, now: Date): { path: PropertyKey[]; message: string }[] {
  const restore = settings.database?.restore;
  const serverName = settings.database?.backup?.serverName;
  if (!restore) return [];
  const problems: { path: PropertyKey[]; message: string }[] = [];
  if (serverName !== undefined && restore.fromServerName === serverName) {
    problems.push({
      path: ["database", "backup", "serverName"],
      message: `is "${serverName}", the server name the restore reads from (database.restore.fromServerName): the restored Cluster would archive its new timeline over the backups it restores from; choose a new one such as "${nextServerName(serverName)}"`,
    });
  }
  if (restore.targetTime !== undefined && Date.parse(restore.targetTime) > now.getTime()) {
    problems.push({
      path: ["database", "restore", "targetTime"],
      message: `${restore.targetTime} is in the future (now ${now.toISOString()}); PostgreSQL would replay every archived WAL and wait for one that never comes. Leave targetTime out to restore to the latest point archived`,
    });
  }
  if (serverName !== undefined && restore.deletedServerName !== undefined && restore.deletedServerName === serverName) {
    problems.push({
      path: ["database", "restore", "deletedServerName"],
      message: `names the deleted Cluster's archive, which database.backup.serverName ("${serverName}") would write to again; choose a new backup.serverName`,
    });
  }
  return problems;
}

/** What an earlier deployment recorded about its PostgreSQL Cluster (stack output `postgres`). */
export interface RecordedDatabase {
  /** The server name the Cluster archived under. */
  serverName: string;
  /** How the Cluster was created (`databaseBootstrap`). */
  bootstrap: string;
}

/** How the configured Cluster is created, as the stack records it: "initdb" or "recovery from <name>[ to <time>]". */
export function databaseBootstrap(database: Pick<RawHomelabSettings["database"], "restore">): string {
  const restore = database.restore;
  if (!restore) return "initdb";
  return `recovery from ${restore.fromServerName}${restore.targetTime ? ` to ${restore.targetTime}` : ""}`;
}

/**
 * Problems between the database settings and the Cluster an earlier deployment of this stack
 * created. A Cluster bootstraps once: CloudNative-PG ignores a changed bootstrap on an existing
 * Cluster, so a restore set on a stack whose Cluster exists would silently do nothing but archive
 * under the new server name (and the program marks the bootstrap replaceOnChanges, so the engine
 * refuses it as a replacement of a protected resource). `recorded` is undefined on a stack that
 * never deployed the database.
 */
export function restoreProblems(database: RawHomelabSettings["database"], recorded: RecordedDatabase | undefined): ConfigProblem[] {
  if (!recorded) return [];
  const wanted = databaseBootstrap(database);
  if (wanted === recorded.bootstrap) return [];
  const path = formatPath(["database", "restore"]);
  const restore = database.restore;
  if (!restore) {
    return [{
      path,
      message: `the stack's PostgreSQL Cluster was created by ${recorded.bootstrap}; keep homelab:database.restore as it was while that Cluster exists (it records how the Cluster was born, and changing it would replace the protected Cluster)`,
    }];
  }
  if (restore.deletedServerName === recorded.serverName) return [];
  return [{
    path,
    message: `this stack already has a PostgreSQL Cluster (created by ${recorded.bootstrap}, archiving as "${recorded.serverName}"): a restore creates a new Cluster, and the protected one cannot be replaced. ` +
      `To restore into this stack, delete the Cluster first as docs/recovery.md ("Restoring the database into an existing stack") describes, then confirm with homelab:database.restore.deletedServerName: ${recorded.serverName}`,
  }];
}
