import type { ParkedRows } from './parked-rows';
import type { RowProbes, RowRef } from './row-probes';
import type { TableStatements } from './table-statements';
import type { SqlValue } from './values';
import { rowRef } from './row-ref';
import { TouchedRows } from './touched-rows';
import { hasAppTriggers, type SettledWrites } from './trigger-refusal';

/** A tracked table's two homes for live rows: the table itself and its parked rows. */
export interface TableParts {
  readonly statements: TableStatements;
  readonly parked: ParkedRows;
}

/**
 * What one transaction (a merged changeset, or a fold of local writes) did to
 * the rows, for the constraint rules that settle the visible state at its end:
 * the live rows it touched, the parent rows that left the table, the rows that
 * entered it, and which rows were parked before it (to report new conflicts).
 */
export class SettleBatch {
  /** When this batch parks a row (ISO time). */
  readonly at = new Date().toISOString();
  /** Whose writes it settles: another server's page, or this server's own (a local fold); the words of a refusal met meanwhile. */
  readonly settled: SettledWrites;
  /** Rows of tables with foreign keys that are new or point elsewhere: their parents must be checked, by table id (a key may repeat). */
  readonly touched = new Map<number, TouchedRows>();
  /** Tables where some row changed, was deleted or was parked. */
  readonly changedTables = new Set<number>();
  /** Parent rows (values in column order) that left the visible table: their children must be checked. */
  readonly gone: { readonly statements: TableStatements; readonly row: SqlValue[] }[] = [];
  /** Rows that entered the visible table while settling: their foreign keys must be checked. */
  readonly entered: RowRef[] = [];
  /** For rows parked or unparked in this batch: whether they were parked before it. */
  readonly #parkedBefore = new Map<string, { readonly parts: TableParts; readonly key: SqlValue[]; readonly before: boolean }>();
  readonly #probes: RowProbes;
  /** Per table id: whether it may hold parked rows now (counted once, then kept up to date by this batch). */
  readonly #mayHaveParked = new Map<number, boolean>();
  /** Per table id that may hold parked rows: the keys of the live rows written (see {@link wrote}). */
  readonly #written = new Map<number, SqlValue[][]>();
  /** Tables whose parked rows are all ranked again (see {@link rankWhole}). */
  readonly #rankWhole = new Set<number>();
  /** Per table id: whether it has app triggers (read once per batch: no statement of a batch makes or drops one). */
  readonly #appTriggers = new Map<number, boolean>();

  /**
   * @param probes - used to tell parent tables
   * @param settled - whose writes it settles
   */
  constructor(probes: RowProbes, settled: SettledWrites) {
    this.#probes = probes;
    this.settled = settled;
  }

  /**
   * Records that a live row changed. `row` (its values, column order) when it
   * is new, `true` when its foreign-key columns changed: its parents get
   * checked; `false` when they did not.
   */
  touch(parts: TableParts, key: SqlValue[], row: readonly SqlValue[] | boolean): void {
    const { id, foreignKeys } = parts.statements.table;
    this.changedTables.add(id);
    this.wrote(parts, key);
    if (row === false || foreignKeys.length === 0) return;
    let rows = this.touched.get(id);
    if (rows === undefined) {
      rows = new TouchedRows(foreignKeys);
      this.touched.set(id, rows);
    }
    rows.add(key, row === true ? undefined : row);
  }

  /**
   * Records that a live row was written (its values or its clocks): in a table
   * that may hold parked rows, the UNIQUE rule ranks again the parked rows that
   * claim its values (see `UniqueSettler`).
   */
  wrote(parts: TableParts, key: SqlValue[]): void {
    if (!this.mayHaveParked(parts)) return;
    const id = parts.statements.table.id;
    this.changedTables.add(id);
    const keys = this.#written.get(id);
    if (keys === undefined) this.#written.set(id, [key]);
    else keys.push(key);
  }

  /** Records that rows of the table were written that the batch cannot name (a bulk load): the UNIQUE rule ranks all its parked rows. */
  rankWhole(parts: TableParts): void {
    const id = parts.statements.table.id;
    this.changedTables.add(id);
    this.#rankWhole.add(id);
  }

