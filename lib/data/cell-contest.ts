import type { DecodedCell } from './decoded-change';
import { compareClocks } from './clock-order';
import type { CellMeta, RowMeta } from './meta-reader';
import type { TrackedColumn } from './tracked-table';
import { compareValues } from './value-order';
import type { SqlValue } from './values';

/** What a contest of one row's cells reads of the local row, each at most once and only when needed. */
export interface LocalRow {
  /** The row's existence register and birth clock. */
  readonly meta: RowMeta;
  /** The site id of the birth clock. */
  readonly birthSite: string;
  /** The row's cells with a clock of their own, by column id. */
  overrides(): ReadonlyMap<number, CellMeta>;
  /** A site number as its site id. */
  siteOf(site: number): string;
  /** The row's values where it lives (its table or its parked rows), in column order; undefined when it is in neither. */
  held(): readonly SqlValue[] | undefined;
  /** The value the row's table stores for `value` written to `column` (its affinity may convert it: see `StoredForms`). */
  stored(column: TrackedColumn, value: SqlValue): SqlValue;
}

const NOTHING_WON: readonly DecodedCell[] = Object.freeze([]);

/**
 * Per-cell last-writer-wins, a total order: the newer clock `(hlc, site)` wins; on the same clock, the
 * value later in {@link compareValues} (two writers that shared a site id can write two values under
 * one clock; without this order each server would keep its own for good). The values are compared as
 * the table stores them: `'5'` sent to an INTEGER column is the 5 it becomes, so every server picks
 * the same one whichever it heard first, and a winner always changes the row (`5.0` does not beat 5
 * in an INTEGER column: no new seq, nothing sent again). A parked row holds its values as sent, so
 * they are compared as its table would store them too. A cell's own clock is always newer than its
 * row's birth, so a cell older than the birth loses without reading the cells' clocks, and one with
 * the birth's clock and the value held (a changeset received again) loses with one read of the row.
 * @returns the cells that won
 */
export function contestCells(cells: readonly DecodedCell[], local: LocalRow): readonly DecodedCell[] {
  let read = false;
  let held: readonly SqlValue[] | undefined;
  const heldValue = (cell: DecodedCell): SqlValue | undefined => {
    if (!read) [read, held] = [true, local.held()];
    return held?.[cell.column.index];
  };
  const beats = (cell: DecodedCell, hlc: number, site: string): boolean => {
    const order = compareClocks(cell.hlc, cell.site, hlc, site);
    if (order !== 0) return order > 0;
    const value = heldValue(cell);
    if (value === undefined || compareValues(cell.value, value) === 0) return false; // the same value: received again
    return compareValues(local.stored(cell.column, cell.value), local.stored(cell.column, value)) > 0;
  };
  const candidates = cells.filter((cell) => beats(cell, local.meta.hlc, local.birthSite));
  if (candidates.length === 0) return NOTHING_WON;
  const overrides = local.overrides();
  return candidates.filter((cell) => {
    const clock = overrides.get(cell.column.id);
    return clock === undefined || beats(cell, clock.hlc, local.siteOf(clock.site));
  });
}
