import type Database from 'better-sqlite3';
import { closeDataPair, startDataPair, type DataPair } from '../helpers/data-pair';

/**
 * A UTF-16 database reads no number from text holding a character beyond U+00FF, even after a NUL: its NUMERIC,
 * INT or REAL key column stores `'5\0ā'` as that TEXT, where a UTF-8 one stores 5. The receiving server checked
 * every key with the UTF-8 rule, and refused each page carrying such a key with 400 INVALID_VALUE ("would store
 * this value as a number"), though it stores the key as sent: two UTF-16 servers could not sync that row.
 */
const KEYS = ['5\u0000\u0101', '7\u0000x\u4e2d', ' 1e3\u0000\u{1F916}'];

const schema = (encoding: string, type: string): string => `PRAGMA encoding = '${encoding}'; CREATE TABLE t (k ${type} NOT NULL, v TEXT, PRIMARY KEY (k));`;

function rows(db: Database.Database): unknown[] {
  return db.prepare('SELECT typeof(k), hex(k), v FROM t ORDER BY hex(k)').raw(true).all();
}

describe.each([
  ['UTF-16le', 'NUMERIC'],
  ['UTF-16be', 'INT'],
  ['UTF-16le', 'REAL'],
])('numeric text keys holding a NUL and a character beyond U+00FF, between two %s servers (%s key)', (encoding, type) => {
  let pair: DataPair;
  afterEach(async () => {
    await closeDataPair(pair);
  });

  it('sync both ways, each row stored as TEXT on both servers', async () => {
    pair = await startDataPair(schema(encoding, type), schema(encoding, type), ['t']);
    const [first, second, third] = KEYS;
    pair.here.db.prepare('INSERT INTO t VALUES (?, ?)').run(first, 'here');
    pair.there.db.prepare('INSERT INTO t VALUES (?, ?), (?, ?)').run(second, 'there', third, 'there');
    expect(await pair.node.syncNow()).toEqual([expect.objectContaining({ ok: true })]);
    pair.there.db.prepare('UPDATE t SET v = ? WHERE k = ?').run('edited', first);
    expect(await pair.node.syncNow()).toEqual([expect.objectContaining({ ok: true })]);
    expect(rows(pair.here.db)).toHaveLength(3);
    expect(rows(pair.here.db).every((row) => (row as unknown[])[0] === 'text')).toBe(true);
    expect(rows(pair.here.db)).toEqual(rows(pair.there.db));
    expect(pair.here.db.prepare('SELECT v FROM t WHERE k = ?').pluck().get(first)).toBe('edited');
  });
});
