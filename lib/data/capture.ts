import type Database from 'better-sqlite3';
import { META_COLUMNS, META_DDL, OP } from './capture-sql';
import { createTriggersSql, dropTriggersSql } from './capture-triggers';
import { backfillSql } from './backfill-sql';
import { parkedTableName } from './parked-table-sql';
import { createConflictsView, dropConflictsView } from './conflicts-view';
import { captureMissedWrites, keepClock, refuseMissingTrackedTable, triggersMissing, triggersMovedTo, type CaptureGap } from './capture-repair';
import { ChangeTracker, type ChangeTrackerOptions, type Reidentified, type TrackerConfig } from './change-tracker';
import { DEFAULTS } from '../defaults';
import { nonNegativeInteger, refuseUnknownOptions } from '../option-checks';
import { LogFolder } from './log-folder';
import { respellLoggedKeys } from './key-spelling';
import { ensureCaptureCache } from './page-cache';
import { numbers, writeTransaction } from './prepared';
import { openedName } from './opened-name';
import { anyParkedRows, createParkedTable } from './parked-tables';
import { reidentifyAtStart } from './start-identity';
import { keepRenamedColumns } from './renamed-columns';
import { retireGoneColumns } from './retired-columns';
import { quoteIdent } from './sql-names';
import { MAX_TRACKED_COLUMNS, inspectTable, refuseUntrackedParents, type TableSchema } from './table-schema';
import { SyncError } from '../sync-error';
import { TableStatements } from './table-statements';
import { refuseTempMetadata } from './temp-metadata';
import { noteLiveDatabase } from '../files/live-databases';
import { trackTable, type TrackedTable } from './tracked-table';

/** Options of {@link enableCapture}. */
export interface CaptureOptions extends ChangeTrackerOptions {
  /**
   * Names of the tables to track: exactly these. A table tracked before and
   * missing here stops being tracked (its triggers and metadata are removed).
   */
  readonly tables: readonly string[];
}

const CAPTURE_OPTIONS: ReadonlySet<string> = new Set(['tables', 'maxClockSkewMs', 'now']);

