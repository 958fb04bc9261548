import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { enableCapture } from '../../../lib/data/capture';
import { nextMillisecond } from '../../helpers/clock';
import { pullAll } from '../../helpers/data';
import { settledState, syncBoth, trackedServer, type TrackedServer } from '../../helpers/settling';

/**
 * Reviewer y4: cases around the blocking constraint (`_sync_blocker`) that
 * hold. Each server's state is compared with a fresh server pulling everything
 * and with a copy of itself on which every parked row is ranked again
 * (`enableCapture` on the copy: `settleWhole`).
 */
const SCHEMA = `
CREATE TABLE p (id TEXT PRIMARY KEY NOT NULL);
CREATE TABLE t (
  id TEXT PRIMARY KEY NOT NULL, u INTEGER UNIQUE, w TEXT COLLATE NOCASE UNIQUE, a INTEGER, b INTEGER,
  pid TEXT REFERENCES p (id), c INTEGER CHECK (c IS NULL OR c < 3), UNIQUE (a, b)
);`;
const TABLES = ['p', 't'];

const server = (): TrackedServer => trackedServer(SCHEMA, TABLES);
const state = (s: TrackedServer): ReturnType<typeof settledState> => settledState(s, 't');

/** The state a copy of `s` reaches when every parked row is ranked again. */
function whole(s: TrackedServer): ReturnType<typeof settledState> {
  const file = `${s.file}.whole`;
  s.db.exec(`VACUUM INTO '${file}'`);
  const db = new Database(file);
  try {
    db.exec('UPDATE _sync_state SET file_id = NULL'); // not a copy: the same site id
    const copy = { db, file, connect: () => db, cleanup: () => undefined, tracker: enableCapture(db, { tables: TABLES }) };
    return state(copy);
  } finally {
    db.close();
    rmSync(file, { force: true });
  }
}

function expectSettled(servers: readonly TrackedServer[]): ReturnType<typeof settledState> {
  const [first] = servers;
  if (first === undefined) throw new Error('no server');
  for (const s of servers) {
    s.tracker.fold();
    expect(whole(s)).toEqual(state(s));
    expect(state(s)).toEqual(state(first));
  }
  return state(first);
}

