import type { TableParts } from './settle-batch';
import type { StoredForms } from './stored-form';
import type { TrackedColumn } from './tracked-table';
import type { UndoneWrite } from './trigger-refusal';
import { compareValues } from './value-order';
import type { SqlValue } from './values';

/** The cells a merge writes, `[column, value]`. */
export type CellWrites = readonly (readonly [TrackedColumn, SqlValue])[];

/** How an AFTER trigger undid a merge's insert or update of a row, and the columns it wrote back (see {@link undoneWrite}). */
export interface UndoneBy {
  readonly how: Extract<UndoneWrite, 'taken out' | 'reverted'>;
  readonly columns: readonly string[];
}

/**
 * What an app trigger did to a row the merge just wrote into its table (an AFTER INSERT or AFTER UPDATE trigger
 * deleting the row, or writing one of the cells just updated back), read back by key: undefined when the write
 * stands. A row written whole (`before` undefined: new, a new life, a parked row coming back) must be there; an
 * update must not have been written back: a cell holding its value of before the update again, where the merge
 * wrote another one, is undone (`reverted`). A cell a trigger set to a value of its own (an `updated_at` stamp,
 * on an insert as on an update) is the derived write docs/API.md warns of, let through as before: it undoes
 * nothing, and refused it would stop sync for good. Called only for tables with app triggers: one primary-key
 * read per row written.
 * @param before - for an update (or an overwrite of the row the table held), the row as it was before it (values in column order)
 */
export function undoneWrite(parts: TableParts, stored: StoredForms, key: readonly SqlValue[], cells: CellWrites, before?: readonly SqlValue[]): UndoneBy | undefined {
  const row = parts.statements.select(key);
  if (row === undefined) return { how: 'taken out', columns: [] };
  if (before === undefined) return undefined;
  const table = parts.statements.table.name;
  const reverted = cells.filter(([column, value]) => {
    const now = row[column.index] ?? null;
    return compareValues(now, stored.of(table, column, value)) !== 0 && compareValues(now, before[column.index] ?? null) === 0;
  });
  return reverted.length === 0 ? undefined : { how: 'reverted', columns: reverted.map(([column]) => column.name) };
}
