import type { DecodedCell } from './decoded-change';
import { compareClocks } from './clock-order';
import type { CellMeta, RowMeta } from './meta-reader';
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
}

/** The cells of a change that won, and those of them that won only on a tie of clocks, by their value. */
export interface ContestOutcome {
  readonly winners: readonly DecodedCell[];
  readonly byValue: ReadonlySet<DecodedCell>;
}

const NOTHING_WON: ContestOutcome = Object.freeze({ winners: [], byValue: new Set<DecodedCell>() });

/**
 * Per-cell last-writer-wins, a total order: the newer clock `(hlc, site)` wins; on the same clock, the
 * value later in {@link compareValues} (two writers that shared a site id can write two values under
 * one clock; without this order each server would keep its own for good). A cell's own clock is
 * always newer than its row's birth, so a cell older than the birth loses without reading the cells'
 * clocks, and one with the birth's clock and the value held (a changeset received again) loses with
 * one read of the row.
 */
export function contestCells(cells: readonly DecodedCell[], local: LocalRow): ContestOutcome {
  let read = false;
  let held: readonly SqlValue[] | undefined;
  const heldValue = (cell: DecodedCell): SqlValue | undefined => {
    if (!read) [read, held] = [true, local.held()];
    return held?.[cell.column.index];
  };
  const byValue = new Set<DecodedCell>();
  const beats = (cell: DecodedCell, hlc: number, site: string): boolean => {
    const order = compareClocks(cell.hlc, cell.site, hlc, site);
    if (order !== 0) return order > 0;
    const value = heldValue(cell);
    if (value === undefined || compareValues(cell.value, value) <= 0) return false;
    byValue.add(cell);
    return true;
  };
  const candidates = cells.filter((cell) => beats(cell, local.meta.hlc, local.birthSite));
  if (candidates.length === 0) return NOTHING_WON;
  const overrides = local.overrides();
  const winners = candidates.filter((cell) => {
    const clock = overrides.get(cell.column.id);
    if (clock === undefined) return true;
    byValue.delete(cell); // its own clock decides, not the birth's
    return beats(cell, clock.hlc, local.siteOf(clock.site));
  });
  return winners.length === 0 ? NOTHING_WON : { winners, byValue };
}

/**
 * The winners still changed after they were written: a cell that won by its value only but is now
 * stored as the value held before (its column's affinity made the two one: `1.0` in an INTEGER
 * column) changed nothing, so it keeps no new seq and is not sent again.
 * @param before - the row's values before the write; `after` - after it
 */
export function stillChanged(outcome: ContestOutcome, before: readonly SqlValue[] | undefined, after: readonly SqlValue[] | undefined): readonly DecodedCell[] {
  if (outcome.byValue.size === 0 || before === undefined || after === undefined) return outcome.winners;
  return outcome.winners.filter((cell) => {
    if (!outcome.byValue.has(cell)) return true;
    const { index } = cell.column;
    return compareValues(after[index] ?? null, before[index] ?? null) !== 0;
  });
}