function checkOptions(db: unknown, options: CaptureOptions | undefined): { readonly names: readonly string[]; readonly tracker: TrackerConfig } {
  const looksLikeDb = typeof db === 'object' && db !== null && typeof (db as { prepare?: unknown }).prepare === 'function';
  if (!looksLikeDb) throw new TypeError('express-sqlite-sync: the database (`database`, or the first argument of enableCapture) must be a better-sqlite3 Database: new Database(file)');
  if ((db as { readonly?: unknown }).readonly === true) {
    throw new TypeError('express-sqlite-sync: the database connection is read-only ({ readonly: true }); capture installs triggers and writes its metadata: open it read-write');
  }
  if (typeof options === 'object' && options !== null) refuseUnknownOptions(options, CAPTURE_OPTIONS, 'enableCapture');
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

/**
 * SQLite's deprecated `PRAGMA full_column_names = ON` names every result column `table.column`, and its
 * deprecated `PRAGMA short_column_names = OFF` names a column read through an alias by its text (`p.name`):
 * each read of the schema and the metadata would then miss its columns (a table was refused as "a undefined",
 * or its NOT NULL key as nullable).
 * @throws SyncError `CAPTURE_REFUSED` naming the pragma and the fix
 */
function refuseColumnNaming(db: Database.Database): void {
  const refused = (pragma: string, effect: string, fix: string) =>
    new SyncError(
      'CAPTURE_REFUSED',
      500,
      `express-sqlite-sync: cannot enable capture: this connection has PRAGMA ${pragma} (deprecated), which ${effect}, so sync's own reads would miss their columns; run db.pragma('${fix}') before enabling capture`,
    );
  if (Number(db.pragma('full_column_names', { simple: true })) === 1) throw refused('full_column_names = ON', 'names every result column table.column', 'full_column_names = OFF');
  if (Number(db.pragma('short_column_names', { simple: true })) === 0) throw refused('short_column_names = OFF', 'names a result column read through an alias by its text (p.name)', 'short_column_names = ON');
}

/** Creates the metadata tables and adds the columns later versions added. */
function createMetadata(db: Database.Database): void {
  db.exec(META_DDL);
  for (const [table, column, declaration] of META_COLUMNS) {
    const has = numbers(db, 'SELECT 1 FROM pragma_table_info(?) WHERE name = ?').get(table, column) !== undefined;
    if (!has) db.exec(`ALTER TABLE ${quoteIdent(table)} ADD COLUMN ${quoteIdent(column)} ${declaration}`);
  }
}

/** Gives every column a stable id (kept across `ALTER TABLE`), and the table an id. */
function registerTable(db: Database.Database, schema: TableSchema): { readonly table: TrackedTable; readonly gap: CaptureGap } {
  numbers(db, 'INSERT OR IGNORE INTO _sync_tables (name) VALUES (?)').run(schema.name);
  const tableId = numbers(db, 'SELECT id FROM _sync_tables WHERE name = ?').pluck().get(schema.name) as number;
  const known = new Map((numbers(db, 'SELECT name, id FROM _sync_columns WHERE tbl = ?').all(tableId) as { name: string; id: number }[]).map((row) => [row.name, row.id]));
  const trackedBefore = known.size > 0;
  // A column renamed since keeps its id: its clocks, and its values in parked rows (see createParkedTable).
  const renamed = keepRenamedColumns(db, tableId, known, new Set(schema.columns.map((column) => column.name)));
  let nextId = Math.max(-1, ...known.values()) + 1;
  const addColumn = numbers(db, 'INSERT INTO _sync_columns (tbl, id, name) VALUES (?, ?, ?)');
  const newColumns: number[] = [];
  for (const column of schema.columns) {
    if (known.has(column.name)) continue;
    if (nextId >= MAX_TRACKED_COLUMNS) {
      throw new SyncError('CAPTURE_REFUSED', 500, `express-sqlite-sync: cannot track table "${schema.name}": its columns have used up ${MAX_TRACKED_COLUMNS} column ids; rebuild it as a new table`);
    }
    addColumn.run(tableId, nextId, column.name);
    known.set(column.name, nextId);
    if (trackedBefore) newColumns.push(nextId);
    nextId += 1;
  }
  const table = trackTable(tableId, schema, known);
  const triggersLost = trackedBefore && triggersMissing(db, table);
  return { table, gap: { newColumns, triggersLost, movedTo: triggersLost ? triggersMovedTo(db, table) : undefined, renamed } };
}

/**
 * Drops a table's log not folded yet (kept as sentinels: the log's seqs never
 * go back): its triggers were on another table (renamed away), so those
 * entries are that table's writes. What the table lost or gained meanwhile is
 * found again by the repair of a table that lost its triggers.
 */
function dropUnfoldedLog(db: Database.Database, table: TrackedTable): void {
  numbers(db, `UPDATE _sync_log SET op = ${OP.sentinel} WHERE tbl = ? AND seq > (SELECT folded FROM _sync_state WHERE id = 1)`).run(table.id);
}

/** The ids of the tables whose key has more than one column. */
function compositeIds(tables: readonly TrackedTable[]): number[] {
  return tables.filter((table) => table.key.length > 1).map((table) => table.id);
}

/** Stops tracking tables that were tracked before but are not listed now. */
function untrackOthers(db: Database.Database, keep: ReadonlySet<string>): void {
  const tracked = numbers(db, 'SELECT id, name FROM _sync_tables').all() as { id: number; name: string }[];
  for (const table of tracked) {
    if (keep.has(table.name)) continue;
    db.exec(dropTriggersSql(table.id));
    db.exec(`DROP TABLE IF EXISTS ${quoteIdent(parkedTableName(table.id))}`);
    // Its writes not folded yet go with it (kept as sentinels: the log's seqs never go back).
    numbers(db, `UPDATE _sync_log SET op = ${OP.sentinel} WHERE tbl = ? AND seq > (SELECT folded FROM _sync_state WHERE id = 1)`).run(table.id);
    for (const meta of ['_sync_rows', '_sync_cells', '_sync_columns']) numbers(db, `DELETE FROM ${meta} WHERE tbl = ?`).run(table.id);
    numbers(db, 'DELETE FROM _sync_tables WHERE id = ?').run(table.id);
  }
}

/** Folds what the log holds; a row a REPLACE may have deleted counts as deleted when its table no longer has it. */
function foldLog(db: Database.Database, tables: readonly TrackedTable[]): void {
  const statements = new Map(tables.map((table) => [table.id, new TableStatements(db, table)]));
  new LogFolder(db).fold({
    present: (tbl, pk) => {
      const table = statements.get(tbl);
      return table === undefined || table.present(table.keyValues(pk));
    },
  });
}

/**
 * Makes tables syncable: creates the `_sync_` metadata (once), installs plain-SQL
 * capture triggers on each table (so writes from any connection, the `sqlite3`
 * shell included, are captured; REPLACE deletions too), backfills rows that
 * predate capture, and returns a {@link ChangeTracker}. Calling it again is
 * harmless; after `ALTER TABLE … ADD COLUMN` it re-creates the triggers and the
 * schema fingerprint. Everything happens in one transaction. Works the same on
 * a connection in `defaultSafeIntegers(true)` mode.
 * @throws TypeError for a missing database or a bad `tables` option; RangeError for an empty or repeated list
 * @throws SyncError `CAPTURE_REFUSED` for a table without a primary key, with an `INTEGER PRIMARY KEY`
 * (the rowid; `INTEGER PRIMARY KEY DESC` is not), with a nullable key column or one with a collation, a view, a TEMP table of its name, a
 * reserved or empty name, too many columns, a partial or expression UNIQUE index, a constraint including a
 * generated column, or a foreign key to a table not in `tables`; for a connection with the deprecated
 * `PRAGMA full_column_names = ON` or `short_column_names = OFF`; for a tracked table that is missing, or that lost its triggers and is empty, while the
 * metadata holds live rows of it (renamed away, or made again empty: starting would delete them everywhere); the
 * message says what to change. An app trigger refusing the settling done at start (the parked rows ranked again,
 * writes made while stopped folded) does not throw: the tracker starts with its data sync stopped, the refusal in
 * `startRefusal`, and every read, apply and sync answers it (409 `APPLY_REFUSED`) until the trigger is fixed
 */
export function enableCapture(db: Database.Database, options: CaptureOptions): ChangeTracker {
  const { names, tracker } = checkOptions(db, options);
  noteLiveDatabase(openedName(db)); // its file is never opened by the file routes, under any name
  ensureCaptureCache(db);
  refuseColumnNaming(db);
  refuseTempMetadata(db);
  const schemas = names.map((name) => {
    refuseMissingTrackedTable(db, name);
    return inspectTable(db, name);
  });
  let reidentified: Reidentified | undefined;
  let settleLater = false;
  let parkedAtStart = false;
  const tracked = writeTransaction(db, () => {
    createMetadata(db);
    dropConflictsView(db); // made again below, over the parked rows' tables as they end up
    reidentified = reidentifyAtStart(db);
    const registered = schemas.map((schema) => registerTable(db, schema));
    const tables = registered.map(({ table }) => table);
    // Before the backfill looks for rows the log holds: a write from another SQLite (the sqlite3 shell) may spell a REAL key otherwise.
    respellLoggedKeys(db, numbers(db, 'SELECT folded FROM _sync_state WHERE id = 1').pluck().get() as number, compositeIds(tables));
    for (const table of tables) if (triggersMovedTo(db, table) !== undefined) dropUnfoldedLog(db, table);
    // With parked rows, writes made while the server was stopped may free (or take) what a parked row
    // waits for; with foreign keys, such writes (the sqlite3 shell has them off) may have left orphans:
    // either way they are folded by the tracker, which settles them, as it does while running.
    parkedAtStart = anyParkedRows(db, tables);
    settleLater = parkedAtStart || tables.some((table) => table.foreignKeys.length > 0);
    if (!settleLater) foldLog(db, tables);
    untrackOthers(db, new Set(names));
    for (const { table, gap } of registered) {
      createParkedTable(db, table, gap.renamed ?? []);
      db.exec(dropTriggersSql(table.id));
      db.exec(createTriggersSql(table));
      if (numbers(db, backfillSql(table)).run().changes > 0) keepClock(db);
      captureMissedWrites(db, table, gap);
      retireGoneColumns(db, table); // a column added later under a gone one's name is a new column
    }
    refuseUntrackedParents(schemas); // after the refusals above: a parent renamed away is named by them, with its fix
    createConflictsView(db, tables);
    if (!settleLater) foldLog(db, tables);
    return tables;
  });
  const changeTracker = new ChangeTracker(db, tracked, schemas, tracker, reidentified);
  // With parked rows, they are all ranked once (the schema or the clocks may have changed while stopped); later batches rank what they may concern.
  // Refused by an app trigger, the server still starts: its data sync answers the refusal (409 APPLY_REFUSED) until the trigger is fixed.
  if (settleLater) changeTracker.settleAtStart(parkedAtStart);
  return changeTracker;
}
