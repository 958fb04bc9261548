import type { RowProbes } from './row-probes';
import type { SettleBatch, TableParts } from './settle-batch';
import { SchemaRefusalError } from './schema-refusal';
import { parkReason } from './unique-settler';
import { ignoredWriteRefusal, raisedByAppTrigger, triggerRefusal, type UndoneWrite } from './trigger-refusal';
import { expressionRefusal } from './expression-refusal';
import type { StoredForms } from './stored-form';
import { compareValues } from './value-order';
import type { SqlValue } from './values';
import type { SyncError } from '../sync-error';
import { undoneWrite, type CellWrites } from './undone-write';

/**
 * What a write of a row into its table did: wrote it, wrote it over the row the table held (an update of that row,
 * read back already: see `#overwrite`), changed no row (a RAISE(IGNORE) skipped it), or parked the row instead.
 */
type Placed = 'written' | 'overwritten' | 'skipped' | 'parked';

/** The reason a write's constraint error parks its row for: undefined when it does not park (another error, or an app trigger's write failed). */
function parking(error: unknown, parts: TableParts): ReturnType<typeof parkReason> {
  const reason = parkReason(error);
  return reason === undefined || raisedByAppTrigger(error, parts.statements) ? undefined : reason;
}

/** What a refusal calls the merge's write of a row. */
function changeWrite(parts: TableParts, key: readonly SqlValue[]): string {
  return `a change to ${parts.statements.table.name} ${JSON.stringify(parts.statements.wireKey(key))} from another server`;
}

/**
 * The refusal of a merge's write that changed no row where it must change one: an app trigger's RAISE(IGNORE) skipped
 * it (see {@link ignoredWriteRefusal}). Only such a write pays for naming the triggers; the others cost one compare.
 */
function ignored(parts: TableParts, key: readonly SqlValue[], how: UndoneWrite = 'skipped', columns: readonly string[] = []): SyncError {
  return ignoredWriteRefusal(parts.statements, changeWrite(parts, key), undefined, undefined, how, columns);
}

/** After a merge's delete of a row: refused when the row is still in its table (a RAISE(IGNORE) skipped the delete, or an AFTER DELETE trigger wrote it back). */
function refuseKept(parts: TableParts, key: readonly SqlValue[], deleted: number): void {
  if (parts.statements.present(key)) throw ignored(parts, key, deleted === 0 ? 'skipped' : 'put back');
}

/**
 * A constraint error that parks nothing refuses the changeset.
 * @throws SyncError `INVALID_VALUE` (400) for NOT NULL or STRICT type failures and an expression failing on the values (see `expressionRefusal`), `APPLY_REFUSED` (409) for an app trigger's RAISE or failed write; rethrows anything else
 */
function refuse(error: unknown, parts: TableParts, key: readonly SqlValue[]): never {
  const { statements } = parts;
  const write = changeWrite(parts, key);
  const refusal = triggerRefusal(error, [statements], write, statements) ?? expressionRefusal(error, write);
  if (refusal !== undefined) throw refusal;
  const code = (error as { code?: unknown }).code;
  if (code === 'SQLITE_CONSTRAINT_NOTNULL' || code === 'SQLITE_CONSTRAINT_DATATYPE') {
    const { message: raw } = error as { message?: unknown }; // not `instanceof Error`: SqliteError may come from another realm
    throw columnRefusal(parts, typeof raw === 'string' ? raw : String(error), error);
  }
  throw error;
}

/** `INVALID_VALUE` (400) for a value a column of this server refuses, in SQLite's words (`said`). */
function columnRefusal(parts: TableParts, said: string, cause: unknown): SchemaRefusalError {
  const hint = 'the sending server stored it, so its table is declared otherwise (STRICT, NOT NULL): declare it the same on every server, or change the value there';
  return new SchemaRefusalError(`a change to ${parts.statements.table.name} holds a value its column refuses here: ${said}; ${hint}`, cause);
}

/**
 * Writes the merge's outcome for one row where it lives: in the table, or in
 * its parked rows. A write that UNIQUE or CHECK refuses does not fail the
 * changeset: the row is parked as it is, and the constraint rules decide at
 * the end of the batch (often it comes back: a swap, a rename chain).
 * Foreign keys are not enforced while merging; they are settled at the end.
 * A write to the table that changes no row where it must change one (an app
 * trigger's RAISE(IGNORE) skipped it) refuses the changeset: the metadata
 * would hold the change, and the table not. So does one that an AFTER trigger
 * undid (see `undoneWrite`), looked for on tables with app triggers only.
 */
