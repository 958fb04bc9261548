import { enableCapture } from '../../../lib/data/capture';
import { pullAll, tempDb, type TempDb } from '../../helpers/data';

/**
 * A key column with INTEGER or NUMERIC affinity keeps the REAL -2^63 (a
 * JavaScript number -9223372036854775808) as a REAL, and SQLite's key index
 * holds it and the INTEGER -2^63 as one row. Two servers writing that row in
 * the two forms kept it in both for good (the stored key's class differed),
 * and a composite key was two rows in the metadata (`'-9223372036854775808,…'`
 * and `'-9.2233720368547758e+18,…'`), one of them a ghost the table lacks.
 * Now the composite metadata key is spelled as an INTEGER for both, and the
 * key takes the form of the row's earliest birth on every server, as a key
 * column without affinity does for `1` and `1.0`.
 */
const SCHEMA = `
CREATE TABLE pairs (k INTEGER NOT NULL, j TEXT NOT NULL, v TEXT, PRIMARY KEY (k, j)) WITHOUT ROWID;
CREATE TABLE ones (k NUMERIC NOT NULL PRIMARY KEY, v TEXT) WITHOUT ROWID;
`;
const MIN_INT = -(2n ** 63n);
const MIN_REAL = -9223372036854775808;

function rows(temp: TempDb): unknown[] {
  return [
    temp.db.prepare('SELECT typeof(k), quote(k), j, v FROM pairs').raw(true).all(),
    temp.db.prepare('SELECT typeof(k), quote(k), v FROM ones').raw(true).all(),
  ];
}

function liveMetadataRows(temp: TempDb): number {
  return temp.db.prepare('SELECT count(*) FROM _sync_rows WHERE cl % 2 = 1').pluck().safeIntegers(false).get() as number;
}

describe('a key of -2^63 written as an INTEGER on one server and as a REAL on another', () => {
  let a: TempDb;
  let b: TempDb;
  afterEach(() => {
    a.cleanup();
    b.cleanup();
  });

  it.each<[string, bigint | number, bigint | number]>([
    ['INTEGER first', MIN_INT, MIN_REAL],
    ['REAL first', MIN_REAL, MIN_INT],
  ])('%s: one row, in the same form on both servers, one metadata row each', (_name, first, second) => {
    [a, b] = [tempDb(SCHEMA), tempDb(SCHEMA)];
    const [ta, tb] = [enableCapture(a.db, { tables: ['pairs', 'ones'] }), enableCapture(b.db, { tables: ['pairs', 'ones'] })];
    a.db.prepare("INSERT INTO pairs VALUES (?, 'x', 'from a')").run(first);
    a.db.prepare("INSERT INTO ones VALUES (?, 'from a')").run(first);
    b.db.prepare("INSERT INTO pairs VALUES (?, 'x', 'from b')").run(second);
    b.db.prepare("INSERT INTO ones VALUES (?, 'from b')").run(second);
    for (let round = 0; round < 2; round += 1) {
      pullAll(ta, tb);
      pullAll(tb, ta);
    }
    expect(rows(b)).toEqual(rows(a));
    expect([liveMetadataRows(a), liveMetadataRows(b)]).toEqual([2, 2]);
    b.db.prepare("UPDATE pairs SET v = 'edited' WHERE k = ?").run(MIN_INT);
    pullAll(tb, ta);
    expect(rows(a)).toEqual(rows(b));
    expect((rows(a)[0] as unknown[][])[0]?.[3]).toBe('edited');
  });
});
