import type Database from 'better-sqlite3';
import { HLC_SQL, keySql, OP, triggerNames } from './capture-sql';
import { ParkedRows } from './parked-rows';
import { exact, numbers } from './prepared';
import { quoteIdent } from './sql-names';
import { SyncError } from '../sync-error';
import { StoredForms } from './stored-form';
import { TableStatements } from './table-statements';
import type { TrackedTable } from './tracked-table';
import type { SqlValue } from './values';

/** What `enableCapture` saw of a table before it re-created its triggers. */
export interface CaptureGap {
  /** Ids of the columns registered just now on a table tracked before (added by `ALTER TABLE`). */
  readonly newColumns: readonly number[];
  /** True when a table tracked before lost its capture triggers (rebuilt by create-copy-drop-rename, dropped and made again). */
  readonly triggersLost: boolean;
  /** The table its capture triggers are on when it was renamed away (see {@link triggersMovedTo}). */
  readonly movedTo?: string | undefined;
  /** Columns renamed since (`ALTER TABLE … RENAME COLUMN`), `[old name, new name]`: they keep their ids. */
  readonly renamed?: readonly (readonly [string, string])[];
}

/** The trigger names a tracked table must have (the REPLACE ones only with UNIQUE indexes). */
function requiredTriggers(table: TrackedTable): readonly string[] {
  return triggerNames(table.id).slice(0, 4);
}

/**
 * True when any of a table's capture triggers is missing from it (call before
 * they are re-created): dropped, or moved to another table by `ALTER TABLE …
 * RENAME TO` (SQLite's triggers follow a renamed table).
 */
export function triggersMissing(db: Database.Database, table: TrackedTable): boolean {
  const names = requiredTriggers(table);
  const found = numbers(db, `SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ? AND name IN (${names.map(() => '?').join(', ')})`)
    .pluck()
    .get(table.name, ...names) as number;
  return found < names.length;
}

/**
 * The table a tracked table's capture triggers are on when it is not that
 * table (it was renamed away, and a table of the old name made again): they
 * logged that other table's writes as this one's, so its log not folded yet
 * cannot be trusted.
 */
export function triggersMovedTo(db: Database.Database, table: Pick<TrackedTable, 'id' | 'name'>): string | undefined {
  const names = triggerNames(table.id);
  return numbers(db, `SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND tbl_name <> ? AND name IN (${names.map(() => '?').join(', ')}) LIMIT 1`)
    .pluck()
    .get(table.name, ...names) as string | undefined;
}

/**
 * SQL for a clock just after a row's last known one (its birth or death, or
 * its latest cell), or the next local clock for a row the metadata lacks.
 * A repair stamps with it: what it logs happened before anything written since.
 */
function justAfterRowSql(tbl: string, pk: string): string {
  return `coalesce((SELECT max(x) FROM (SELECT r.hlc AS x FROM _sync_rows AS r WHERE r.tbl = ${tbl} AND r.pk = ${pk}
    UNION ALL SELECT c.hlc FROM _sync_cells AS c WHERE c.tbl = ${tbl} AND c.pk = ${pk})) + 1, ${HLC_SQL})`;
}

/**
 * SQL for a clock just after what a new column's value competes with on every server: its row's
 * birth and the cell's own clock, if it has one (a merge compares a cell with nothing else), and
 * the clocks of the row's columns that are gone from the table (a column renamed to this one keeps
 * its value's clock), or the next local clock for a row the metadata lacks. Clocks of the row's
 * other columns are left out: an edit of another column made on this server before its migration
 * must not lift a fill of the new column over an edit of it made since on a server migrated earlier.
 */
function justAfterCellSql(tbl: string, pk: string, cols: readonly number[]): string {
  return `coalesce((SELECT max(x) FROM (SELECT r.hlc AS x FROM _sync_rows AS r WHERE r.tbl = ${tbl} AND r.pk = ${pk}
    UNION ALL SELECT c.hlc FROM _sync_cells AS c WHERE c.tbl = ${tbl} AND c.pk = ${pk} AND c.col IN (${cols.join(', ')}))) + 1, ${HLC_SQL})`;
}

