import { enableCapture } from '../../../lib/data/capture';
import type { ChangeTracker } from '../../../lib/data/change-tracker';
import { pullAll, tempDb, type TempDb } from '../../helpers/data';

/**
 * A local UPDATE that changes only a key's storage class — `1` to `1.0` in a
 * key column without affinity, the INTEGER -2^63 to the REAL -2^63 in an
 * INTEGER one, `0.0` to `-0.0` — names the same row to SQLite, so no capture
 * trigger logged it: the writer kept the new form and its peers the old one,
 * for good (status ok, nothing to sync). It is now captured as a key change,
 * and every server ends with the key stored in the writer's new form.
 */
const SCHEMA = `
CREATE TABLE loose (k NOT NULL PRIMARY KEY, v TEXT);
CREATE TABLE pairs (k NOT NULL, j TEXT NOT NULL, v TEXT, PRIMARY KEY (k, j));
CREATE TABLE ints (k INTEGER NOT NULL PRIMARY KEY, v TEXT) WITHOUT ROWID;
CREATE TABLE kids (id TEXT NOT NULL PRIMARY KEY, parent NOT NULL REFERENCES loose (k) ON DELETE CASCADE);
`;
const TABLES = ['loose', 'pairs', 'ints', 'kids'];
const MIN_INT = -(2n ** 63n);
const MIN_REAL = -9223372036854775808;

/** Every row of every table, each cell by class and exact spelling (the sign of a REAL zero included). */
function state(temp: TempDb): unknown[] {
  return TABLES.map((table) =>
    temp.db
      .prepare(
        table === 'kids'
          ? 'SELECT id, typeof(parent), quote(parent) FROM kids ORDER BY id'
          : `SELECT typeof(k), quote(k), CASE WHEN typeof(k) = 'real' AND k = 0 THEN 1 / k > 0 ELSE NULL END, * FROM ${table} ORDER BY k`,
      )
      .raw(true)
      .safeIntegers(true)
      .all(),
  );
}

describe('a local update that changes only the storage class of a key', () => {
  let a: TempDb;
  let b: TempDb;
  let ta: ChangeTracker;
  let tb: ChangeTracker;
  beforeEach(() => {
    [a, b] = [tempDb(SCHEMA), tempDb(SCHEMA)];
    [ta, tb] = [enableCapture(a.db, { tables: TABLES }), enableCapture(b.db, { tables: TABLES })];
  });
  afterEach(() => {
    a.cleanup();
    b.cleanup();
  });

  function sync(): void {
    for (let round = 0; round < 2; round += 1) {
      pullAll(ta, tb);
      pullAll(tb, ta);
    }
  }

  it.each<[string, string, unknown, unknown]>([
    ['INTEGER 1 to REAL 1.0, key without affinity', 'loose', 1n, 1],
    ['REAL 1.0 to INTEGER 1, key without affinity', 'loose', 1, 1n],
    ['INTEGER -2^63 to REAL -2^63, INTEGER key', 'ints', MIN_INT, MIN_REAL],
    ['REAL -2^63 to INTEGER -2^63, INTEGER key', 'ints', MIN_REAL, MIN_INT],
    ['REAL 0.0 to REAL -0.0, key without affinity', 'loose', 0, -0],
    ['REAL -0.0 to REAL 0.0, key without affinity', 'loose', -0, 0],
  ])('%s reaches the peer', (_name, table, before, after) => {
    a.db.prepare(`INSERT INTO ${table} (k, v) VALUES (?, 'x')`).run(before);
    sync();
    expect(state(b)).toEqual(state(a));
    a.db.prepare(`UPDATE ${table} SET k = ? WHERE k = ?`).run(after, before);
    const written = state(a);
    sync();
    expect(state(a)).toEqual(written);
    expect(state(b)).toEqual(written);
    // Later edits of the row still reach the peer, on its new form.
    b.db.prepare(`UPDATE ${table} SET v = 'edited'`).run();
    sync();
    expect(state(a)).toEqual(state(b));
    expect(a.db.prepare(`SELECT v FROM ${table}`).pluck().get()).toBe('edited');
    // Quiescent: the rewrites of the key's form on the receiving side are not sent back as new lives.
    expect(ta.readChanges(tb.pullCursor(ta.siteId), 1000, tb.siteId).changes).toEqual([]);
    expect(tb.readChanges(ta.pullCursor(tb.siteId), 1000, ta.siteId).changes).toEqual([]);
  });

  it('a composite key whose part changes class, with another column in the same statement', () => {
    a.db.prepare("INSERT INTO pairs VALUES (?, 'j', 'x')").run(2n);
    sync();
    a.db.prepare("UPDATE pairs SET k = ?, v = 'y' WHERE k = ?").run(2, 2n);
    const written = state(a);
    expect((written[1] as unknown[][])[0]?.[0]).toBe('real');
    sync();
    expect(state(b)).toEqual(written);
  });

  it('an update that keeps the key and its class is still an update of the same life', () => {
    a.db.prepare("INSERT INTO loose VALUES (?, 'x')").run(3n);
    a.db.prepare("UPDATE loose SET k = ?, v = 'y' WHERE k = ?").run(3n, 3n);
    a.db.prepare("UPDATE loose SET v = 'z' WHERE k = ?").run(3n);
    sync();
    expect(state(b)).toEqual(state(a));
    const cl = (temp: TempDb): unknown => temp.db.prepare('SELECT cl FROM _sync_rows WHERE tbl = (SELECT id FROM _sync_tables WHERE name = ?)').pluck().safeIntegers(false).get('loose');
    expect([cl(a), cl(b)]).toEqual([1, 1]);
  });

  it('a class change the peer did not see yet meets the peer’s own edit of another column: both servers end equal', () => {
    a.db.prepare("INSERT INTO loose VALUES (?, 'x')").run(4n);
    sync();
    b.db.prepare("UPDATE loose SET v = 'from b' WHERE k = ?").run(4n);
    a.db.prepare('UPDATE loose SET k = ? WHERE k = ?').run(4, 4n);
    sync();
    expect(state(b)).toEqual(state(a));
    expect((state(a)[0] as unknown[][])[0]?.[0]).toBe('real');
  });

  it('a parent whose key changes class keeps its children, on both servers, with no conflict', () => {
    a.db.prepare("INSERT INTO loose VALUES (?, 'parent')").run(5n);
    a.db.prepare("INSERT INTO kids VALUES ('kid', ?)").run(5n);
    sync();
    a.db.prepare('UPDATE loose SET k = ? WHERE k = ?').run(5, 5n);
    sync();
    expect(state(b)).toEqual(state(a));
    expect((state(a)[3] as unknown[][]).map((row) => row[0])).toEqual(['kid']);
    expect([ta.listConflicts(), tb.listConflicts()]).toEqual([[], []]);
    for (const temp of [a, b]) expect(temp.db.prepare('PRAGMA foreign_key_check').all()).toEqual([]);
  });
});