export class RowPlacer {
  readonly #probes: RowProbes;
  readonly #stored: StoredForms;

  /**
   * @param probes - tells parent tables and their referenced columns
   * @param stored - the values columns store, to tell a write a trigger skipped as a no-op (see {@link #holds})
   */
  constructor(probes: RowProbes, stored: StoredForms) {
    this.#probes = probes;
    this.#stored = stored;
  }

  /**
   * True when the row in the table holds these cells already, each in the storage class and bytes the write would
   * have stored: a write that a trigger's RAISE(IGNORE) skipped then lost nothing (`WHEN NEW.v IS OLD.v`, a trigger
   * that skips writes changing nothing, as a later equal value or a row written again as it was makes them).
   */
  #holds(parts: TableParts, key: readonly SqlValue[], cells: CellWrites): boolean {
    const row = parts.statements.select(key);
    const table = parts.statements.table.name;
    return row !== undefined && cells.every(([column, value]) => compareValues(row[column.index] ?? null, this.#stored.of(table, column, value)) === 0);
  }

  #isParked(parts: TableParts, key: readonly SqlValue[], batch: SettleBatch): boolean {
    return batch.mayHaveParked(parts) && parts.parked.reason(key) !== undefined;
  }

  /** The row's values where it lives: its parked row, else its table's; undefined when it is in neither. */
  held(parts: TableParts, key: readonly SqlValue[], batch: SettleBatch): SqlValue[] | undefined {
    return this.#isParked(parts, key, batch) ? parts.parked.select(key) : parts.statements.select(key);
  }

