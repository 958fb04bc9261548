import { enableCapture } from '../../../lib/data/capture';
import type { ChangeTracker } from '../../../lib/data/change-tracker';
import { nextMillisecond } from '../../helpers/clock';
import { pullAll, tempDb, type TempDb } from '../../helpers/data';

/**
 * Counterexample (reviewer x3): the whole ranking of "the first batch a tracker
 * settles" was rolled back when that batch's transaction failed (a restore
 * answered 409 STILL_CONFLICTS), yet the tracker counted it as done: after a
 * UNIQUE index was dropped between runs, P (parked on it only) never came back.
 * Now enableCapture ranks every parked row once, in a transaction of its own.
 */
const TABLES = `CREATE TABLE t2 (id TEXT PRIMARY KEY NOT NULL, u TEXT, w TEXT UNIQUE);`;
const SCHEMA = `${TABLES} CREATE UNIQUE INDEX t2_u ON t2 (u);`;

type Server = TempDb & { tracker: ChangeTracker };

function server(schema = SCHEMA): Server {
  const temp = tempDb(schema);
  return { ...temp, tracker: enableCapture(temp.db, { tables: ['t2'] }) };
}

function state(s: Server): { visible: string[]; parked: string[] } {
  const visible = s.db.prepare('SELECT id FROM t2 ORDER BY id').pluck().all() as string[];
  const parked = s.tracker
    .listConflicts('', 1000)
    .map((entry) => `${String(entry.key[0])}:${entry.reason}`)
    .sort();
  return { visible, parked };
}

function syncBoth(a: Server, b: Server): void {
  for (let round = 0; round < 3; round += 1) {
    pullAll(a.tracker, b.tracker);
    pullAll(b.tracker, a.tracker);
  }
}

it('a first settling rolled back (a refused restore) is not done again', () => {
  const a = server();
  const b = server();
  const fresh = server(TABLES);
  try {
    a.db.prepare("INSERT INTO t2 VALUES ('h', 'a', NULL), ('k', NULL, 'k')").run(); // H, K: claim 1
    nextMillisecond();
    b.db.prepare("INSERT INTO t2 VALUES ('p', 'a', 'x'), ('q', NULL, 'k')").run(); // P, Q: claim 2
    nextMillisecond();
    a.db.prepare("INSERT INTO t2 VALUES ('g', NULL, 'x')").run(); // G: claim 3
    syncBoth(a, b);
    a.db.exec('DROP INDEX t2_u'); // while stopped
    a.tracker = enableCapture(a.db, { tables: ['t2'] });
    const q = a.tracker.listConflicts('', 100).find((entry) => entry.key[0] === 'q');
    // Refused (it would still be parked): its transaction, and any settling in it, rolls back.
    expect(() => a.tracker.resolveConflict(q?.id ?? '', { action: 'restore', values: { u: 'still k' } })).toThrow(expect.objectContaining({ code: 'STILL_CONFLICTS' }) as Error);
    a.db.prepare("INSERT INTO t2 VALUES ('n', 'n', 'n')").run();
    a.tracker.readChanges(0, 1);
    pullAll(a.tracker, fresh.tracker);
    const end = { a: state(a), fresh: state(fresh) };
    expect(end.fresh).toEqual(end.a);
  } finally {
    a.cleanup();
    b.cleanup();
    fresh.cleanup();
  }
});