  /**
   * The rows of a table the UNIQUE rule must look at again: those written, and
   * those parked or unparked, in this batch; undefined when all its parked rows
   * must be ranked (see {@link rankWhole}).
   */
  movedIn(parts: TableParts): { readonly written: readonly SqlValue[][]; readonly parked: readonly SqlValue[][] } | undefined {
    const id = parts.statements.table.id;
    if (this.#rankWhole.has(id)) return undefined;
    const parked = [...this.#parkedBefore.values()].filter((entry) => entry.parts === parts).map((entry) => entry.key);
    return { written: this.#written.get(id) ?? [], parked };
  }

  /** Records that a row (values in column order) left the visible table; a parent's children get checked. */
  left(parts: TableParts, row: SqlValue[] | undefined): void {
    this.changedTables.add(parts.statements.table.id);
    if (row !== undefined && this.#probes.isParent(parts.statements)) this.gone.push({ statements: parts.statements, row });
  }

  /**
   * Records that a parent row died by a local write (its values are gone, its
   * key is known): the children pointing at its key get checked; when foreign
   * keys point at other columns of it, every row of `rescan`'s tables is.
   */
  diedParent(parts: TableParts, key: readonly SqlValue[]): void {
    const { table } = parts.statements;
    this.changedTables.add(table.id);
    const row: SqlValue[] = table.columns.map(() => null);
    table.key.forEach((column, i) => (row[column.index] = key[i] ?? null));
    this.gone.push({ statements: parts.statements, row });
    this.changedParent(parts);
  }

  /**
   * Records that a parent row was written locally: when foreign keys point at
   * columns of it other than its key, the values they held before are not
   * known here, so its children's tables are checked whole (`rescan`).
   */
  changedParent(parts: TableParts): void {
    const keyNames = new Set(parts.statements.table.key.map((column) => column.name));
    if ([...this.#probes.referencedColumns(parts.statements)].some((name) => !keyNames.has(name))) this.rescan.add(parts.statements.table.name);
  }

  /** Parent tables a local delete left with unknown values: their children are all checked (see {@link diedParent}). */
  readonly rescan = new Set<string>();

  /** Remembers whether a row was parked before this batch, the first time the batch moves it. */
  noteParking(parts: TableParts, key: SqlValue[], parkedNow: boolean): void {
    const id = parts.statements.table.id;
    const ref = rowRef(id, key);
    if (!this.#parkedBefore.has(ref)) this.#parkedBefore.set(ref, { parts, key, before: parkedNow });
    this.changedTables.add(id);
    this.#mayHaveParked.set(id, true);
  }

  /**
   * True when the table has app triggers, which may undo a write of the merge (see `RowPlacer`): read from the
   * schema once per table and batch, so a table without any pays nothing per row.
   */
  hasAppTriggers(parts: TableParts): boolean {
    const { id } = parts.statements.table;
    let known = this.#appTriggers.get(id);
    if (known === undefined) {
      known = hasAppTriggers(parts.statements);
      this.#appTriggers.set(id, known);
    }
    return known;
  }

  /** True when the table may hold parked rows (so a row's home must be looked up); false lets the common case skip it. */
  mayHaveParked(parts: TableParts): boolean {
    const id = parts.statements.table.id;
    let known = this.#mayHaveParked.get(id);
    if (known === undefined) {
      known = parts.parked.count() > 0;
      this.#mayHaveParked.set(id, known);
    }
    return known;
  }

  /** True when `parts` is the parent of some tracked foreign key. */
  isParent(parts: TableParts): boolean {
    return this.#probes.isParent(parts.statements);
  }

  /** Rows parked at the end of the batch that were not parked before it: the new conflicts. */
  newlyParked(): { readonly parts: TableParts; readonly key: SqlValue[] }[] {
    return [...this.#parkedBefore.values()].filter((entry) => !entry.before && entry.parts.parked.reason(entry.key) !== undefined);
  }
}
