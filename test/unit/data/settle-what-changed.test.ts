import { nextMillisecond } from '../../helpers/clock';
import { pullAll } from '../../helpers/data';
import { syncBoth, trackedServer, type TrackedServer } from '../../helpers/settling';

/**
 * After a batch, the constraint rules look only at the parked rows the batch
 * may concern (not all of them). These cases each need one of the ways such a
 * row is found, among enough other parked rows that ranking them all is not
 * what happens: a value let go, a value taken by a later claim, a value freed
 * by a holder displaced while ranking, and an orphan whose parent arrives.
 */

const SCHEMA = `
CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, u INTEGER UNIQUE, w TEXT UNIQUE);
CREATE TABLE p (id INT PRIMARY KEY NOT NULL, name TEXT);
CREATE TABLE c (id TEXT PRIMARY KEY NOT NULL, pid TEXT REFERENCES p (id));
`;

type Server = TrackedServer;

const server = (): Server => trackedServer(SCHEMA, ['t', 'p', 'c']);

function visible(s: Server): string[] {
  return s.db.prepare('SELECT id FROM t ORDER BY id').pluck().all() as string[];
}

function parked(s: Server, table = 't'): string[] {
  return s.tracker
    .listConflicts('', 1000)
    .filter((entry) => entry.table === table)
    .map((entry) => String(entry.key[0]))
    .sort();
}

/** 20 rows parked on both servers (`b0`…`b19`: `a0`… claimed their values first). */
function manyParked(a: Server, b: Server): void {
  const insert = (s: Server, prefix: string): void => {
    const statement = s.db.prepare('INSERT INTO t VALUES (?, ?, ?)');
    s.db.transaction(() => {
      for (let i = 0; i < 20; i += 1) statement.run(`${prefix}${i}`, 100 + i, `${prefix}-${i}`);
    })();
  };
  insert(a, 'a');
  nextMillisecond();
  insert(b, 'b');
  syncBoth(a, b);
}

describe('settling only what a batch may concern', () => {
  let a: Server;
  let b: Server;
  beforeEach(() => {
    a = server();
    b = server();
  });
  afterEach(() => {
    a.cleanup();
    b.cleanup();
  });

  it('admits a parked row when its holder is deleted, among other parked rows', () => {
    manyParked(a, b);
    expect(parked(a)).toHaveLength(20);
    a.db.prepare("DELETE FROM t WHERE id = 'a3'").run();
    a.tracker.readChanges(0, 1); // folds the local write
    expect(visible(a)).toContain('b3');
    syncBoth(a, b);
    for (const s of [a, b]) {
      expect(visible(s)).toContain('b3');
      expect(parked(s)).toHaveLength(19);
    }
  });

  it('parks a row that takes a value a parked row claimed earlier, and admits that one', () => {
    manyParked(a, b);
    // In one transaction: a7 lets its values go and a new, later row takes both values b7 claims.
    a.db.transaction(() => {
      a.db.prepare("DELETE FROM t WHERE id = 'a7'").run();
      a.db.prepare("INSERT INTO t VALUES ('n7', 107, 'b-7')").run(); // both of b7's values: none is free
    })();
    a.tracker.readChanges(0, 1);
    syncBoth(a, b);
    for (const s of [a, b]) {
      expect(visible(s)).toContain('b7');
      expect(visible(s)).not.toContain('n7');
      expect(parked(s)).toContain('n7');
    }
  });

  it('ranks the rows parked on the values a displaced holder lets go', () => {
    manyParked(a, b);
    // Claims in this order: e < q < h < r < z.
    a.db.prepare("INSERT INTO t VALUES ('e', 1, 'e')").run();
    nextMillisecond();
    b.db.prepare("INSERT INTO t VALUES ('q', 1, 'k')").run();
    nextMillisecond();
    a.db.prepare("INSERT INTO t VALUES ('h', 2, 'k')").run();
    nextMillisecond();
    b.db.prepare("INSERT INTO t VALUES ('r', 2, 'z')").run();
    nextMillisecond();
    a.db.prepare("INSERT INTO t VALUES ('z', 3, 'z')").run();
    syncBoth(a, b);
    for (const s of [a, b]) {
      expect(visible(s)).toEqual(expect.arrayContaining(['e', 'h', 'z']));
      expect(parked(s)).toEqual(expect.arrayContaining(['q', 'r']));
    }
    // e lets u = 1 go: q comes back and displaces h (later, on w = 'k'); h lets u = 2 go, so r comes back and displaces z.
    a.db.prepare("DELETE FROM t WHERE id = 'e'").run();
    a.tracker.readChanges(0, 1);
    syncBoth(a, b);
    for (const s of [a, b]) {
      expect(visible(s)).toEqual(expect.arrayContaining(['q', 'r']));
      expect(visible(s)).not.toEqual(expect.arrayContaining(['h']));
      expect(parked(s)).toEqual(expect.arrayContaining(['h', 'z']));
      expect(parked(s)).not.toEqual(expect.arrayContaining(['q']));
      expect(parked(s)).not.toEqual(expect.arrayContaining(['r']));
    }
    // A server pulling everything from scratch ends the same.
    const fresh = server();
    try {
      pullAll(a.tracker, fresh.tracker);
      expect(visible(fresh)).toEqual(visible(a));
      expect(parked(fresh)).toEqual(parked(a));
    } finally {
      fresh.cleanup();
    }
  });

  it('brings back an orphan (its key spelled as text) when its parent arrives, not the orphans whose parent is gone', () => {
    a.db.prepare("INSERT INTO p VALUES (1, 'one')").run();
    syncBoth(a, b);
    b.db.prepare('DELETE FROM p WHERE id = 1').run();
    const child = a.db.prepare('INSERT INTO c VALUES (?, ?)');
    a.db.transaction(() => {
      for (let i = 0; i < 20; i += 1) child.run(`c${i}`, '1');
    })();
    // Two orphans from the start (written with foreign keys off): their parents, 5 and 6, are made on b below.
    a.db.pragma('foreign_keys = OFF');
    a.db.prepare("INSERT INTO c VALUES ('five', '5'), ('six', '6')").run();
    a.db.pragma('foreign_keys = ON');
    pullAll(a.tracker, b.tracker);
    expect(parked(b, 'c')).toHaveLength(22);
    b.db.prepare("INSERT INTO p VALUES (5, 'five')").run();
    b.tracker.readChanges(0, 1);
    expect(b.db.prepare("SELECT pid FROM c WHERE id = 'five'").pluck().get()).toBe('5');
    expect(parked(b, 'c')).toHaveLength(21);
    b.db.prepare("INSERT INTO p VALUES (6, 'six')").run();
    b.tracker.readChanges(0, 1);
    expect(parked(b, 'c')).toHaveLength(20);
    syncBoth(a, b);
    expect(b.db.prepare('SELECT id FROM c ORDER BY id').pluck().all()).toEqual(a.db.prepare('SELECT id FROM c ORDER BY id').pluck().all());
  });
});
