import type Database from 'better-sqlite3';
import { pullOverHttp, startHttpDataPair, type HttpDataPair } from '../helpers/http-data-pair';

/**
 * `id INTEGER PRIMARY KEY DESC` is not an alias of the rowid (SQLite's documented quirk,
 * https://www.sqlite.org/lang_createtable.html#rowid): SQLite keeps the id as the app wrote it, beside
 * a rowid of its own, and never makes one up. capture refused it as "an alias of the rowid" while
 * it tracked `id INT PRIMARY KEY`, the same thing spelled otherwise; now both are tracked alike.
 */
const SCHEMA = `
CREATE TABLE descs (id INTEGER PRIMARY KEY DESC NOT NULL, v TEXT);
CREATE TABLE ints (id INT PRIMARY KEY NOT NULL, v TEXT);
`;
const TABLES = ['descs', 'ints'];

function rows(db: Database.Database, table: string): unknown[] {
  return db.prepare(`SELECT typeof(id), id, v FROM ${table} ORDER BY id`).raw(true).safeIntegers(true).all();
}

describe('an INTEGER PRIMARY KEY DESC key, which is not the rowid, syncs like INT PRIMARY KEY', () => {
  let pair: HttpDataPair;
  beforeEach(async () => {
    pair = await startHttpDataPair(SCHEMA, { tables: TABLES });
  });
  afterEach(() => pair.close());

  it.each(TABLES)('%s: ids the app writes on two servers, VACUUM, edits and a delete end the same on both', async (table) => {
    const { a, b } = pair;
    a.temp.db.exec(`INSERT INTO ${table} (id, v) VALUES (100, 'a100'), (5, 'a5'), (42, 'a42')`);
    b.temp.db.exec(`INSERT INTO ${table} (id, v) VALUES (7, 'b7')`);
    // Not the rowid: the rowid is SQLite's own count, the id what the app wrote; a NULL id is refused (NOT NULL).
    expect(a.temp.db.prepare(`SELECT rowid, id FROM ${table} ORDER BY rowid`).raw(true).all()).toEqual([[1, 100], [2, 5], [3, 42]]);
    expect(() => a.temp.db.exec(`INSERT INTO ${table} (v) VALUES ('no id')`)).toThrow(/NOT NULL constraint failed/);
    let [toB, toA] = [await pullOverHttp(a, b), await pullOverHttp(b, a)];
    a.temp.db.exec(`DELETE FROM ${table} WHERE id = 5; VACUUM;`);
    b.temp.db.exec(`VACUUM; UPDATE ${table} SET v = 'b edit' WHERE id = 100;`);
    [toB, toA] = [await pullOverHttp(a, b, toB), await pullOverHttp(b, a, toA)];
    a.temp.db.exec(`UPDATE ${table} SET v = 'a edit' WHERE id = 7`);
    await pullOverHttp(a, b, toB);
    await pullOverHttp(b, a, toA);
    const expected = [
      ['integer', 7n, 'a edit'],
      ['integer', 42n, 'a42'],
      ['integer', 100n, 'b edit'],
    ];
    expect(rows(a.temp.db, table)).toEqual(expected);
    expect(rows(b.temp.db, table)).toEqual(expected);
  });
});
