import path from 'node:path';
import Database from 'better-sqlite3';
import { StoredForms } from '../../../lib/data/stored-form';
import type { TrackedColumn } from '../../../lib/data/tracked-table';
import { compareValues } from '../../../lib/data/value-order';
import { mayHideBytes, TextBytes, textFromBytes, type SqlValue, type TextEncoding } from '../../../lib/data/values';
import { tempDir } from '../../helpers/temp';

/*
 * The merge compares two values under one clock as their column stores them (see cell-contest.ts), so
 * StoredForms must predict exactly what SQLite stores: each value is written to a column of each affinity
 * and read back, in a UTF-8 and a UTF-16 database, in a table and in a STRICT one.
 */

const COLUMNS: readonly (readonly [string, string])[] = [
  ['i', 'INTEGER'], ['n', 'NUMERIC'], ['r', 'REAL'], ['x', 'TEXT'], ['b', 'BLOB'], ['d', 'DECIMAL(10,2)'], ['a', ''], ['y', 'ANY'],
];

/** A STRICT table's columns: ANY keeps every value as it is there (declared in another table, it is NUMERIC). */
const STRICT_COLUMNS: readonly (readonly [string, string])[] = [['i', 'INTEGER'], ['j', 'INT'], ['r', 'REAL'], ['x', 'TEXT'], ['b', 'BLOB'], ['y', 'ANY']];

const VALUES: readonly SqlValue[] = [
  '5', '5.0', ' 5 ', '\t5\n', '1e3', '1E3', '1e400', '-1e400', '-0', '-0.0', '0x10', '9223372036854775807', '9223372036854775808',
  '-9223372036854775808', '-9223372036854775809', '12abc', '', ' ', '+5', '.5', '5.', '1.5e-3', '00012', '1_000', 'é', 'Inf', 'NaN',
  '0.1', '3.14159265358979323846', '123456789012345678901234567890', '5\u0000', '5\u0000x', ' 5\u0000 ', '\u00005',
  5n, -5n, 0n, 9223372036854775807n, -9223372036854775808n, 9007199254740993n,
  -0, 0, 0.5, 3, 1e20, 2 ** 63, -(2 ** 63), 2 ** 62, Infinity, -Infinity, 1e-300, 0.1, 123456789.123,
  Buffer.from('5'), Buffer.alloc(0), new TextBytes(Buffer.from([0xff, 0x35])), new TextBytes(Buffer.from([0x35, 0x00, 0x80])), null,
  // Text with a point or an exponent whose value is integral: an INTEGER or NUMERIC column stores an INTEGER up to ±2^63
  // (CAST AS NUMERIC keeps a REAL from 2^51 on).
  '1e18', '1.5e18', '-1e18', '9007199254740993.0', '4503599627370497.5', '9.2233720368547e18', '-9223372036854775808.0',
  // A UTF-16 database reads no number from text holding a character beyond U+00FF, even after a NUL (a UTF-8 one stops at the NUL).
  '5\u0000\u0100', ' 5\u0000\u4e00', '5\u0000\u{1F600}', '5\u0000\u00e9',
  new TextBytes(Buffer.from([0x35, 0x00, 0x00, 0xd8])), new TextBytes(Buffer.from([0x35, 0x00, 0x41, 0x00, 0x00, 0xdc])),
];

/** Writes each value to each column of `table` and reads it back: the mismatches with StoredForms' prediction (a value a STRICT column refuses is left out). */
function mismatches(db: Database.Database, encoding: TextEncoding, table: string, columns: readonly (readonly [string, string])[]): string[] {
  const forms = new StoredForms(db);
  const wrong: string[] = [];
  db.exec('BEGIN');
  VALUES.forEach((value, v) => {
    columns.forEach(([name, type], index) => {
      const id = v * columns.length + index;
      const bound = value instanceof TextBytes ? value.bytes : value;
      try {
        db.prepare(`INSERT INTO ${table} (id, ${name}) VALUES (?, ${value instanceof TextBytes ? 'CAST(? AS TEXT)' : '?'})`).run(id, bound);
      } catch (error) {
        if ((error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_DATATYPE') return;
        throw error;
      }
      const text = db.prepare(`SELECT ${name} FROM ${table} WHERE id = ?`).safeIntegers(true).pluck().get(id) as SqlValue;
      const read = mayHideBytes(text) ? textFromBytes(db.prepare(`SELECT CAST(${name} AS BLOB) FROM ${table} WHERE id = ?`).pluck().get(id) as Buffer, text, encoding) : text;
      const column: TrackedColumn = { id: index, index, name, type, pk: 0, notNull: false };
      const predicted = forms.of(table, column, value);
      if (compareValues(read, predicted) !== 0) wrong.push(`${table}.${name} ${type || 'no type'} ${String(value)}: stored ${String(read)}, predicted ${String(predicted)}`);
    });
  });
  db.exec('COMMIT');
  return wrong;
}

describe.each<[TextEncoding]>([['UTF-8'], ['UTF-16le'], ['UTF-16be']])('StoredForms in a %s database', (encoding) => {
  it('predicts the value every column affinity stores, in a table and in a STRICT one', () => {
    const dir = tempDir('ess-stored-form-');
    const db = new Database(path.join(dir.dir, 'app.db'));
    try {
      db.pragma(`encoding = '${encoding}'`);
      db.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, ${COLUMNS.map(([name, type]) => `${name} ${type}`).join(', ')})`);
      db.exec(`CREATE TABLE s (id INTEGER PRIMARY KEY, ${STRICT_COLUMNS.map(([name, type]) => `${name} ${type}`).join(', ')}) STRICT`);
      expect([...mismatches(db, encoding, 't', COLUMNS), ...mismatches(db, encoding, 's', STRICT_COLUMNS)]).toEqual([]);
    } finally {
      db.close();
      dir.cleanup();
    }
  });
});
