import type { TableStatements } from './table-statements';
import type { TrackedColumn } from './tracked-table';
import { keptInUtf16 } from './utf16-text';
import type { SqlValue } from './values';

/** One cell of a decoded change. */
export interface DecodedCell {
  readonly column: TrackedColumn;
  readonly value: SqlValue;
  readonly hlc: number;
  readonly site: string;
}

/** The clock of a cell sent with a clock of its own (one written after the row's birth). */
export interface CellClock {
  readonly column: TrackedColumn;
  readonly hlc: number;
  readonly site: string;
}

/** Shared by every change whose cells all carry the row's clock. */
export const NO_CLOCKS: readonly CellClock[] = Object.freeze([]);

/**
 * One change, checked against the tracked schema, with values ready to bind.
 * Its values are held as one array in column order — the key, the cells sent,
 * `undefined` for the cells not sent — and only the cells with a clock of
 * their own get an object, so the common case (a whole row whose cells share
 * its clock) costs no object per cell; {@link cells} builds them on demand.
 */
export class DecodedChange {
  /** The table it changes. */
  readonly table: TableStatements;
  /** The key values, in key order. */
  readonly key: readonly SqlValue[];
  /** The key as the metadata stores it. */
  readonly metaKey: SqlValue;
  /** Causal length: odd for a live row, even for a deleted one. */
  readonly cl: number;
  /** The clock of the row's birth or death. */
  readonly hlc: number;
  /** The site id that wrote it. */
  readonly site: string;
  /** The cells whose clock differs from the row's. */
  readonly clocks: readonly CellClock[];
  /** The highest clock the change carries: its own, or a cell's. */
  readonly maxHlc: number;
  readonly #values: readonly (SqlValue | undefined)[];
  readonly #sent: number;

  /**
   * @param values - in column order: the key values, the cells sent, `undefined` for the cells not sent (kept, not copied;
   * in a UTF-16 database, copied when a string must be written as its bytes: see `keptInUtf16`)
   * @param sent - how many non-key cells were sent
   */
  constructor(
    table: TableStatements,
    key: readonly SqlValue[],
    cl: number,
    hlc: number,
    site: string,
    values: readonly (SqlValue | undefined)[],
    sent: number,
    clocks: readonly CellClock[],
  ) {
    this.table = table;
    this.key = key;
    this.metaKey = table.metaKey(key);
    this.cl = cl;
    this.hlc = hlc;
    this.site = site;
    this.clocks = clocks;
    this.#values = table.encoding === 'UTF-8' ? values : keptInUtf16(values, table.encoding);
    this.#sent = sent;
    let max = hlc;
    for (const cell of clocks) if (cell.hlc > max) max = cell.hlc;
    this.maxHlc = max;
  }

  /** True when every non-key column is present (needed to create or revive a row). */
  get complete(): boolean {
    return this.#sent === this.table.table.values.length;
  }

  /** The full row in column order (a cell not sent reads as null). */
  get row(): readonly SqlValue[] {
    return this.complete ? (this.#values as readonly SqlValue[]) : this.#values.map((value) => value ?? null);
  }

  /** The cells sent, with their clocks, in column order (built on each call). */
  get cells(): DecodedCell[] {
    const cells: DecodedCell[] = [];
    for (const column of this.table.table.values) {
      const value = this.#values[column.index];
      if (value === undefined) continue;
      const clock = this.clocks.find((candidate) => candidate.column === column);
      cells.push({ column, value, hlc: clock?.hlc ?? this.hlc, site: clock?.site ?? this.site });
    }
    return cells;
  }
}