/** Ids of a tracked table's columns that are no longer in it (renamed, or dropped by a rebuild). */
function goneColumnIds(db: Database.Database, table: TrackedTable): number[] {
  const present = new Set(table.columns.map((column) => column.id));
  return (numbers(db, 'SELECT id FROM _sync_columns WHERE tbl = ?').pluck().all(table.id) as number[]).filter((id) => !present.has(id));
}

/**
 * Logs, as updates, the values a column added by `ALTER TABLE` got before the
 * triggers knew it (a migration that fills the new column while the server is
 * stopped, on one server only): each row whose value is not the column's
 * default. Every other server added the column with its default, so the
 * values that differ are the ones to send.
 */
function logNewColumnValues(db: Database.Database, table: TrackedTable, columnIds: readonly number[]): void {
  const defaults = new Map((numbers(db, `SELECT name, dflt_value FROM pragma_table_info(?)`).all(table.name) as { name: string; dflt_value: string | null }[]).map((row) => [row.name, row.dflt_value]));
  const key = keySql(table, 't');
  const gone = goneColumnIds(db, table);
  for (const id of columnIds) {
    const column = table.columns.find((candidate) => candidate.id === id);
    if (column === undefined || table.key.some((part) => part.id === id)) continue;
    const fallback = defaults.get(column.name) ?? null;
    const differs = `t.${quoteIdent(column.name)} IS NOT (${fallback ?? 'NULL'})`;
    // Stamped just after the cell's own last known clock (its row's birth, or the clock of a column renamed to it),
    // not now: the fill happened then, so an edit made since on a server migrated earlier (a newer clock) still
    // wins, and two fills of one cell tie on the clock and settle by site.
    const stamp = justAfterCellSql(String(table.id), key, [id, ...gone]);
    db.exec(`INSERT INTO _sync_log (tbl, op, pk, cols, hlc)
SELECT ${table.id}, ${OP.update}, ${key}, ${1n << BigInt(id)}, ${stamp} FROM ${quoteIdent(table.name)} AS t WHERE ${differs}`);
  }
}

/** Ends the log with the clock as it was (a repair's or a backfill's stamps are older than it), so the next local write is not stamped below it. */
export function keepClock(db: Database.Database): void {
  db.exec(`INSERT INTO _sync_log (tbl, op, pk, cols, hlc) SELECT 0, ${OP.sentinel}, '', 0, max(hlc) FROM _sync_log`);
}

/**
 * Logs a delete for every row the metadata holds alive that is neither in
 * the table nor parked: rows removed while the table had no triggers (a
 * rebuild that left some out), which peers would otherwise keep for good.
 */
function logLostRows(db: Database.Database, table: TrackedTable, movedTo: string | undefined): void {
  const statements = new TableStatements(db, table);
  const parked = new ParkedRows(db, statements, new StoredForms(db));
  const alive = exact(db, 'SELECT pk FROM _sync_rows WHERE tbl = ? AND cl % 2 = 1').pluck();
  const log = exact(
    db,
    `INSERT INTO _sync_log (tbl, op, pk, cols, hlc) VALUES (@tbl, ${OP.delete}, @pk, 0, ${justAfterRowSql('@tbl', '@pk')})`,
  );
  const gone: SqlValue[] = [];
  for (const pk of alive.iterate(table.id) as Iterable<SqlValue>) {
    const key = statements.keyValues(pk);
    if (!statements.present(key) && parked.select(key) === undefined) gone.push(pk);
  }
  if (gone.length > 0 && numbers(db, `SELECT 1 FROM ${quoteIdent(table.name)} LIMIT 1`).get() === undefined) refuseEmptied(table.name, gone.length, movedTo);
  for (const pk of gone) log.run({ tbl: table.id, pk });
}

