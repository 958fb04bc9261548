import { enableCapture } from '../../lib/data/capture';
import type { ChangeTracker } from '../../lib/data/change-tracker';
import { pullAll, tempDb, type TempDb } from './data';

/** A temp database with capture on `tables`; `tracker` may be replaced (a restart: `enableCapture` again). */
export type TrackedServer = TempDb & { tracker: ChangeTracker };

/** Opens a fresh database with `schema` and captures `tables`. */
export function trackedServer(schema: string, tables: readonly string[]): TrackedServer {
  const temp = tempDb(schema);
  return { ...temp, tracker: enableCapture(temp.db, { tables: [...tables] }) };
}

/** What the constraint rules made of `table`: the visible row ids, and the parked rows as `key:reason`, both sorted. */
export function settledState(server: TrackedServer, table: string): { visible: string[]; parked: string[] } {
  const visible = server.db.prepare(`SELECT id FROM "${table}" ORDER BY id`).pluck().all() as string[];
  const parked = server.tracker
    .listConflicts('', 1000)
    .filter((entry) => entry.table === table)
    .map((entry) => `${String(entry.key[0])}:${entry.reason}`)
    .sort();
  return { visible, parked };
}

/** Pulls both ways, three rounds: enough for two servers to reach quiescence in these tests. */
export function syncBoth(a: TrackedServer, b: TrackedServer): void {
  for (let round = 0; round < 3; round += 1) {
    pullAll(a.tracker, b.tracker);
    pullAll(b.tracker, a.tracker);
  }
}
