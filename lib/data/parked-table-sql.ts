import { quoteIdent } from './sql-names';
import type { TrackedTable } from './tracked-table';

/** The parked rows' column naming the UNIQUE constraint that blocked a row (see {@link parkedTableSql}). */
export const BLOCKER_COLUMN = '_sync_blocker';

/** Name of the table that keeps a tracked table's parked rows. */
export function parkedTableName(tableId: number): string {
  return `_sync_parked_${tableId}`;
}

/**
 * The table of parked rows of a tracked table: the same columns without a
 * type (so every value keeps its storage class and bytes), the conflict's id,
 * reason and time, keyed like the table (BINARY, as keys are); one index per
 * UNIQUE index (same collations) and one on the conflict id. `_sync_blocker`
 * ({@link BLOCKER_COLUMN}) is this server's note, never sent: the `ref` of
 * the UNIQUE constraint an earlier claim held a row parked for UNIQUE on when
 * it was last ranked (NULL: not known).
 */
export function parkedTableSql(table: TrackedTable): string {
  const name = parkedTableName(table.id);
  const columns = table.columns.map((column) => quoteIdent(column.name)).join(', ');
  const key = table.key.map((column) => `${quoteIdent(column.name)} COLLATE BINARY`).join(', ');
  const indexes = table.uniques.map((unique, n) => {
    const on = unique.columns.map((column, i) => `${quoteIdent(column.name)} COLLATE ${unique.collations[i] ?? 'BINARY'}`).join(', ');
    return `CREATE INDEX ${quoteIdent(`${name}_u${n}`)} ON ${quoteIdent(name)} (${on});`;
  });
  return `CREATE TABLE IF NOT EXISTS ${quoteIdent(name)} (${columns}, _sync_id TEXT NOT NULL, _sync_reason TEXT NOT NULL, _sync_at TEXT NOT NULL, _sync_blocker TEXT, PRIMARY KEY (${key})) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS ${quoteIdent(`${name}_id`)} ON ${quoteIdent(name)} (_sync_id);
${indexes.join('\n')}`;
}
