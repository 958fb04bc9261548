import type Database from 'better-sqlite3';
import { BLOCKER_COLUMN, parkedTableName, parkedTableSql } from './parked-table-sql';
import { numbers } from './prepared';
import { quoteIdent } from './sql-names';
import type { TrackedTable } from './tracked-table';

/**
 * Creates (or brings up to date) the table of a tracked table's parked rows: its columns and its UNIQUE indexes.
 * A column added to the table since (`ALTER TABLE … ADD COLUMN`, a rebuild) is added here too, and the rows
 * parked already take the column's declared default, as the table's own rows did (and as every server does):
 * left NULL, a parked row could not come back under a `NOT NULL DEFAULT …` column, and would come back with
 * NULL instead of the default under a nullable one.
 */
export function createParkedTable(db: Database.Database, table: TrackedTable, renamed: readonly (readonly [string, string])[]): void {
  const name = parkedTableName(table.id);
  const indexes = numbers(db, "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND name LIKE ?").pluck().all(name, `${name}_u%`) as string[];
  for (const index of indexes) db.exec(`DROP INDEX ${quoteIdent(index)}`);
  const before = new Set(numbers(db, 'SELECT name FROM pragma_table_info(?)').pluck().all(name) as string[]);
  for (const [from, to] of renamed) if (before.has(from) && !before.has(to)) db.exec(`ALTER TABLE ${quoteIdent(name)} RENAME COLUMN ${quoteIdent(from)} TO ${quoteIdent(to)}`);
  const existing = new Set(numbers(db, 'SELECT name FROM pragma_table_info(?)').pluck().all(name) as string[]);
  // Parked by a version that kept no blocker: NULL, so such rows are looked at as before (any free UNIQUE value).
  if (existing.size > 0 && !existing.has(BLOCKER_COLUMN)) db.exec(`ALTER TABLE ${quoteIdent(name)} ADD COLUMN ${BLOCKER_COLUMN} TEXT`);
  if (existing.size > 0) {
    const defaults = new Map((numbers(db, 'SELECT name, dflt_value FROM pragma_table_info(?)').all(table.name) as { name: string; dflt_value: string | null }[]).map((row) => [row.name, row.dflt_value]));
    for (const column of table.columns) {
      if (existing.has(column.name)) continue;
      db.exec(`ALTER TABLE ${quoteIdent(name)} ADD COLUMN ${quoteIdent(column.name)}`);
      const fallback = defaults.get(column.name) ?? null;
      if (fallback !== null) db.exec(`UPDATE ${quoteIdent(name)} SET ${quoteIdent(column.name)} = (${fallback})`);
    }
  }
  db.exec(parkedTableSql(table));
}

/** True when some tracked table has parked rows (a table made just now has none). */
export function anyParkedRows(db: Database.Database, tables: readonly TrackedTable[]): boolean {
  return tables.some((table) => {
    const name = parkedTableName(table.id);
    const exists = numbers(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
    return exists && numbers(db, `SELECT 1 FROM ${quoteIdent(name)} LIMIT 1`).get() !== undefined;
  });
}
