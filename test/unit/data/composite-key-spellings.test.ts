import { enableCapture } from '../../../lib/data/capture';
import type { ChangeTracker } from '../../../lib/data/change-tracker';
import { tempDb, type TempDb } from '../../helpers/data';
import { rowRef } from '../../../lib/data/row-ref';

// In a key column without affinity, SQLite's key index holds INTEGER 1 and
// REAL 1.0 as one key. A composite key's metadata is the quote() of each key
// value, so `(1, 'x')` and `(1.0, 'x')` used to get two metadata rows for the
// one table row: two servers writing them ended with each other's values,
// silently. The metadata now quotes an integral REAL as its INTEGER.
const SCHEMA = 'CREATE TABLE t (a NOT NULL, b TEXT NOT NULL, v TEXT, PRIMARY KEY (a, b));';

interface Server {
  readonly temp: TempDb;
  readonly tracker: ChangeTracker;
}

function server(): Server {
  const temp = tempDb(SCHEMA);
  return { temp, tracker: enableCapture(temp.db, { tables: ['t'] }) };
}

function exchange(a: Server, b: Server): void {
  for (let round = 0; round < 2; round++) {
    const fromA = a.tracker.readChanges(0, 1000);
    const fromB = b.tracker.readChanges(0, 1000);
    b.tracker.applyChangeset(fromA);
    a.tracker.applyChangeset(fromB);
  }
}

function values(s: Server): unknown[] {
  return s.temp.db.prepare('SELECT quote(b), v FROM t ORDER BY b').raw(true).all();
}

function metaKeys(s: Server): unknown[] {
  return s.temp.db.prepare('SELECT pk FROM _sync_rows ORDER BY pk').pluck().all();
}

describe('a composite key with a column without affinity', () => {
  const servers: Server[] = [];
  afterEach(() => servers.splice(0).forEach((s) => s.temp.cleanup()));
  const make = (): Server => {
    const s = server();
    servers.push(s);
    return s;
  };

  it.each([
    ['1 and 1.0', '1', '1.0'],
    ['0 and -0.0', '0', '-0.0'],
    ['-2^63 as INTEGER and as REAL', '-9223372036854775808', '-9223372036854775808.0'],
  ])('%s written on two servers are one row, and both servers keep the same values', (_, first, second) => {
    const [a, b] = [make(), make()];
    a.temp.db.exec(`INSERT INTO t VALUES (${first}, 'x', 'from A')`);
    b.temp.db.exec(`INSERT INTO t VALUES (${second}, 'x', 'from B')`);
    exchange(a, b);
    expect(values(a)).toEqual(values(b));
    expect(a.temp.db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(1);
    expect(metaKeys(a)).toHaveLength(1);
    expect(metaKeys(a)).toEqual(metaKeys(b));
  });

  it('sends a live row keyed by a whole REAL with its key as the row stores it: a server pulling it stores the same REAL', () => {
    const [a, b] = [make(), make()];
    a.temp.db.exec("INSERT INTO t VALUES (1.0, 'x', 'real key'), (2, 'x', 'integer key')");
    exchange(a, b);
    const typed = (s: Server): unknown[] => s.temp.db.prepare('SELECT typeof(a), quote(a), v FROM t ORDER BY v').raw(true).all();
    expect(typed(b)).toEqual([
      ['integer', '2', 'integer key'],
      ['real', '1.0', 'real key'],
    ]);
    expect(typed(b)).toEqual(typed(a));
    a.temp.db.exec("DELETE FROM t WHERE a = 1.0");
    exchange(a, b);
    expect(typed(b)).toEqual([['integer', '2', 'integer key']]);
  });

  it('a one-column key without affinity travels as the row stores it too, not as first captured (deleted and written again as 1.0)', () => {
    const single = (): Server => {
      const temp = tempDb('CREATE TABLE t (a NOT NULL PRIMARY KEY, v TEXT);');
      const s = { temp, tracker: enableCapture(temp.db, { tables: ['t'] }) };
      servers.push(s);
      return s;
    };
    const [a, fresh] = [single(), single()];
    a.temp.db.exec("INSERT INTO t VALUES (1, 'first')");
    a.tracker.readChanges(0, 100);
    a.temp.db.exec("DELETE FROM t; INSERT INTO t VALUES (1.0, 'again')");
    exchange(a, fresh);
    const typed = (s: Server): unknown[] => s.temp.db.prepare('SELECT typeof(a), quote(a), v FROM t').raw(true).all();
    expect(typed(a)).toEqual([['real', '1.0', 'again']]);
    expect(typed(fresh)).toEqual(typed(a));
  });

  it('keeps REALs that are not whole, or beyond the 64-bit range, as REALs (other rows than any INTEGER)', () => {
    const [a, b] = [make(), make()];
    a.temp.db.exec("INSERT INTO t VALUES (1.5, 'x', 'half'), (9223372036854775808.0, 'x', 'two to the 63'), (9223372036854775807, 'x', 'max int'), (1e300, 'x', 'huge')");
    exchange(a, b);
    expect(metaKeys(a)).toEqual(["1.5,'x'", "1.0e+300,'x'", "9.2233720368547758e+18,'x'", "9223372036854775807,'x'"].sort());
    expect(metaKeys(b)).toEqual(metaKeys(a));
    const typed = (s: Server): unknown[] => s.temp.db.prepare('SELECT typeof(a), quote(a), v FROM t ORDER BY v').raw(true).all();
    expect(typed(b)).toEqual(typed(a));
  });

  it('merges a page that names the row as {"$real":1} into the row captured as 1', () => {
    const [a] = [make()];
    a.temp.db.exec("INSERT INTO t VALUES (1, 'x', 'old')");
    const info = a.tracker.info();
    const peer = '2'.repeat(32);
    const result = a.tracker.applyChangeset({
      protocol: 1,
      site: peer,
      schema: info.schema,
      since: 0,
      next: 1,
      sites: [peer],
      changes: [{ table: 't', key: [{ $real: 1 }, 'x'], cl: 1, hlc: Date.now() * 1024 + 5_000_000, site: 0, cells: { v: 'newer' } }],
    });
    expect(result).toMatchObject({ received: 1, applied: 1, conflicts: [] });
    expect(a.temp.db.prepare('SELECT typeof(a), v FROM t').raw(true).all()).toEqual([['integer', 'newer']]);
    expect(metaKeys(a)).toEqual(["1,'x'"]);
  });
});

describe('rowRef, the name of a row in the merge and settle maps', () => {
  it('names a whole REAL key value as its INTEGER, as the key index does', () => {
    expect(rowRef(3, [1, 'x'])).toBe(rowRef(3, [1n, 'x']));
    expect(rowRef(3, [-0])).toBe(rowRef(3, [0n]));
    expect(rowRef(3, [-(2 ** 63)])).toBe(rowRef(3, [-9223372036854775808n]));
  });

  it('keeps other REALs, and other tables, apart', () => {
    expect(rowRef(3, [1.5])).not.toBe(rowRef(3, [1n]));
    expect(rowRef(3, [2 ** 63])).not.toBe(rowRef(3, [9223372036854775807n]));
    expect(rowRef(3, [1n])).not.toBe(rowRef(4, [1n]));
    expect(rowRef(3, ['1'])).not.toBe(rowRef(3, [1n]));
  });

  it('keeps apart composite keys whose texts hold what separated the parts', () => {
    expect(rowRef(3, ['a|string:b', 'c'])).not.toBe(rowRef(3, ['a', 'b|string:c']));
    expect(rowRef(3, ['a","string:b', 'c'])).not.toBe(rowRef(3, ['a', 'b","string:c']));
  });
});
