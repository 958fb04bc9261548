import type Database from 'better-sqlite3';
import { backfillSql, createTriggersSql, dropTriggersSql, META_DDL } from './capture-sql';
import { ChangeTracker, type ChangeTrackerOptions, type TrackerConfig } from './change-tracker';
import { DEFAULTS } from '../defaults';
import { nonNegativeInteger } from '../option-checks';
import { LogFolder } from './log-folder';
import { MAX_TRACKED_COLUMNS, inspectTable, type TableSchema } from './table-schema';
import { SyncError } from '../sync-error';
import { trackTable, type TrackedTable } from './tracked-table';

/** Options of {@link enableCapture}. */
export interface CaptureOptions extends ChangeTrackerOptions {
  /**
   * Names of the tables to track: exactly these. A table tracked before and
   * missing here stops being tracked (its triggers and metadata are removed).
   */
  readonly tables: readonly string[];
}

function checkOptions(db: unknown, options: CaptureOptions | undefined): { readonly names: readonly string[]; readonly tracker: TrackerConfig } {
  const looksLikeDb = typeof db === 'object' && db !== null && typeof (db as { prepare?: unknown }).prepare === 'function';
  if (!looksLikeDb) throw new TypeError('express-sqlite-sync: the database (`database`, or the first argument of enableCapture) must be a better-sqlite3 Database: new Database(file)');
  const tables = (options as { tables?: unknown } | undefined)?.tables;
  if (!Array.isArray(tables) || tables.some((name) => typeof name !== 'string')) {
    throw new TypeError('express-sqlite-sync: `tables` must be an array of table names, e.g. { tables: ["teams", "reports"] }');
  }
  if (tables.length === 0) throw new RangeError('express-sqlite-sync: `tables` is empty; name at least one table to track');
  const names = tables as string[];
  const duplicate = names.find((name, index) => names.indexOf(name) !== index);
  if (duplicate !== undefined) throw new RangeError(`express-sqlite-sync: \`tables\` names "${duplicate}" twice`);
  const now: unknown = options?.now;
  if (now !== undefined && typeof now !== 'function') throw new TypeError('express-sqlite-sync: `now` must be a function returning milliseconds');
  const maxClockSkewMs = nonNegativeInteger(options?.maxClockSkewMs, 'maxClockSkewMs', DEFAULTS.maxClockSkewMs);
  return { names, tracker: { maxClockSkewMs, now: options?.now ?? Date.now } };
}

/** Gives every column a stable id (kept across `ALTER TABLE`), and the table an id. */
function registerTable(db: Database.Database, schema: TableSchema): TrackedTable {
  db.prepare('INSERT OR IGNORE INTO _sync_tables (name) VALUES (?)').run(schema.name);
  const tableId = db.prepare('SELECT id FROM _sync_tables WHERE name = ?').pluck().get(schema.name) as number;
  const known = new Map(
    (db.prepare('SELECT name, id FROM _sync_columns WHERE tbl = ?').all(tableId) as { name: string; id: number }[]).map((row) => [row.name, row.id]),
  );
  let nextId = Math.max(-1, ...known.values()) + 1;
  const addColumn = db.prepare('INSERT INTO _sync_columns (tbl, id, name) VALUES (?, ?, ?)');
  for (const column of schema.columns) {
    if (known.has(column.name)) continue;
    if (nextId >= MAX_TRACKED_COLUMNS) {
      throw new SyncError('CAPTURE_REFUSED', 500, `express-sqlite-sync: cannot track table "${schema.name}": its columns have used up ${MAX_TRACKED_COLUMNS} column ids; rebuild it as a new table`);
    }
    addColumn.run(tableId, nextId, column.name);
    known.set(column.name, nextId);
    nextId += 1;
  }
  return trackTable(tableId, schema, known);
}

/** Stops tracking tables that were tracked before but are not listed now. */
function untrackOthers(db: Database.Database, keep: ReadonlySet<string>): void {
  const tracked = db.prepare('SELECT id, name FROM _sync_tables').all() as { id: number; name: string }[];
  for (const table of tracked) {
    if (keep.has(table.name)) continue;
    db.exec(dropTriggersSql(table.id));
    for (const meta of ['_sync_rows', '_sync_cells', '_sync_columns']) db.prepare(`DELETE FROM ${meta} WHERE tbl = ?`).run(table.id);
    db.prepare('DELETE FROM _sync_tables WHERE id = ?').run(table.id);
  }
}

/**
 * Makes tables syncable: creates the `_sync_` metadata (once), installs plain-SQL
 * AFTER INSERT / UPDATE / DELETE triggers on each table (so writes from any
 * connection, the `sqlite3` shell included, are captured), backfills rows that
 * predate capture, and returns a {@link ChangeTracker}. Calling it again is
 * harmless; after `ALTER TABLE … ADD COLUMN` it re-creates the triggers and the
 * schema fingerprint. Everything happens in one transaction.
 * @throws TypeError for a missing database or a bad `tables` option; RangeError for an empty or repeated list
 * @throws SyncError `CAPTURE_REFUSED` for a table without a primary key, with an `INTEGER PRIMARY KEY`
 * (rowid alias), with a nullable key column, a view, a reserved name or too many columns; the message says what to change
 */
export function enableCapture(db: Database.Database, options: CaptureOptions): ChangeTracker {
  const { names, tracker } = checkOptions(db, options);
  const schemas = names.map((name) => inspectTable(db, name));
  const tracked = db
    .transaction(() => {
      db.exec(META_DDL);
      new LogFolder(db).fold();
      untrackOthers(db, new Set(names));
      const tables = schemas.map((schema) => registerTable(db, schema));
      for (const table of tables) {
        db.exec(dropTriggersSql(table.id));
        db.exec(createTriggersSql(table));
        db.exec(backfillSql(table));
      }
      new LogFolder(db).fold();
      return tables;
    })
    .immediate();
  return new ChangeTracker(db, tracked, schemas, tracker);
}