/**
 * A tracked table that lost its capture triggers and is empty now while the
 * metadata holds live rows of it was made again (renamed away, or dropped,
 * and created empty under its name): sending every row as a delete to every
 * server is almost never what was meant, so capture refuses to start.
 */
function refuseEmptied(name: string, rows: number, movedTo: string | undefined): never {
  const where = movedTo === undefined ? 'dropped and made again, or renamed away' : `renamed to "${movedTo}" (its capture triggers went with it)`;
  const back = movedTo === undefined ? 'rename the old table back or restore its rows from a backup' : `rename it back (DROP TABLE ${quoteIdent(name)}; ALTER TABLE ${quoteIdent(movedTo)} RENAME TO ${quoteIdent(name)})`;
  throw new SyncError(
    'CAPTURE_REFUSED',
    500,
    `express-sqlite-sync: cannot track table "${name}": it is empty and lost its capture triggers, while this server's sync metadata holds ${rows} live row(s) of it: the table was ${where}; starting would send every row as a delete to every server. ${back[0]?.toUpperCase()}${back.slice(1)}, then start the server. To really delete every row everywhere: put the rows back first, start the server, then run DELETE FROM ${quoteIdent(name)} while it runs (captured, sent as deletes)`,
  );
}

/**
 * Refuses to start on a tracked table that is missing while this server's
 * metadata holds live rows of it: creating it empty would not bring them
 * back (capture would then refuse the empty table, see `logLostRows`), so the
 * message points at renaming it back. Nothing is said for a table that never
 * held a row here (its own "create it" refusal is right).
 * @throws SyncError `CAPTURE_REFUSED`
 */
export function refuseMissingTrackedTable(db: Database.Database, name: string): void {
  if (numbers(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ? COLLATE NOCASE").get(name) !== undefined) return;
  if (numbers(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sync_rows'").get() === undefined) return;
  const id = numbers(db, 'SELECT id FROM _sync_tables WHERE name = ?').pluck().get(name) as number | undefined;
  if (id === undefined) return;
  const rows = numbers(db, 'SELECT count(*) FROM _sync_rows WHERE tbl = ? AND cl % 2 = 1').pluck().get(id) as number;
  if (rows === 0) return;
  const movedTo = triggersMovedTo(db, { id, name });
  const back = movedTo === undefined ? `rename the table back (ALTER TABLE <its new name> RENAME TO ${quoteIdent(name)}) or restore it from a backup` : `it was renamed to "${movedTo}" (its capture triggers are on it): rename it back (ALTER TABLE ${quoteIdent(movedTo)} RENAME TO ${quoteIdent(name)})`;
  throw new SyncError(
    'CAPTURE_REFUSED',
    500,
    `express-sqlite-sync: cannot track table "${name}": no such table in the main database, while this server's sync metadata holds ${rows} live row(s) of it; ${back}, then start the server. Creating it empty does not bring the rows back (capture refuses an emptied table rather than send every row as a delete to every server)`,
  );
}

/**
 * Captures what happened to a table while capture could not see it, at the
 * start that re-creates its triggers: values of columns added since, and
 * rows removed while its triggers were gone (refused when that is every row:
 * the table was made again empty, see `refuseEmptied`), each stamped just after the
 * row's last known clock, a new column's value just after that cell's or a renamed column's (they happened
 * before anything written since). Rows added meanwhile are
 * backfilled by `enableCapture` itself. Changes made to existing cells while
 * the triggers were gone cannot be told apart from the old values, and stay
 * local until that cell is written again.
 */
export function captureMissedWrites(db: Database.Database, table: TrackedTable, gap: CaptureGap): void {
  if (gap.newColumns.length > 0) logNewColumnValues(db, table, gap.newColumns);
  if (gap.triggersLost) logLostRows(db, table, gap.movedTo);
  if (gap.newColumns.length > 0 || gap.triggersLost) keepClock(db);
}
