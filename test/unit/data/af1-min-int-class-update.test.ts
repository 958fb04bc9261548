import { enableCapture } from '../../../lib/data/capture';
import { pullAll, tempDb, type TempDb } from '../../helpers/data';

/**
 * A column with INTEGER or NUMERIC affinity stores a REAL with an integral value
 * as an INTEGER only strictly between -2^63 and 2^63: the REAL -2^63 (what a
 * JavaScript number -9223372036854775808 binds as) stays a REAL, and SQLite
 * compares it equal to the INTEGER -2^63. An UPDATE from one to the other
 * changed the cell's storage class and no bit of the update trigger's mask
 * (`NEW.x IS NOT OLD.x` is false), so the peers kept the old class for good.
 */
const SCHEMA = 'CREATE TABLE t (id TEXT PRIMARY KEY NOT NULL, i INTEGER, n NUMERIC, big BIGINT, other TEXT);';
const MIN_INT = -(2n ** 63n);
const MIN_REAL = -9223372036854775808;

function cells(temp: TempDb): unknown[] {
  return temp.db.prepare("SELECT typeof(i), quote(i), typeof(n), quote(n), typeof(big), quote(big), other FROM t WHERE id = 'r'").raw(true).get() as unknown[];
}

describe('an UPDATE between the INTEGER and the REAL -2^63 in a column with INTEGER or NUMERIC affinity', () => {
  let a: TempDb;
  let b: TempDb;
  afterEach(() => {
    a.cleanup();
    b.cleanup();
  });

  it.each<[string, bigint | number, bigint | number]>([
    ['INTEGER to REAL', MIN_INT, MIN_REAL],
    ['REAL to INTEGER', MIN_REAL, MIN_INT],
  ])('%s: the peer ends with the same storage class', (_name, first, second) => {
    [a, b] = [tempDb(SCHEMA), tempDb(SCHEMA)];
    const [ta, tb] = [enableCapture(a.db, { tables: ['t'] }), enableCapture(b.db, { tables: ['t'] })];
    a.db.prepare("INSERT INTO t VALUES ('r', ?, ?, ?, 'x')").run(first, first, first);
    pullAll(ta, tb);
    expect(cells(b)).toEqual(cells(a));
    a.db.prepare("UPDATE t SET i = ?, n = ?, big = ? WHERE id = 'r'").run(second, second, second);
    const classOf = typeof second === 'bigint' ? 'integer' : 'real';
    expect(cells(a).filter((_, index) => index % 2 === 0 && index < 6)).toEqual([classOf, classOf, classOf]);
    pullAll(ta, tb);
    expect(cells(b)).toEqual(cells(a));
  });

  it('an UPDATE that writes the same value in the same class logs nothing', () => {
    [a, b] = [tempDb(SCHEMA), tempDb(SCHEMA)];
    const ta = enableCapture(a.db, { tables: ['t'] });
    a.db.prepare("INSERT INTO t VALUES ('r', ?, ?, ?, 'x')").run(MIN_REAL, MIN_INT, 5);
    const seq = ta.fold();
    a.db.prepare("UPDATE t SET i = ?, n = ?, big = 5.0 WHERE id = 'r'").run(MIN_REAL, MIN_INT);
    expect(ta.fold()).toBe(seq);
  });
});