describe('y4: the blocking constraint holds', () => {
  let a: TrackedServer;
  let b: TrackedServer;
  let fresh: TrackedServer;
  beforeEach(() => {
    a = server();
    b = server();
    fresh = server();
  });
  afterEach(() => {
    a.cleanup();
    b.cleanup();
    fresh.cleanup();
  });

  it('blocked on u by one row and on w by another: it comes back only when both let go', () => {
    a.db.prepare("INSERT INTO t (id, u, w) VALUES ('h1', 1, 'h1')").run();
    a.db.prepare("INSERT INTO t (id, u, w) VALUES ('h2', 2, 'X')").run();
    nextMillisecond();
    b.db.prepare("INSERT INTO t (id, u, w) VALUES ('p', 1, 'x')").run(); // blocked on u (h1) and w (h2, NOCASE)
    syncBoth(a, b);
    expect(expectSettled([a, b])).toEqual({ visible: ['h1', 'h2'], parked: ['p:UNIQUE'] });
    a.db.prepare("DELETE FROM t WHERE id = 'h1'").run();
    syncBoth(a, b);
    expect(expectSettled([a, b])).toEqual({ visible: ['h2'], parked: ['p:UNIQUE'] });
    nextMillisecond();
    b.db.prepare("INSERT INTO t (id, u, w) VALUES ('l', 1, 'l')").run(); // takes u = 1, later than p
    syncBoth(a, b);
    expect(expectSettled([a, b])).toEqual({ visible: ['h2', 'l'], parked: ['p:UNIQUE'] });
    b.db.prepare("UPDATE t SET w = 'y' WHERE id = 'h2'").run(); // w = 'x' is free: p comes back, displacing l
    syncBoth(a, b);
    pullAll(a.tracker, fresh.tracker);
    expect(expectSettled([a, b, fresh])).toEqual({ visible: ['h2', 'p'], parked: ['l:UNIQUE'] });
  });

  it('a composite value whose holder writes NULL into it', () => {
    a.db.prepare("INSERT INTO t (id, a, b, u) VALUES ('h', 1, 2, 5)").run();
    nextMillisecond();
    b.db.prepare("INSERT INTO t (id, a, b, u) VALUES ('p', 1, 2, 6)").run();
    nextMillisecond();
    a.db.prepare("INSERT INTO t (id, u) VALUES ('g', 6)").run(); // g takes p's u while p is parked
    syncBoth(a, b);
    expect(expectSettled([a, b])).toEqual({ visible: ['g', 'h'], parked: ['p:UNIQUE'] });
    b.db.prepare("UPDATE t SET b = NULL WHERE id = 'h'").run();
    syncBoth(a, b);
    pullAll(a.tracker, fresh.tracker);
    expect(expectSettled([a, b, fresh])).toEqual({ visible: ['h', 'p'], parked: ['g:UNIQUE'] });
  });

  it('a holder parked for FOREIGN_KEY, then discarded as a conflict', () => {
    a.db.prepare("INSERT INTO p VALUES ('p1')").run();
    a.db.prepare("INSERT INTO t (id, u, pid) VALUES ('f', 1, 'p1')").run();
    nextMillisecond();
    b.db.prepare("INSERT INTO t (id, u, w) VALUES ('q', 1, 'q')").run();
    syncBoth(a, b);
    nextMillisecond();
    a.db.prepare("INSERT INTO t (id, u, w) VALUES ('g', 2, 'Q')").run(); // g takes q's w (NOCASE) while q is parked
    syncBoth(a, b);
    const other = a.connect();
    other.pragma('foreign_keys = OFF');
    other.prepare("DELETE FROM p WHERE id = 'p1'").run(); // f is parked for FOREIGN_KEY, still holding u = 1
    a.tracker.fold();
    syncBoth(a, b);
    expect(expectSettled([a, b])).toEqual({ visible: ['g'], parked: ['f:FOREIGN_KEY', 'q:UNIQUE'] });
    const f = a.tracker.listConflicts('', 100).find((entry) => entry.key[0] === 'f');
    a.tracker.resolveConflict(f?.id ?? '', { action: 'discard' });
    syncBoth(a, b);
    pullAll(a.tracker, fresh.tracker);
    expect(expectSettled([a, b, fresh])).toEqual({ visible: ['q'], parked: ['g:UNIQUE'] });
  });

  it('a parked row restored with values that clash is refused; restored with free ones it comes back', () => {
    a.db.prepare("INSERT INTO t (id, u, w) VALUES ('h', 1, 'h')").run();
    nextMillisecond();
    b.db.prepare("INSERT INTO t (id, u, w) VALUES ('p', 1, 'x')").run();
    nextMillisecond();
    b.db.prepare("INSERT INTO t (id, u, w) VALUES ('r', 3, 'h')").run(); // blocked on w by h
    syncBoth(a, b);
    expect(expectSettled([a, b])).toEqual({ visible: ['h'], parked: ['p:UNIQUE', 'r:UNIQUE'] });
    const r = a.tracker.listConflicts('', 100).find((entry) => entry.key[0] === 'r');
    expect(() => a.tracker.resolveConflict(r?.id ?? '', { action: 'restore', values: { w: 'H' } })).toThrow(/still be parked/);
    expect(() => a.tracker.resolveConflict(r?.id ?? '', { action: 'restore', values: { w: 'r', u: 1 } })).toThrow(/still be parked/);
    expect(expectSettled([a])).toEqual({ visible: ['h'], parked: ['p:UNIQUE', 'r:UNIQUE'] });
    a.tracker.resolveConflict(r?.id ?? '', { action: 'restore', values: { w: 'r' } });
    syncBoth(a, b);
    pullAll(a.tracker, fresh.tracker);
    expect(expectSettled([a, b, fresh])).toEqual({ visible: ['h', 'r'], parked: ['p:UNIQUE'] });
  });

  it('a local write from a second connection lets go of a value and takes another in one transaction', () => {
    a.db.prepare("INSERT INTO t (id, u, w) VALUES ('h', 1, 'h')").run();
    nextMillisecond();
    b.db.prepare("INSERT INTO t (id, u, w) VALUES ('p', 1, 'x')").run();
    syncBoth(a, b);
    nextMillisecond();
    const other = a.connect();
    other.transaction(() => {
      other.prepare("UPDATE t SET u = 7 WHERE id = 'h'").run();
      other.prepare("INSERT INTO t (id, u, w) VALUES ('l', 1, 'l')").run();
    })();
    syncBoth(a, b);
    pullAll(a.tracker, fresh.tracker);
    expect(expectSettled([a, b, fresh])).toEqual({ visible: ['h', 'p'], parked: ['l:UNIQUE'] });
  });

  it('a UNIQUE index added while rows are parked (a restart on each server): blockers are taken again', () => {
    a.db.prepare("INSERT INTO t (id, u, w, c) VALUES ('h', 1, 'h', 1)").run();
    nextMillisecond();
    b.db.prepare("INSERT INTO t (id, u, w, c) VALUES ('p', 1, 'p', 2)").run(); // blocked on u by h
    nextMillisecond();
    a.db.prepare("INSERT INTO t (id, u, w, c) VALUES ('g', 2, 'g', 2)").run(); // will clash with p on the new index, later
    syncBoth(a, b);
    for (const s of [a, b]) {
      s.db.exec('CREATE UNIQUE INDEX t_c ON t (c)'); // g and p clash on c = 2: g is visible, p parked
      s.tracker = enableCapture(s.db, { tables: TABLES });
    }
    fresh.db.exec('CREATE UNIQUE INDEX t_c ON t (c)');
    fresh.tracker = enableCapture(fresh.db, { tables: TABLES });
    expect(expectSettled([a, b])).toEqual({ visible: ['g', 'h'], parked: ['p:UNIQUE'] });
    a.db.prepare("DELETE FROM t WHERE id = 'h'").run(); // u = 1 is free: p comes back, displacing g (later, on c)
    syncBoth(a, b);
    pullAll(a.tracker, fresh.tracker);
    expect(expectSettled([a, b, fresh])).toEqual({ visible: ['p'], parked: ['g:UNIQUE'] });
  });
});
