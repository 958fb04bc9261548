import type { TableParts } from './settle-batch';
import type { StoredForms } from './stored-form';
import type { TrackedColumn } from './tracked-table';
import type { UndoneWrite } from './trigger-refusal';
import { compareValues } from './value-order';
import type { SqlValue } from './values';

/** The cells a merge writes, `[column, value]`. */
export type CellWrites = readonly (readonly [TrackedColumn, SqlValue])[];

/** How an AFTER trigger undid a merge's insert or update of a row, and the columns it changed (see {@link undoneWrite}). */
export interface UndoneBy {
  readonly how: Extract<UndoneWrite, 'taken out' | 'changed' | 'reverted'>;
  readonly columns: readonly string[];
}

/**
 * What an app trigger did to a row the merge just wrote into its table (an AFTER INSERT or AFTER UPDATE trigger
 * deleting the row, or writing one of the cells just written), read back by key: undefined when the row holds
 * every cell as written, in the storage class and bytes the write stored. A whole row (`before` undefined: new,
 * or a new life) must hold all its cells; an update must not have been written back: a cell holding its value of
 * before the update again is undone (`reverted`), one a trigger set to a value of its own (an `updated_at`
 * stamp) is the derived write docs/API.md warns of, let through as before. Called only for tables with app
 * triggers: one primary-key read per row written.
 * @param before - for an update, the row as it was before it (values in column order)
 */
export function undoneWrite(parts: TableParts, stored: StoredForms, key: readonly SqlValue[], cells: CellWrites, before?: readonly SqlValue[]): UndoneBy | undefined {
  const row = parts.statements.select(key);
  if (row === undefined) return { how: 'taken out', columns: [] };
  const table = parts.statements.table.name;
  const changed = cells.filter(([column, value]) => {
    const now = row[column.index] ?? null;
    if (compareValues(now, stored.of(table, column, value)) === 0) return false;
    return before === undefined || compareValues(now, before[column.index] ?? null) === 0;
  });
  if (changed.length === 0) return undefined;
  return { how: before === undefined ? 'changed' : 'reverted', columns: changed.map(([column]) => column.name) };
}
