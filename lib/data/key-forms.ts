import { conflictId } from './parked-rows';
import { quoteIdent } from './sql-names';
import { ignoredWriteRefusal } from './trigger-refusal';
import type { TableParts } from './settle-batch';
import { compareValues } from './value-order';
import { bindable, type SqlValue } from './values';

/**
 * Writes a row's key in the storage classes of `key` (equal values: INTEGER 1 for REAL 1.0, 0 for
 * -0.0, in key columns without affinity), where the row lives: its table, or its parked rows (with
 * the conflict id of the key as it is now spelled). The merge calls it when an earlier birth of the
 * row arrives, so the stored form is the earliest birth's on every server. App triggers on the table
 * fire for it as for any merged write; capture sees no key change (the values are equal).
 */
export function rewriteKeyForm(parts: TableParts, key: readonly SqlValue[]): void {
  const { statements, parked } = parts;
  const columns = statements.table.key;
  const sets = columns.map((column) => `${quoteIdent(column.name)} = ?`).join(', ');
  const bound = key.map(bindable);
  const inTable = statements.cache.get('key-form', () => `UPDATE OR ABORT ${statements.quotedName} SET ${sets} WHERE ${statements.whereKey}`);
  if (inTable.run(...bound, ...bound).changes > 0) return;
  // None rewritten: the row is parked, or a trigger's RAISE(IGNORE) kept it as it was (lost nothing when its key has the forms already).
  const row = statements.select(key);
  if (row !== undefined) {
    if (columns.every((column, i) => compareValues(row[column.index] ?? null, key[i] ?? null) === 0)) return;
    throw ignoredWriteRefusal(statements, `rewriting the key of the ${statements.table.name} row ${JSON.stringify(statements.wireKey(key))} in its earliest birth's form`);
  }
  const inParked = statements.cache.get('key-form-parked', () => `UPDATE OR ABORT ${parked.name} SET ${sets}, _sync_id = ? WHERE ${statements.whereKey}`);
  inParked.run(...bound, conflictId(statements.table.name, statements.wireKey(key)), ...bound);
}
