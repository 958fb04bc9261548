import { nextMillisecond } from '../../helpers/clock';
import { pullAll } from '../../helpers/data';
import { settledState, syncBoth, trackedServer, type TrackedServer } from '../../helpers/settling';

/**
 * Counterexample: C is parked for CHECK (no earlier row held its w). P, parked
 * for UNIQUE on u, comes back when its holder H is deleted and takes w = 'x',
 * which C claims later: C's reason must become UNIQUE (as ranking all parked
 * rows, and a server pulling from scratch, say). Found by reviewer x3: C was no
 * candidate of the incremental settler (not written, not moved, and unblocked()
 * lists only rows parked for UNIQUE), so it stayed CHECK. Now a row admitted
 * while ranking brings the claimants of the values it takes.
 */
const SCHEMA = `
CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, u TEXT UNIQUE, w TEXT UNIQUE, lo INTEGER, hi INTEGER, CHECK (lo < hi));
`;

type Server = TrackedServer;

const server = (schema = SCHEMA): Server => trackedServer(schema, ['t']);
const state = (s: Server): ReturnType<typeof settledState> => settledState(s, 't');

it('a CHECK-parked row whose value an earlier row takes while ranking', () => {
  const a = server();
  const b = server();
  const fresh = server();
  try {
    a.db.prepare("INSERT INTO t VALUES ('h', 'a', NULL, 1, 5)").run(); // H: claim 1
    nextMillisecond();
    b.db.prepare("INSERT INTO t VALUES ('p', 'a', 'x', 1, 5)").run(); // P: claim 2, parked on u = 'a'
    syncBoth(a, b);
    nextMillisecond();
    a.db.prepare("INSERT INTO t VALUES ('c', NULL, 'x', 1, 5)").run(); // C: claim 3, takes w = 'x' (P is parked)
    syncBoth(a, b);
    // Concurrent edits that together break CHECK: C is parked for CHECK on both.
    a.db.prepare("UPDATE t SET lo = 4 WHERE id = 'c'").run();
    b.db.prepare("UPDATE t SET hi = 2 WHERE id = 'c'").run();
    syncBoth(a, b);
    a.db.prepare("DELETE FROM t WHERE id = 'h'").run(); // P comes back, with w = 'x'
    a.tracker.readChanges(0, 1);
    syncBoth(a, b);
    pullAll(a.tracker, fresh.tracker);
    const end = { a: state(a), b: state(b), fresh: state(fresh) };
    expect(end.b).toEqual(end.a);
    expect(end.fresh).toEqual(end.a);
  } finally {
    a.cleanup();
    b.cleanup();
    fresh.cleanup();
  }
});
