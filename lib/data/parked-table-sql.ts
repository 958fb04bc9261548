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

/**
 * The query of `ParkedRows.unblocked` over the parked rows' table `parked` (quoted): the keys of the rows
 * parked for UNIQUE whose blocking constraint's values no row of the table nor any row parked for
 * FOREIGN_KEY holds (none NULL), or that no constraint can block. Compared as each constraint compares.
 */
export function unblockedSql(table: TrackedTable, parked: string): string {
  const quotedName = quoteIdent(table.name);
  const labels = table.uniques.map((unique) => `'${unique.ref.replaceAll("'", "''")}'`);
  const unknown = `(p._sync_blocker IS NULL OR p._sync_blocker NOT IN (${labels.join(', ')}))`;
  const free = table.uniques.map((unique, n) => {
    // `+p.x` against the table: the table column's affinity applies to the parked value, as to a bound one (see `claimants`).
    const same = (other: string, plus: string): string =>
      unique.columns.map((column, i) => `${other}.${quoteIdent(column.name)} = ${plus}p.${quoteIdent(column.name)} COLLATE ${unique.collations[i] ?? 'BINARY'}`).join(' AND ');
    const set = unique.columns.map((column) => `p.${quoteIdent(column.name)} IS NOT NULL`).join(' AND ');
    const blocked = `(${unknown} OR p._sync_blocker = ${labels[n] ?? 'NULL'})`;
    return {
      set: `(${set})`,
      free: `(${blocked} AND ${set} AND NOT EXISTS (SELECT 1 FROM ${quotedName} t WHERE ${same('t', '+')}) AND NOT EXISTS (SELECT 1 FROM ${parked} q WHERE q._sync_reason = 'FOREIGN_KEY' AND ${same('q', '')}))`,
    };
  });
  const keys = table.key.map((column) => `p.${quoteIdent(column.name)}`).join(', ');
  const none = free.length === 0 ? '1' : `NOT (${free.map((unique) => unique.set).join(' OR ')})`;
  const where = [...free.map((unique) => unique.free), none].join(' OR ');
  return `SELECT ${keys} FROM ${parked} p WHERE p._sync_reason = 'UNIQUE' AND (${where})`;
}
