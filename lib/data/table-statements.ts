import type Database from 'better-sqlite3';
import { keyPartSql } from './capture-sql';
import { parseQuotedKey } from './key-codec';
import { exact } from './prepared';
import { quoteIdent } from './sql-names';
import type { TrackedColumn, TrackedTable } from './tracked-table';
import { SyncError } from '../sync-error';
import { replacedInUtf16 } from './utf16-text';
import { bindable, encodeCell, encodedAs, mayHideBytes, placeholderOf, TextBytes, textBytesKey, textFromBytes, type SqlValue, type TextEncoding, type WireValue } from './values';

/** Prepares statements on demand and keeps them, by a key (statement variants). */
export class StatementCache {
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  /** @param db - the connection */
  constructor(db: Database.Database) {
    this.#db = db;
  }
  /** The statement for `key`, prepared (in exact integer mode) from `sql()` the first time. */
  get(key: string, sql: () => string): Database.Statement {
    let statement = this.#statements.get(key);
    if (statement === undefined) {
      statement = exact(this.#db, sql());
      this.#statements.set(key, statement);
    }
    return statement;
  }
}

/**
 * The prepared statements that read and write one tracked user table. SQL
 * text is built only from the table's own schema (quoted identifiers); values
 * are always bound (TEXT that is not valid UTF-8 through `CAST(? AS TEXT)`).
 * Rows travel as arrays in `table.columns` order; integers are read as bigint.
 * Every write is `INSERT OR ABORT` / `UPDATE OR ABORT`: a column's own conflict
 * clause (`UNIQUE ON CONFLICT REPLACE` or `IGNORE`) would delete the row holding
 * a value or drop the write, on this server only; the merge's parking rules decide.
 */
export class TableStatements {
  /** The table these statements serve. */
  readonly table: TrackedTable;
  /** `"name"`, quoted. */
  readonly quotedName: string;
  /** `"a" = ? AND "b" = ?` over the key columns. */
  readonly whereKey: string;
  /** The database's text encoding (the bytes `CAST(… AS BLOB)` reads, and whether numeric text with a NUL is read as a number). */
  readonly encoding: TextEncoding;
  readonly #cache: StatementCache;
  readonly #select: Database.Statement;
  readonly #present: Database.Statement;
  readonly #delete: Database.Statement;
  readonly #insert: Database.Statement;
  readonly #metaKey: Database.Statement | undefined;
  readonly #columns: string;

  /** Prepares the table's statements. */
  constructor(db: Database.Database, table: TrackedTable) {
    this.table = table;
    this.quotedName = quoteIdent(table.name);
    this.#cache = new StatementCache(db);
    this.encoding = db.pragma('encoding', { simple: true }) as TextEncoding;
    this.#columns = table.columns.map((column) => quoteIdent(column.name)).join(', ');
    this.whereKey = table.key.map((column) => `${quoteIdent(column.name)} = ?`).join(' AND ');
    this.#select = exact(db, `SELECT ${this.#columns} FROM ${this.quotedName} WHERE ${this.whereKey}`).raw(true);
    this.#present = exact(db, `SELECT 1 FROM ${this.quotedName} WHERE ${this.whereKey}`).pluck();
    this.#delete = exact(db, `DELETE FROM ${this.quotedName} WHERE ${this.whereKey}`);
    this.#insert = exact(db, `INSERT OR ABORT INTO ${this.quotedName} (${this.#columns}) VALUES (${table.columns.map(() => '?').join(', ')})`);
    const parts = table.key.map((column, i) => keyPartSql(column, `k${i}`)).join(` || ',' || `);
    this.#metaKey = table.key.length > 1 ? exact(db, `SELECT ${parts} FROM (SELECT ${table.key.map((_, i) => `? AS k${i}`).join(', ')})`).pluck() : undefined;
  }

  /** The row with this key as values in column order, TEXT byte-exact; undefined when absent. */
  select(key: readonly SqlValue[]): SqlValue[] | undefined {
    const row = this.#select.get(...key.map(bindable)) as SqlValue[] | undefined;
    return row === undefined ? undefined : this.exactTexts(row, this.quotedName, key);
  }

  /**
   * Replaces strings that may hide bytes (better-sqlite3 reads TEXT that is not
   * UTF-8 as U+FFFD) by their exact bytes, read again with `CAST(… AS BLOB)`; in a
   * UTF-16 database, a cell's string holding U+FFFE or U+FFFF too, by its UTF-16
   * bytes, so that it is bound again as it is held (see `keptInUtf16`).
   * @param from - the table the row was read from (the user table or its parked rows)
   */
  exactTexts(row: SqlValue[], from: string, key: readonly SqlValue[]): SqlValue[] {
    row.forEach((value, index) => {
      if (!mayHideBytes(value)) return;
      const column = quoteIdent(this.table.columns[index]?.name ?? '');
      const bytes = this.#cache.get(`bytes:${from}:${index}`, () => `SELECT CAST(${column} AS BLOB) FROM ${from} WHERE ${this.whereKey}`).pluck().get(...key.map(bindable)) as Buffer;
      row[index] = textFromBytes(bytes, value, this.encoding);
    });
    if (this.encoding !== 'UTF-8') this.#keepTextsInUtf16(row);
    return row;
  }

