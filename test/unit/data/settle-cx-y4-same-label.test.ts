import { nextMillisecond } from '../../helpers/clock';
import { pullAll } from '../../helpers/data';
import { settledState, syncBoth, trackedServer, type TrackedServer } from '../../helpers/settling';

/**
 * Counterexample (reviewer y4, before 6cffe85 too): two UNIQUE indexes on the
 * same column, one BINARY, one NOCASE, were both labelled `UNIQUE (w)`, and
 * the statement caches of the holder and claimant probes were keyed by label
 * and value: the NOCASE probe of a value reused the BINARY statement (the
 * newer index comes first), so a holder equal under NOCASE only was never
 * found. Each server kept the row that reached it first (the later one came
 * back, SQLite refused it, it stayed parked), so a and b kept different rows
 * for good. Now the caches and `_sync_blocker` use `TrackedUnique.ref`, which
 * names the collations.
 */
const SCHEMA = `
CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, w TEXT);
CREATE UNIQUE INDEX t_nc ON t (w COLLATE NOCASE);
CREATE UNIQUE INDEX t_bin ON t (w);
`;

const server = (): TrackedServer => trackedServer(SCHEMA, ['t']);
const state = (s: TrackedServer): ReturnType<typeof settledState> => settledState(s, 't');

it('two UNIQUE constraints with the same label (BINARY and NOCASE on one column): the earlier claim wins on every server', () => {
  const a = server();
  const b = server();
  const fresh = server();
  try {
    a.db.prepare("INSERT INTO t VALUES ('h', 'ABC')").run(); // H: claim 1
    nextMillisecond();
    b.db.prepare("INSERT INTO t VALUES ('p', 'abc')").run(); // P: claim 2, clashes with H under NOCASE only
    syncBoth(a, b);
    pullAll(a.tracker, fresh.tracker);
    const end = { a: state(a), b: state(b), fresh: state(fresh) };
    expect(end.a).toEqual({ visible: ['h'], parked: ['p:UNIQUE'] });
    expect(end.b).toEqual(end.a);
    expect(end.fresh).toEqual(end.a);
  } finally {
    a.cleanup();
    b.cleanup();
    fresh.cleanup();
  }
});
