import type Database from 'better-sqlite3';
import { columnAffinity, conversion, readsNumber } from './key-affinity';
import { exact, numbers } from './prepared';
import { strictTypeRefusal } from './strict-type';
import type { TrackedColumn } from './tracked-table';
import { TextBytes, textFromBytes, type SqlValue, type TextEncoding } from './values';

/**
 * The value a column stores for a value written to it: its affinity may turn it into another one (`'5'`
 * into 5 in an INTEGER column, 3 into 3.0 in a REAL one, 5 into `'5'` in a TEXT one, -0.0 into 0.0 in a
 * REAL one), and a UTF-16 database reads the bytes of TEXT that is not UTF-8 as UTF-16. The conversions
 * are SQLite's own CASTs, which write a number as text and read numeric text as a column's affinity does.
 */
export class StoredForms {
  readonly #db: Database.Database;
  readonly #encoding: TextEncoding;
  readonly #asText: Database.Statement;
  readonly #textAsBytes: Database.Statement;
  readonly #asNumeric: Database.Statement;
  readonly #asReal: Database.Statement;
  readonly #strictness: Database.Statement;
  readonly #strict = new Map<string, boolean>();

  /** Prepares the CASTs on the database whose columns store the values. */
  constructor(db: Database.Database) {
    this.#db = db;
    this.#encoding = db.pragma('encoding', { simple: true }) as TextEncoding;
    this.#asText = exact(db, 'SELECT CAST(? AS TEXT)').pluck();
    this.#textAsBytes = exact(db, 'SELECT CAST(CAST(? AS TEXT) AS BLOB)').pluck();
    this.#asNumeric = exact(db, 'SELECT CAST(? AS NUMERIC)').pluck();
    this.#asReal = exact(db, 'SELECT CAST(? AS REAL)').pluck();
    this.#strictness = numbers(db, "SELECT strict FROM pragma_table_list WHERE schema = 'main' AND name = ?").pluck();
  }

  /** The value `column` of `table` stores for `value` (the value itself when its affinity keeps it as it is). */
  of(table: string, column: TrackedColumn, value: SqlValue): SqlValue {
    const text = value instanceof TextBytes ? this.#text(value) : value;
    // ANY keeps every value as it is in a STRICT table only: declared in another, it is NUMERIC ('5' is stored as 5)
    const affinity = column.type === 'ANY' && !this.#isStrict(table) ? 'NUMERIC' : columnAffinity(column);
    const becomes = conversion(affinity, text);
    if (becomes === 'TEXT') return this.#asText.get(text) as SqlValue;
    if (becomes === 'INTEGER') return BigInt(text as number); // an integral REAL strictly inside ±2^63
    if (becomes === 'a number' && !readsNumber(text, this.#encoding)) return text;
    const stored = becomes === undefined ? text : this.#cast(affinity === 'REAL' ? 'REAL' : 'NUMERIC', text);
    // Numeric text read as an integral REAL ('1e18', '4503599627370497.5'): an INTEGER or NUMERIC column stores an
    // INTEGER strictly inside ±2^63, where CAST AS NUMERIC keeps a REAL from 2^51 on.
    if (becomes !== undefined && affinity !== 'REAL' && conversion('INTEGER', stored) === 'INTEGER') return BigInt(stored as number);
    return affinity === 'REAL' && Object.is(stored, -0) ? 0 : stored; // a REAL column keeps no sign of zero
  }

  /** SQLite's refusal of `value` in `column` of a STRICT `table` (its message); undefined when the column takes it, or the table is not STRICT. */
  refusal(table: string, column: TrackedColumn, value: SqlValue): string | undefined {
    return this.#isStrict(table) ? strictTypeRefusal(this.#db, table, column, value) : undefined;
  }

  /** Numeric text (TEXT that is not UTF-8 too: SQLite reads it up to its first NUL) as a numeric affinity stores it. */
  #cast(type: 'REAL' | 'NUMERIC', text: SqlValue): SqlValue {
    if (!(text instanceof TextBytes)) return (type === 'REAL' ? this.#asReal : this.#asNumeric).get(text) as SqlValue;
    return this.#db.prepare(`SELECT CAST(CAST(? AS TEXT) AS ${type})`).safeIntegers(true).pluck().get(text.bytes) as SqlValue;
  }

  #isStrict(table: string): boolean {
    let strict = this.#strict.get(table);
    if (strict === undefined) this.#strict.set(table, (strict = this.#strictness.get(table) === 1));
    return strict;
  }

  /** TEXT that is not UTF-8 as this database stores it: a UTF-16 one reads the bytes as UTF-16 (`CAST(? AS TEXT)`). */
  #text(value: TextBytes): SqlValue {
    if (this.#encoding === 'UTF-8') return value;
    const read = this.#asText.get(value.bytes) as string;
    return textFromBytes(this.#textAsBytes.get(value.bytes) as Buffer, read, this.#encoding);
  }
}