  #keepTextsInUtf16(row: SqlValue[]): void {
    for (const column of this.table.values) {
      const value = row[column.index];
      if (replacedInUtf16(value)) row[column.index] = new TextBytes(encodedAs(value, this.encoding), value);
    }
  }

  /** True when the table holds a row with this key. */
  present(key: readonly SqlValue[]): boolean {
    return this.#present.get(...key.map(bindable)) !== undefined;
  }

  /**
   * Inserts a row (values in column order); a row with the same key, or a constraint, makes it throw.
   * @returns the rows it wrote (SQLite's count of the statement's own rows, not its triggers' writes): 0 when a trigger's RAISE(IGNORE) skipped it
   */
  insert(values: readonly SqlValue[]): number {
    for (const value of values) {
      if (value instanceof TextBytes) return this.#write('insert', values, '');
    }
    return this.#insert.run(...(values as readonly (null | bigint | number | string | Buffer)[])).changes;
  }

  /**
   * Inserts a row (values in column order), or overwrites every column of the row with its key.
   * @returns the rows it wrote: 0 when a trigger's RAISE(IGNORE) skipped it, or the table has no column but its key and the row is there
   */
  upsert(values: readonly SqlValue[]): number {
    const keyList = this.table.key.map((column) => quoteIdent(column.name)).join(', ');
    const assignments = this.table.values.map((column) => `${quoteIdent(column.name)} = excluded.${quoteIdent(column.name)}`);
    return this.#write('upsert', values, ` ON CONFLICT (${keyList}) ${assignments.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${assignments.join(', ')}`}`);
  }

  #write(kind: string, values: readonly SqlValue[], tail: string): number {
    const texts = textBytesKey(values);
    const statement = this.#cache.get(`${kind}:${texts}`, () => `INSERT OR ABORT INTO ${this.quotedName} (${this.#columns}) VALUES (${values.map(placeholderOf).join(', ')})${tail}`);
    return statement.run(...values.map(bindable)).changes;
  }

  /**
   * Deletes the row with this key, if any.
   * @returns the rows it deleted: 0 when there was none, or a trigger's RAISE(IGNORE) skipped it
   */
  delete(key: readonly SqlValue[]): number {
    return this.#delete.run(...key.map(bindable)).changes;
  }

  /**
   * Sets some non-key columns (`[column, value]` pairs) of the row with this key, in `target` (the table, or its parked rows).
   * @returns the rows it wrote: 0 when there is none, or a trigger's RAISE(IGNORE) skipped it
   */
  update(cells: readonly (readonly [TrackedColumn, SqlValue])[], key: readonly SqlValue[], target = this.quotedName): number {
    const sorted = [...cells].sort((a, b) => a[0].id - b[0].id);
    const shape = sorted.map(([column, value]) => `${column.id}${placeholderOf(value) === '?' ? '' : 't'}`).join(',');
    const statement = this.#cache.get(`update:${target}:${shape}`, () => {
      const sets = sorted.map(([column, value]) => `${quoteIdent(column.name)} = ${placeholderOf(value)}`).join(', ');
      return `UPDATE OR ABORT ${target} SET ${sets} WHERE ${this.whereKey}`;
    });
    return statement.run(...sorted.map(([, value]) => bindable(value)), ...key.map(bindable)).changes;
  }

  /**
   * The key as the metadata stores it (the same text or value the triggers write).
   * @throws SyncError `INVALID_VALUE` (400) for a one-column key that is TEXT not valid UTF-8 (`$text`): no row is keyed so by capture
   */
  metaKey(key: readonly SqlValue[]): SqlValue {
    if (this.#metaKey === undefined) {
      const only = key[0] ?? null;
      if (only instanceof TextBytes) throw new SyncError('INVALID_VALUE', 400, `${this.table.name}: a key value is TEXT that is not valid UTF-8 ($text); keys must be valid text, numbers or blobs`);
      return only;
    }
    return this.#metaKey.get(...key.map(bindable)) as string;
  }

  /** The key values behind a metadata key. */
  keyValues(metaKey: SqlValue): SqlValue[] {
    if (this.#metaKey === undefined) return [metaKey];
    return parseQuotedKey(String(metaKey));
  }

  /** The key as it travels. */
  wireKey(key: readonly SqlValue[]): WireValue[] {
    return key.map((value, index) => encodeCell(value, this.table.name, this.table.key[index]?.name));
  }

  /** The key values of a full row (values in column order). */
  keyOf(row: readonly SqlValue[]): SqlValue[] {
    return this.table.key.map((column) => row[column.index] ?? null);
  }

  /** Statements built on demand for this table (probes, parked rows). */
  get cache(): StatementCache {
    return this.#cache;
  }
}
