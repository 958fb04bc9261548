import type { TableParts } from './settle-batch';
import type { TrackedColumn } from './tracked-table';
import { compareValues } from './value-order';
import type { SqlValue } from './values';

/** Conflict ids read per statement while converting (the parked rows are read one by one). */
const PAGE = 500;

/**
 * Brings every parked row of a table to the form its columns store (see `ParkedRows.formOf`): a version
 * before this one parked values as a page sent them (`5` in a TEXT column, where the table holds `'5'`),
 * and a migration that changes a column's type converts the table's rows only. A row held in another form
 * than every other server's claims another UNIQUE value and is sent so: the servers stayed apart for good.
 * Only values in another form are written (no clock changes: the value is the one the clock wrote, as its
 * table would hold it). Called when a tracker starts, before its parked rows are ranked.
 * @returns how many parked rows were converted
 */
export function convertParkedForms(parts: TableParts): number {
  const { parked, statements } = parts;
  let converted = 0;
  let after = '';
  for (let ids = parked.ids(after, PAGE); ids.length > 0; ids = parked.ids(after, PAGE)) {
    for (const id of ids) {
      const row = parked.row(id);
      if (row === undefined) continue;
      const cells: [TrackedColumn, SqlValue][] = [];
      for (const column of statements.table.values) {
        const value = row.values[column.index] ?? null;
        if (compareValues(parked.formOf(column, value), value) !== 0) cells.push([column, value]);
      }
      if (cells.length === 0) continue;
      parked.update(cells, row.key);
      converted += 1;
    }
    after = ids[ids.length - 1] ?? after;
  }
  return converted;
}
