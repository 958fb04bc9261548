import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { parkedTableName, unblockedSql } from './parked-table-sql';
import { exact, numbers } from './prepared';
import { quoteIdent } from './sql-names';
import type { StoredForms } from './stored-form';
import type { TableStatements } from './table-statements';
import type { TrackedColumn, TrackedUnique } from './tracked-table';
import { ignoredWriteRefusal, settlingWords, type SettledWrites } from './trigger-refusal';
import { bindable, placeholderOf, TextBytes, textBytesKey, type SqlValue, type WireValue } from './values';
import type { ConflictReason } from './wire-schema';

/**
 * The id of the conflict a parked row is: the first 16 hex digits of SHA-256 of
 * `<table>\n<JSON of the wire key>`, the same on every server.
 */
export function conflictId(table: string, wireKey: readonly WireValue[]): string {
  return createHash('sha256').update(`${table}\n${JSON.stringify(wireKey)}`).digest('hex').slice(0, 16);
}

/** When and after whose writes the constraint rules move rows (a `SettleBatch` is one). */
export interface SettlingMoment {
  /** When a row parked now is parked (ISO time). */
  readonly at: string;
  /** Whose writes are settled: the words of a refusal met meanwhile. */
  readonly settled: SettledWrites;
}

/** One parked row as stored. */
export interface StoredParkedRow {
  readonly id: string;
  readonly key: SqlValue[];
  readonly values: SqlValue[];
  readonly reason: ConflictReason;
  readonly at: string;
}

/**
 * The parked rows of one tracked table: rows the replicated state holds alive
 * but a constraint keeps out of the table. They live in `_sync_parked_<id>`,
 * with the table's columns untyped, so values keep their storage class and
 * bytes; rows move between the two with `INSERT … SELECT`, never through
 * JavaScript values. Values written from JavaScript (a merge's, a resolution's)
 * are parked as the table would store them (`StoredForms`: 5 sent to a TEXT
 * column is parked as `'5'`), so every server parks the same row the same
 * whatever form a page sent, and a UNIQUE claim reads one value on all of them.
 */
export class ParkedRows {
  /** The quoted name of the parked rows' table. */
  readonly name: string;
  readonly #statements: TableStatements;
  readonly #stored: StoredForms;
  readonly #count: Database.Statement;
  readonly #select: Database.Statement;
  readonly #reason: Database.Statement;
  readonly #keys: Database.Statement;
  readonly #fromTable: Database.Statement;
  readonly #toTable: Database.Statement;
  readonly #remove: Database.Statement;
  readonly #setReason: Database.Statement;
  readonly #byId: Database.Statement;
  readonly #ids: Database.Statement;
  readonly #row: Database.Statement;
  readonly #columns: string;
  readonly #keyNames: string;

  /**
   * Prepares the statements (the parked rows' table must exist).
   * @param stored - the values the table's columns store, which parked values take
   */
  constructor(db: Database.Database, statements: TableStatements, stored: StoredForms) {
    const { table } = statements;
    this.#statements = statements;
    this.#stored = stored;
    this.name = quoteIdent(parkedTableName(table.id));
    this.#columns = table.columns.map((column) => quoteIdent(column.name)).join(', ');
    this.#keyNames = table.key.map((column) => quoteIdent(column.name)).join(', ');
    const where = statements.whereKey;
    this.#count = numbers(db, `SELECT count(*) FROM ${this.name}`).pluck();
    this.#select = exact(db, `SELECT ${this.#columns} FROM ${this.name} WHERE ${where}`).raw(true);
    this.#reason = numbers(db, `SELECT _sync_reason FROM ${this.name} WHERE ${where}`).pluck();
    this.#keys = exact(db, `SELECT ${this.#keyNames} FROM ${this.name} WHERE _sync_reason LIKE ? ORDER BY _sync_id`).raw(true);
    this.#fromTable = exact(db, `INSERT OR REPLACE INTO ${this.name} (${this.#columns}, _sync_id, _sync_reason, _sync_at, _sync_blocker) SELECT ${this.#columns}, ?, ?, ?, ? FROM ${statements.quotedName} WHERE ${where}`);
    this.#toTable = exact(db, `INSERT OR ABORT INTO ${statements.quotedName} (${this.#columns}) SELECT ${this.#columns} FROM ${this.name} WHERE ${where}`);
    this.#remove = exact(db, `DELETE FROM ${this.name} WHERE ${where}`);
    this.#setReason = exact(db, `UPDATE ${this.name} SET _sync_reason = ?, _sync_blocker = ? WHERE ${where} AND (_sync_reason IS NOT ? OR _sync_blocker IS NOT ?)`);
    this.#byId = exact(db, `SELECT ${this.#keyNames} FROM ${this.name} WHERE _sync_id = ?`).raw(true);
    this.#ids = numbers(db, `SELECT _sync_id FROM ${this.name} WHERE _sync_id > ? ORDER BY _sync_id LIMIT ?`).pluck();
    this.#row = exact(db, `SELECT _sync_id, _sync_reason, _sync_at, ${this.#columns} FROM ${this.name} WHERE _sync_id = ?`).raw(true);
  }