  /** The non-key cells of a whole row (values in column order). */
  #cellsOf(parts: TableParts, values: readonly SqlValue[]): CellWrites {
    return parts.statements.table.values.map((column) => [column, values[column.index] ?? null] as const);
  }

  /** Places a whole row (new, or a new life of one): into the table, or parked. */
  placeWhole(parts: TableParts, key: SqlValue[], values: readonly SqlValue[], batch: SettleBatch): void {
    if (this.#isParked(parts, key, batch)) {
      batch.noteParking(parts, key, true);
      parts.parked.remove(key);
    }
    const placed = this.#inserted(parts, key, values, batch);
    if (placed === 'skipped' && !this.#holds(parts, key, this.#cellsOf(parts, values))) throw ignored(parts, key);
    if (placed === 'written' && batch.hasAppTriggers(parts)) this.#refuseUndone(parts, key, this.#cellsOf(parts, values));
    batch.touch(parts, key, values);
  }

  /** After a write into the table on a table with app triggers: refused when an AFTER trigger deleted the row or undid a cell (see `undoneWrite`). */
  #refuseUndone(parts: TableParts, key: readonly SqlValue[], cells: CellWrites, before?: readonly SqlValue[]): void {
    const undone = undoneWrite(parts, this.#stored, key, cells, before);
    if (undone !== undefined) throw ignored(parts, key, undone.how, undone.columns);
  }

  /** Inserts a whole row, or overwrites or parks it when a constraint refuses it. */
  #inserted(parts: TableParts, key: SqlValue[], values: readonly SqlValue[], batch: SettleBatch): Placed {
    try {
      return parts.statements.insert(values) === 0 ? 'skipped' : 'written';
    } catch (error) {
      if (parking(error, parts) === undefined) refuse(error, parts, key);
      if (parts.statements.present(key)) return this.#overwrite(parts, key, values, batch);
      this.#park(parts, values, error, batch);
      return 'parked';
    }
  }

  /**
   * The row is in the table (a revival, or a row written while capture was off): overwrite it, or park the new values.
   * The upsert updates the row the table held (its UPDATE triggers fire): on a table with app triggers it is read
   * back as an update is, refused when a trigger deleted the row or wrote a cell back to its value of before, not
   * for a cell a trigger set to a value of its own (an `updated_at` stamp, let through on an ordinary update too).
   * @returns `skipped` when the overwrite wrote nothing (RAISE(IGNORE)); a table of key columns only has nothing to overwrite
   */
  #overwrite(parts: TableParts, key: SqlValue[], values: readonly SqlValue[], batch: SettleBatch): Placed {
    const triggers = batch.hasAppTriggers(parts);
    const old = batch.isParent(parts) || triggers ? parts.statements.select(key) : undefined;
    try {
      const written = parts.statements.upsert(values);
      if (old !== undefined && batch.isParent(parts)) batch.left(parts, old);
      if (written === 0) return 'skipped';
      if (triggers) this.#refuseUndone(parts, key, this.#cellsOf(parts, values), old);
      return 'overwritten';
    } catch (error) {
      if (parking(error, parts) === undefined) refuse(error, parts, key);
      const row = parts.statements.select(key);
      // Still there: a trigger kept it or wrote it back (refused); none deleted and gone: a trigger deleted it itself (nothing lost).
      refuseKept(parts, key, parts.statements.delete(key));
      batch.left(parts, row);
      this.#park(parts, values, error, batch);
      return 'parked';
    }
  }

  #park(parts: TableParts, values: readonly SqlValue[], error: unknown, batch: SettleBatch): void {
    const key = parts.statements.keyOf(values);
    batch.noteParking(parts, key, false);
    parts.parked.put(values, parkReason(error) ?? 'UNIQUE', batch.at);
  }

  /** Removes a row that died: from the table, or from its parked rows. */
  remove(parts: TableParts, key: SqlValue[], batch: SettleBatch): void {
    if (this.#isParked(parts, key, batch)) {
      batch.noteParking(parts, key, true);
      parts.parked.remove(key);
      return;
    }
    const old = batch.isParent(parts) ? parts.statements.select(key) : undefined;
    let deleted: number;
    try {
      deleted = parts.statements.delete(key);
    } catch (error) {
      refuse(error, parts, key);
    }
    refuseKept(parts, key, deleted); // none deleted: gone already, or kept by a trigger
    batch.left(parts, old);
  }

  /** Removes a row whose life the metadata never saw (it is in the table only when written while capture was off). */
  removeUnseen(parts: TableParts, key: readonly SqlValue[]): void {
    refuseKept(parts, key, parts.statements.delete(key));
  }

  /** Writes the cells that won into the row where it lives; a visible row that a constraint now refuses is parked with them. */
  placeCells(parts: TableParts, key: SqlValue[], cells: CellWrites, batch: SettleBatch): void {
    const { foreignKeys } = parts.statements.table;
    batch.touch(parts, key, foreignKeys.length > 0 && cells.some(([column]) => foreignKeys.some((fk) => fk.fromColumns.includes(column))));
    if (this.#isParked(parts, key, batch)) {
      // A parked row's table has no types nor NOT NULL: a value its column refuses is refused as a write to the table is.
      const { name } = parts.statements.table;
      for (const [column, value] of cells) {
        const refused = value === null && column.notNull ? `NOT NULL constraint failed: ${name}.${column.name}` : this.#stored.refusal(name, column, value);
        if (refused !== undefined) throw columnRefusal(parts, refused, undefined);
      }
      parts.parked.update(cells, key);
      return;
    }
    const referenced = this.#probes.referencedColumns(parts.statements);
    const before = batch.hasAppTriggers(parts) ? parts.statements.select(key) : undefined;
    const old = cells.some(([column]) => referenced.has(column.name)) ? (before ?? parts.statements.select(key)) : undefined;
    const placed = this.#updated(parts, key, cells, old, batch);
    // None updated: the row is nowhere here (nothing to write), or a trigger kept it as it was (lost nothing when it held the cells).
    if (placed === 'skipped' && parts.statements.present(key) && !this.#holds(parts, key, cells)) throw ignored(parts, key);
    if (placed === 'written' && before !== undefined) this.#refuseUndone(parts, key, cells, before);
  }

  /** Writes the cells into the row in the table, or parks it with them when a constraint refuses them. */
  #updated(parts: TableParts, key: SqlValue[], cells: CellWrites, old: SqlValue[] | undefined, batch: SettleBatch): Placed {
    try {
      const written = parts.statements.update(cells, key);
      if (old !== undefined) batch.left(parts, old);
      return written === 0 ? 'skipped' : 'written';
    } catch (error) {
      const reason = parking(error, parts);
      if (reason === undefined) refuse(error, parts, key);
      const row = old ?? parts.statements.select(key);
      batch.noteParking(parts, key, false);
      parts.parked.fromTable(key, reason, batch);
      parts.parked.update(cells, key);
      batch.left(parts, row);
      return 'parked';
    }
  }
}
