import { nextMillisecond } from '../../helpers/clock';
import { enableCapture } from '../../../lib/data/capture';
import { pullAll } from '../../helpers/data';
import { settledState, syncBoth, trackedServer, type TrackedServer } from '../../helpers/settling';

/**
 * Counterexample (reviewer x3): the whole ranking of "the first batch a tracker
 * settles" was rolled back when that batch's transaction failed (a restore
 * answered 409 STILL_CONFLICTS), yet the tracker counted it as done: after a
 * UNIQUE index was dropped between runs, P (parked on it only) never came back.
 * Now enableCapture ranks every parked row once, in a transaction of its own.
 */
const TABLES = `CREATE TABLE t2 (id TEXT PRIMARY KEY NOT NULL, u TEXT, w TEXT UNIQUE);`;
const SCHEMA = `${TABLES} CREATE UNIQUE INDEX t2_u ON t2 (u);`;

type Server = TrackedServer;

const server = (schema = SCHEMA): Server => trackedServer(schema, ['t2']);
const state = (s: Server): ReturnType<typeof settledState> => settledState(s, 't2');

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