  /** How many rows are parked. */
  count(): number {
    return this.#count.get() as number;
  }

  /** The parked row with this key, values in column order (TEXT byte-exact), or undefined. */
  select(key: readonly SqlValue[]): SqlValue[] | undefined {
    const row = this.#select.get(...key.map(bindable)) as SqlValue[] | undefined;
    return row === undefined ? undefined : this.#statements.exactTexts(row, this.name, key);
  }

  /** Why the row with this key is parked, or undefined when it is not. */
  reason(key: readonly SqlValue[]): ConflictReason | undefined {
    return this.#reason.get(...key.map(bindable)) as ConflictReason | undefined;
  }

  /** Keys of the parked rows, all of them or those parked for `reason`, in conflict-id order. */
  keys(reason?: ConflictReason): SqlValue[][] {
    return this.#keys.all(reason ?? '%') as SqlValue[][];
  }

  /**
   * Moves a row from the table to the parked rows (by SQL, byte for byte).
   * A delete that removed no row while the row is gone all the same (an app trigger deleted it itself: a BEFORE
   * DELETE trigger deleting its own row, or writing another table whose trigger does) lost nothing: it is moved.
   * @param moment - when it is parked, and after whose writes (the words of a refusal)
   * @param blocker - for a row parked for UNIQUE, the `ref` of the UNIQUE constraint an earlier claim holds (see {@link unblocked})
   * @throws SyncError `APPLY_REFUSED` (409) when an app trigger keeps the row in the table (it would be in both): its
   * RAISE(IGNORE) skips the delete, or an AFTER DELETE trigger writes the row back
   */
  fromTable(key: readonly SqlValue[], reason: ConflictReason, moment: SettlingMoment, blocker?: string): void {
    const { table, wireKey } = this.#describe(key);
    const copied = this.#fromTable.run(conflictId(table, wireKey), reason, moment.at, blocker ?? null, ...key.map(bindable)).changes;
    const deleted = this.#statements.delete(key);
    if (copied > 0 && this.#statements.present(key)) {
      const move = `moving the ${table} row ${JSON.stringify(wireKey)} out of its table, to its parked rows`;
      const { write, undone, fix } = settlingWords(moment.settled, move, move);
      throw ignoredWriteRefusal(this.#statements, write, undone, fix, deleted < copied ? 'skipped' : 'put back');
    }
  }

  /**
   * Moves a parked row back into the table (OR ABORT: a column's own conflict clause does not apply).
   * @throws the constraint error SQLite raises (nothing moved then); SyncError `APPLY_REFUSED` (409) when an app
   * trigger keeps the row out of the table (it would be in neither): its RAISE(IGNORE) skips the insert, or an
   * AFTER INSERT trigger deletes the row again
   * @param settled - whose writes are settled (the words of a refusal)
   */
  toTable(key: readonly SqlValue[], settled: SettledWrites): void {
    const bound = key.map(bindable);
    const inserted = this.#toTable.run(...bound).changes;
    if ((inserted === 0 || !this.#statements.present(key)) && this.#reason.get(...bound) !== undefined) {
      const { table, wireKey } = this.#describe(key);
      const { write, undone, fix } = settlingWords(settled, `a parked ${table} row ${JSON.stringify(wireKey)} coming back into its table`);
      throw ignoredWriteRefusal(this.#statements, write, undone, fix, inserted === 0 ? 'skipped' : 'taken out');
    }
    this.#remove.run(...bound);
  }

  #describe(key: readonly SqlValue[]): { readonly table: string; readonly wireKey: WireValue[] } {
    return { table: this.#statements.table.name, wireKey: this.#statements.wireKey(key) };
  }

  /** Parks a row given by its values (column order, each as its column stores it), replacing a parked row with its key. */
  put(sent: readonly SqlValue[], reason: ConflictReason, at: string): void {
    const { table } = this.#statements;
    // A key is refused unless its column stores it as it is (`INVALID_VALUE`): only the other columns convert.
    const values = sent.map((value, i) => {
      const column = table.columns[i];
      return column === undefined || column.pk > 0 ? value : this.formOf(column, value);
    });
    const key = this.#statements.keyOf(values);
    const id = conflictId(this.#statements.table.name, this.#statements.wireKey(key));
    const statement = this.#statements.cache.get(`park:${textBytesKey(values)}`, () => {
      const slots = values.map(placeholderOf).join(', ');
      return `INSERT OR REPLACE INTO ${this.name} (${this.#columns}, _sync_id, _sync_reason, _sync_at) VALUES (${slots}, ?, ?, ?)`;
    });
    statement.run(...values.map(bindable), id, reason, at);
  }

  /** Sets some cells of a parked row, each as its column stores it. */
  update(cells: readonly (readonly [TrackedColumn, SqlValue])[], key: readonly SqlValue[]): void {
    this.#statements.update(
      cells.map(([column, value]) => [column, this.formOf(column, value)] as const),
      key,
      this.name,
    );
  }

  /**
   * The value parked for `value` written to `column` (a non-key one): as the table stores it. TEXT that is
   * not UTF-8 and stays TEXT is written as the table writes it, `CAST(? AS TEXT)` of its bytes: a UTF-16
   * database reads them as UTF-16, and that text bound again as a string may land otherwise (SQLite turns
   * U+FFFF into U+FFFD).
   */
  formOf(column: TrackedColumn, value: SqlValue): SqlValue {
    const stored = this.#stored.of(this.#statements.table.name, column, value);
    return value instanceof TextBytes && (typeof stored === 'string' || stored instanceof TextBytes) ? value : stored;
  }

  /**
   * Records why a parked row stays parked (nothing is written when it is already so).
   * @param blocker - for a row parked for UNIQUE, the `ref` of the UNIQUE constraint an earlier claim holds (see {@link unblocked})
   */
  setReason(key: readonly SqlValue[], reason: ConflictReason, blocker?: string): void {
    this.#setReason.run(reason, blocker ?? null, ...key.map(bindable), reason, blocker ?? null);
  }

  /** Forgets a parked row (it was deleted, or it is in the table again). */
  remove(key: readonly SqlValue[]): void {
    this.#remove.run(...key.map(bindable));
  }

  /** The key of the parked row with this conflict id, or undefined. */
  byId(id: string): SqlValue[] | undefined {
    return this.#byId.get(id) as SqlValue[] | undefined;
  }

  /** The conflict ids of parked rows after `afterId`, in id order, at most `limit` (their rows are read one by one: see {@link row}). */
  ids(afterId: string, limit: number): string[] {
    return (this.#ids.all(afterId, limit) as unknown[]).map(String);
  }

  /** The parked row with this conflict id, or undefined. */
  row(id: string): StoredParkedRow | undefined {
    const row = this.#row.get(id) as SqlValue[] | undefined;
    if (row === undefined) return undefined;
    const values = row.slice(3);
    const key = this.#statements.keyOf(values);
    return { id: String(row[0]), reason: row[1] as ConflictReason, at: String(row[2]), key, values: this.#statements.exactTexts(values, this.name, key) };
  }

  /**
   * Keys of the rows parked for UNIQUE that some admitted row may no longer
   * block: their values in the UNIQUE constraint that blocked them when they
   * were last ranked (their `_sync_blocker`; in every UNIQUE constraint when
   * that is not known) are held by no row of the table nor any row parked for
   * FOREIGN_KEY (none NULL: a NULL never clashes), or no constraint can block
   * them at all (compared as the constraint compares, in SQL: one pass over
   * the parked rows, not the table). Only the blocking constraint is looked
   * at: while an earlier claim holds a row's value there, the row stays parked
   * whatever its other values meet (a later claim holding one of them is found
   * when that constraint's value is free, or when the later row is written).
   * In a table with several UNIQUE constraints, a row blocked on one usually
   * holds a free value in another: looking at every one listed it every time.
   */
  unblocked(): SqlValue[][] {
    return this.#statements.cache
      .get(`unblocked:${this.name}`, () => unblockedSql(this.#statements.table, this.name))
      .raw(true)
      .all() as SqlValue[][];
  }

  /** Keys of parked rows holding `values` in `unique` (only those parked for `reason` when given). */
  claimants(unique: TrackedUnique, values: readonly SqlValue[], reason?: ConflictReason): SqlValue[][] {
    const statement = this.#statements.cache.get(`claimants:${unique.ref}:${textBytesKey(values)}`, () => {
      const match = unique.columns.map((column, i) => `${quoteIdent(column.name)} = ${placeholderOf(values[i] ?? null)} COLLATE ${unique.collations[i] ?? 'BINARY'}`).join(' AND ');
      return `SELECT ${this.#keyNames} FROM ${this.name} WHERE ${match} AND _sync_reason LIKE ?`;
    });
    return statement.raw(true).all(...values.map(bindable), reason ?? '%') as SqlValue[][];
  }
}
