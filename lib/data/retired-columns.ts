import type Database from 'better-sqlite3';
import { parkedTableName } from './parked-table-sql';
import { numbers } from './prepared';
import { quoteIdent } from './sql-names';
import type { TrackedTable } from './tracked-table';

/**
 * The name a retired column keeps in `_sync_columns`: NUL cannot be in an SQLite identifier, so it
 * is never a column's name, and the id keeps it unique in its table.
 */
function retiredName(id: number): string {
  return `\u0000retired ${id}`;
}

/** True for a name {@link retireGoneColumns} gave a column. */
export function isRetiredName(name: string): boolean {
  return name.startsWith('\u0000');
}

/** True when `column` of the parked rows' table is neither in its key nor in one of its indexes (SQLite cannot drop those). */
function droppable(db: Database.Database, parked: string, column: string): boolean {
  const info = numbers(db, 'SELECT pk FROM pragma_table_info(?) WHERE name = ?').get(parked, column) as { pk: number } | undefined;
  if (info === undefined || info.pk !== 0) return false;
  const indexed = numbers(db, 'SELECT 1 FROM pragma_index_list(?) AS l JOIN pragma_index_info(l.name) AS i WHERE i.name = ?').get(parked, column);
  return indexed === undefined;
}

/**
 * Retires the columns of a tracked table that are gone from it (dropped, or left out of a rebuild;
 * a column renamed keeps its id and is not gone): their cell clocks are deleted, their values leave
 * the parked rows, and their names in `_sync_columns` are freed (the ids stay used, never given
 * again). A column added later under an old name is then a new column with a new id: the old
 * column's clocks neither hold off writes to it nor travel with its values, and what a migration
 * fills into it is captured as for any added column. Call after the start's repair (a column renamed
 * by a rebuild stamps its new name's values just after the old one's clocks).
 * @returns the names retired
 */
export function retireGoneColumns(db: Database.Database, table: TrackedTable): readonly string[] {
  const present = new Set(table.columns.map((column) => column.id));
  const known = numbers(db, 'SELECT id, name FROM _sync_columns WHERE tbl = ?').all(table.id) as { id: number; name: string }[];
  const gone = known.filter((column) => !present.has(column.id) && !isRetiredName(column.name));
  const parked = parkedTableName(table.id);
  for (const column of gone) {
    numbers(db, 'DELETE FROM _sync_cells WHERE tbl = ? AND col = ?').run(table.id, column.id);
    numbers(db, 'UPDATE _sync_columns SET name = ? WHERE tbl = ? AND id = ?').run(retiredName(column.id), table.id, column.id);
    if (droppable(db, parked, column.name)) db.exec(`ALTER TABLE ${quoteIdent(parked)} DROP COLUMN ${quoteIdent(column.name)}`);
  }
  return gone.map((column) => column.name);
}
