import { nextMillisecond } from '../../helpers/clock';
import { pullAll } from '../../helpers/data';
import { settledState, syncBoth, trackedServer, type TrackedServer } from '../../helpers/settling';

/**
 * Counterexample: a row parked for FOREIGN_KEY (F) holds u = 1 and blocks P
 * (parked for UNIQUE, later claim). A write to F's other UNIQUE column makes
 * F's claim later than P's while F keeps u = 1: P must now win u = 1. Found
 * by reviewer x3: the incremental settler ranked F only (a written parked row:
 * its key, not the claimants of its values) and never P. Now a written row,
 * visible or parked, brings the claimants of its values.
 */
const SCHEMA = `
CREATE TABLE p (id TEXT PRIMARY KEY NOT NULL);
CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, u INTEGER UNIQUE, w TEXT UNIQUE, pid TEXT REFERENCES p (id));
`;

type Server = TrackedServer;

const server = (schema = SCHEMA): Server => trackedServer(schema, ['p', 't']);
const state = (s: Server): ReturnType<typeof settledState> => settledState(s, 't');

it('a FOREIGN_KEY-parked holder whose claim moves past a UNIQUE-parked claimant', () => {
  const a = server();
  const b = server();
  const fresh = server();
  try {
    a.db.prepare("INSERT INTO p VALUES ('p1')").run();
    syncBoth(a, b);
    a.db.prepare("INSERT INTO t VALUES ('f', 1, 'f', 'p1')").run(); // F: claim 1
    nextMillisecond();
    b.db.prepare("INSERT INTO t VALUES ('p', 1, 'x', NULL)").run(); // P: claim 2
    nextMillisecond();
    a.db.prepare("INSERT INTO t VALUES ('g', 2, 'x', NULL)").run(); // G: claim 3
    syncBoth(a, b);
    // Concurrently: b deletes F's parent (F parked for FOREIGN_KEY on b), a writes F's other UNIQUE column (claim 4).
    b.db.pragma('foreign_keys = OFF'); // as the sqlite3 shell: the orphan is parked at the fold
    b.db.prepare("DELETE FROM p WHERE id = 'p1'").run();
    b.db.pragma('foreign_keys = ON');
    b.tracker.readChanges(0, 1);
    nextMillisecond();
    a.db.prepare("UPDATE t SET w = 'f2' WHERE id = 'f'").run();
    a.tracker.readChanges(0, 1);
    pullAll(a.tracker, b.tracker); // b gets F's write while F is parked for FOREIGN_KEY there
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
