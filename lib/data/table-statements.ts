import type Database from 'better-sqlite3';
import { parseQuotedKey } from './key-codec';
import { quoteIdent } from './sql-names';
import type { TrackedColumn, TrackedTable } from './tracked-table';
import type { SqlValue } from './values';

/**
 * The prepared statements that read and write one tracked user table. SQL
 * text is built only from the table's own schema (quoted identifiers); values
 * are always bound. Rows travel as arrays in `table.columns` order.
 */
export class TableStatements {
  /** The table these statements serve. */
  readonly table: TrackedTable;
  readonly #db: Database.Database;
  readonly #select: Database.Statement;
  readonly #insert: Database.Statement;
  readonly #upsert: Database.Statement;
  readonly #delete: Database.Statement;
  readonly #metaKey: Database.Statement | undefined;
  readonly #whereKey: string;
  readonly #updates = new Map<bigint, Database.Statement>();

  /** Prepares the table's statements. */
  constructor(db: Database.Database, table: TrackedTable) {
    this.#db = db;
    this.table = table;
    const name = quoteIdent(table.name);
    const columns = table.columns.map((column) => quoteIdent(column.name));
    this.#whereKey = table.key.map((column) => `${quoteIdent(column.name)} = ?`).join(' AND ');
    const keyList = table.key.map((column) => quoteIdent(column.name)).join(', ');
    this.#select = db.prepare(`SELECT ${columns.join(', ')} FROM ${name} WHERE ${this.#whereKey}`).raw(true).safeIntegers(true);
    const assignments = table.values.map((column) => `${quoteIdent(column.name)} = excluded.${quoteIdent(column.name)}`);
    const onConflict = assignments.length === 0 ? 'DO NOTHING' : `DO UPDATE SET ${assignments.join(', ')}`;
    this.#insert = db.prepare(`INSERT INTO ${name} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
    this.#upsert = db.prepare(
      `INSERT INTO ${name} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ON CONFLICT (${keyList}) ${onConflict}`,
    );
    this.#delete = db.prepare(`DELETE FROM ${name} WHERE ${this.#whereKey}`);
    this.#metaKey =
      table.key.length > 1 ? db.prepare(`SELECT ${table.key.map(() => 'quote(?)').join(` || ',' || `)}`).pluck() : undefined;
  }

  /** The row with this key as values in column order, or undefined. */
  select(key: readonly SqlValue[]): SqlValue[] | undefined {
    return this.#select.get(...key) as SqlValue[] | undefined;
  }

  /** Inserts a row (values in column order); a row with the same key makes it throw. */
  insert(values: readonly SqlValue[]): void {
    this.#insert.run(...values);
  }

  /** Inserts a row (values in column order), or overwrites every column of the row with its key. */
  upsert(values: readonly SqlValue[]): void {
    this.#upsert.run(...values);
  }

  /** Deletes the row with this key, if any. */
  delete(key: readonly SqlValue[]): void {
    this.#delete.run(...key);
  }

  /** Sets some non-key columns (`[column, value]` pairs) of the row with this key. */
  update(cells: readonly (readonly [TrackedColumn, SqlValue])[], key: readonly SqlValue[]): void {
    const sorted = [...cells].sort((a, b) => a[0].id - b[0].id);
    let mask = 0n;
    for (const [column] of sorted) mask |= 1n << BigInt(column.id);
    let statement = this.#updates.get(mask);
    if (statement === undefined) {
      const sets = sorted.map(([column]) => `${quoteIdent(column.name)} = ?`).join(', ');
      statement = this.#db.prepare(`UPDATE ${quoteIdent(this.table.name)} SET ${sets} WHERE ${this.#whereKey}`);
      this.#updates.set(mask, statement);
    }
    statement.run(...sorted.map(([, value]) => value), ...key);
  }

  /** The key as the metadata stores it (the same text or value the triggers write). */
  metaKey(key: readonly SqlValue[]): SqlValue {
    if (this.#metaKey === undefined) return key[0] ?? null;
    return this.#metaKey.get(...key) as string;
  }

  /** The key values behind a metadata key. */
  keyValues(metaKey: SqlValue): SqlValue[] {
    if (this.#metaKey === undefined) return [metaKey];
    return parseQuotedKey(String(metaKey));
  }
}
