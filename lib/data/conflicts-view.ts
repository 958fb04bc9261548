import type Database from 'better-sqlite3';
import { parkedTableName } from './parked-table-sql';
import { numbers } from './prepared';
import { quoteIdent } from './sql-names';
import type { TrackedTable } from './tracked-table';

/** The name of the read-only view of the parked rows (issue 4's conflict record). */
export const CONFLICTS_VIEW = '_sync_conflicts';

/** SQLite's bound on the SELECTs of one compound SELECT (`SQLITE_MAX_COMPOUND_SELECT`): more tables, no view. */
const MAX_COMPOUND_SELECT = 500;

function quoteText(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** A column's value as JSON: a BLOB as `{"$hex": "<HEX>"}` (SQLite's JSON holds no BLOB), anything else as itself. */
function jsonValue(column: string): string {
  const name = quoteIdent(column);
  return `CASE WHEN typeof(${name}) = 'blob' THEN json_object('$hex', hex(${name})) ELSE ${name} END`;
}

function selectOf(table: TrackedTable): string {
  const key = `json_array(${table.key.map((column) => jsonValue(column.name)).join(', ')})`;
  const parked = `json_object(${table.columns.map((column) => `${quoteText(column.name)}, ${jsonValue(column.name)}`).join(', ')})`;
  return `SELECT _sync_id, ${quoteText(table.name)}, ${key}, _sync_reason, _sync_at, ${parked} FROM ${quoteIdent(parkedTableName(table.id))}`;
}

/** Drops the view, if this code made it (a table of that name, left by an earlier version, is left alone). */
export function dropConflictsView(db: Database.Database): void {
  if (numbers(db, "SELECT 1 FROM sqlite_master WHERE type = 'view' AND name = ?").get(CONFLICTS_VIEW) !== undefined) db.exec(`DROP VIEW ${CONFLICTS_VIEW}`);
}

/**
 * Creates `_sync_conflicts`: one row per parked row of the tracked tables
 * (`id`, `table_name`, `key` and `parked` as JSON, `reason`, `at`), the
 * conflicts `GET /data/conflicts` lists (which adds the version that holds
 * the values). It reads only the parked rows' own tables, never the app's,
 * so a migration of the app's tables never meets it. Run after the parked
 * rows' tables are brought up to date, in the capture transaction; skipped
 * when an earlier version left a table of that name (or past 500 tracked tables).
 */
export function createConflictsView(db: Database.Database, tables: readonly TrackedTable[]): void {
  if (tables.length > MAX_COMPOUND_SELECT || numbers(db, 'SELECT 1 FROM sqlite_master WHERE name = ?').get(CONFLICTS_VIEW) !== undefined) return;
  const selects = tables.map(selectOf).join('\nUNION ALL ');
  db.exec(`CREATE VIEW ${CONFLICTS_VIEW} (id, table_name, key, reason, at, parked) AS ${selects}`);
}
