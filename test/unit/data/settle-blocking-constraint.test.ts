import { enableCapture } from '../../../lib/data/capture';
import { ClaimReader } from '../../../lib/data/claims';
import { nextMillisecond } from '../../helpers/clock';
import { pullAll } from '../../helpers/data';
import { settledState, syncBoth, trackedServer, type TrackedServer } from '../../helpers/settling';

/**
 * A row parked for UNIQUE remembers which constraint an earlier claim blocked
 * it on (`_sync_blocker`), and a batch looks at it again when that
 * constraint's value is free, not whenever one of its other values is (in a
 * table with two UNIQUE columns, a row blocked on one almost always holds a
 * free value in the other, so every batch ranked every such row again).
 */
const SCHEMA = 'CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, u INTEGER UNIQUE, w TEXT UNIQUE);';

const server = (): TrackedServer => trackedServer(SCHEMA, ['t']);
const state = (s: TrackedServer): ReturnType<typeof settledState> => settledState(s, 't');

/** `count` rows parked on both servers, `b0`…: `a0`… claimed their `u` first; their `w` values are free. */
function parkedOnU(a: TrackedServer, b: TrackedServer, count: number): void {
  const insert = (s: TrackedServer, prefix: string): void => {
    const statement = s.db.prepare('INSERT INTO t VALUES (?, ?, ?)');
    s.db.transaction(() => {
      for (let i = 0; i < count; i += 1) statement.run(`${prefix}${i}`, 1000 + i, `${prefix}-${i}`);
    })();
  };
  insert(a, 'a');
  nextMillisecond();
  insert(b, 'b');
  syncBoth(a, b);
}

describe('the UNIQUE constraint that blocks a parked row', () => {
  let a: TrackedServer;
  let b: TrackedServer;
  let fresh: TrackedServer;
  beforeEach(() => {
    a = server();
    b = server();
    fresh = server();
  });
  afterEach(() => {
    jest.restoreAllMocks();
    a.cleanup();
    b.cleanup();
    fresh.cleanup();
  });

  it('a write elsewhere does not rank again the rows blocked on a value still held', () => {
    parkedOnU(a, b, 50);
    expect(state(a).parked).toHaveLength(50);
    const claims = jest.spyOn(ClaimReader.prototype, 'claimOf');
    a.db.prepare("INSERT INTO t VALUES ('n', 1, 'n')").run();
    a.tracker.readChanges(0, 1); // folds the local write, and settles
    expect(claims.mock.calls.length).toBeLessThan(10); // was 50 and more: every b row holds a free w
    a.db.prepare("DELETE FROM t WHERE id = 'a3'").run(); // b3's u is free now: b3 comes back
    a.tracker.readChanges(0, 1);
    syncBoth(a, b);
    pullAll(a.tracker, fresh.tracker);
    for (const s of [a, b, fresh]) {
      expect(state(s).visible).toContain('b3');
      expect(state(s).parked).toHaveLength(49);
    }
  });

  it('a row blocked on one column comes back when that value is free, displacing a later claim on the other', () => {
    a.db.prepare("INSERT INTO t VALUES ('h', 1, 'hw')").run(); // H: claim 1 on u = 1
    nextMillisecond();
    b.db.prepare("INSERT INTO t VALUES ('p', 1, 'x')").run(); // P: claim 2, blocked on u by H
    syncBoth(a, b);
    nextMillisecond();
    a.db.prepare("INSERT INTO t VALUES ('r', 2, 'x')").run(); // R: claim 3, takes P's w while P is parked
    syncBoth(a, b);
    for (const s of [a, b]) expect(state(s)).toEqual({ visible: ['h', 'r'], parked: ['p:UNIQUE'] });
    a.db.prepare("DELETE FROM t WHERE id = 'h'").run(); // u = 1 is free; w = 'x' is held, by a later claim
    a.tracker.readChanges(0, 1);
    syncBoth(a, b);
    pullAll(a.tracker, fresh.tracker);
    for (const s of [a, b, fresh]) expect(state(s)).toEqual({ visible: ['p'], parked: ['r:UNIQUE'] });
  });

  it('a row blocked on its second UNIQUE column comes back when that value is free', () => {
    a.db.prepare("INSERT INTO t VALUES ('h', 5, 'k')").run();
    nextMillisecond();
    b.db.prepare("INSERT INTO t VALUES ('p', 6, 'k')").run(); // blocked on w; u = 6 is free
    syncBoth(a, b);
    b.db.prepare("UPDATE t SET w = 'k2' WHERE id = 'h'").run();
    b.tracker.readChanges(0, 1);
    syncBoth(a, b);
    pullAll(a.tracker, fresh.tracker);
    for (const s of [a, b, fresh]) expect(state(s)).toEqual({ visible: ['h', 'p'], parked: [] });
  });

  it('rows parked by a version that kept no blocker are looked at as before, and the column is added at start', () => {
    parkedOnU(a, b, 5);
    a.db.exec('ALTER TABLE _sync_parked_1 DROP COLUMN _sync_blocker'); // as a database parked by an earlier version
    a.tracker = enableCapture(a.db, { tables: ['t'] });
    expect(a.db.prepare("SELECT count(*) FROM pragma_table_info('_sync_parked_1') WHERE name = '_sync_blocker'").pluck().get()).toBe(1);
    a.db.exec('UPDATE _sync_parked_1 SET _sync_blocker = NULL'); // not known (the start ranked them again)
    a.db.prepare("DELETE FROM t WHERE id = 'a2'").run();
    a.tracker.readChanges(0, 1);
    syncBoth(a, b);
    for (const s of [a, b]) {
      expect(state(s).visible).toContain('b2');
      expect(state(s).parked).toHaveLength(4);
    }
  });
});
