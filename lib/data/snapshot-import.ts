import { saveSnapshotSeq } from './transport-cursors';
import type Database from 'better-sqlite3';
import { createTriggersSql, dropTriggersSql } from './capture-triggers';
import { parkedTableName } from './parked-table-sql';
import { LogFolder } from './log-folder';
import { refuseOpenTransaction } from './open-transaction';
import { checkSnapshotFile, type ExpectedSnapshot } from './snapshot-adopt';
import { refuseFutureSnapshotClocks, type SnapshotClockLimit } from './snapshot-clocks';
import { checkSnapshotEncoding, checkSnapshotSchema } from './snapshot-schema-check';
import { quoteIdent } from './sql-names';
import { TableStatements } from './table-statements';
import { ignoredWriteRefusal, triggerRefusal } from './trigger-refusal';
import { snapshotExpressionRefusal } from './expression-refusal';
import type { TrackedTable } from './tracked-table';
import { SyncError } from '../sync-error';

/** The attached snapshot's schema name. */
const SNAP = '_sync_snapshot';

/** What importing a snapshot into a live database did. */
export interface ImportedSnapshot {
  /** Rows copied into the tracked tables. */
  readonly rows: number;
  /** The sender's seq this database now has everything up to (its cursor for the sender). */
  readonly seq: number;
  /** This database's local seq after the import: every part up to it is the sender's (it was empty). */
  readonly localSeq: number;
}

function mismatch(message: string): SyncError {
  return new SyncError('SNAPSHOT_MISMATCH', 502, `the snapshot does not fit this database: ${message}`);
}

/** The statements that copy one snapshot into the live database, all bound to `@offset`, `@sender`. */
const MAP_SQL = `
CREATE TEMP TABLE _sync_import_sites (old INTEGER PRIMARY KEY, new INTEGER NOT NULL);
CREATE TEMP TABLE _sync_import_tables (old INTEGER PRIMARY KEY, new INTEGER NOT NULL);
CREATE TEMP TABLE _sync_import_columns (tbl INTEGER NOT NULL, old INTEGER NOT NULL, new INTEGER NOT NULL, PRIMARY KEY (tbl, old)) WITHOUT ROWID;
INSERT OR IGNORE INTO main._sync_sites (site) SELECT site FROM ${SNAP}._sync_sites ORDER BY id;
INSERT INTO temp._sync_import_sites SELECT s.id, m.id FROM ${SNAP}._sync_sites AS s JOIN main._sync_sites AS m ON m.site = s.site;
INSERT INTO temp._sync_import_tables SELECT s.id, m.id FROM ${SNAP}._sync_tables AS s JOIN main._sync_tables AS m ON m.name = s.name;
INSERT INTO temp._sync_import_columns SELECT s.tbl, s.id, m.id FROM ${SNAP}._sync_columns AS s
  JOIN temp._sync_import_tables AS t ON t.old = s.tbl JOIN main._sync_columns AS m ON m.tbl = t.new AND m.name = s.name;
`;

const DROP_MAPS_SQL = 'DROP TABLE IF EXISTS temp._sync_import_sites; DROP TABLE IF EXISTS temp._sync_import_tables; DROP TABLE IF EXISTS temp._sync_import_columns;';

const ROWS_SQL = `INSERT INTO main._sync_rows (born, tbl, pk, cl, hlc, site)
SELECT r.born + @offset, t.new, r.pk, r.cl, r.hlc, s.new FROM ${SNAP}._sync_rows AS r
JOIN temp._sync_import_tables AS t ON t.old = r.tbl JOIN temp._sync_import_sites AS s ON s.old = r.site`;

const CELLS_SQL = `INSERT INTO main._sync_cells (tbl, pk, col, hlc, site, seq)
SELECT t.new, c.pk, m.new, c.hlc, s.new, c.seq + @offset FROM ${SNAP}._sync_cells AS c
JOIN temp._sync_import_tables AS t ON t.old = c.tbl JOIN temp._sync_import_columns AS m ON m.tbl = c.tbl AND m.old = c.col
JOIN temp._sync_import_sites AS s ON s.old = c.site`;

/**
 * Step: the cursors. The snapshot's own cursors stay valid here (its parts
 * keep their order, shifted by `offset`); the sender has everything up to
 * the snapshot's seq.
 */
function copyCursors(db: Database.Database, expected: ExpectedSnapshot, offset: number): void {
  const upsert = (table: string, select: string): string => `INSERT INTO main.${table} (site, seq) ${select} ON CONFLICT (site) DO UPDATE SET seq = max(seq, excluded.seq)`;
  db.prepare(upsert('_sync_peers', `SELECT site, seq FROM ${SNAP}._sync_peers WHERE site <> (SELECT site FROM main._sync_sites WHERE id = 0)`)).run();
  db.prepare(upsert('_sync_pushed', `SELECT site, seq + @offset FROM ${SNAP}._sync_pushed WHERE true`)).run({ offset });
  // Exactly there, whatever the snapshot holds for the sender's own site (a sender keeps no cursor for itself).
  db.prepare('INSERT INTO main._sync_peers (site, seq, mark) VALUES (?, ?, ?) ON CONFLICT (site) DO UPDATE SET seq = excluded.seq, mark = excluded.mark').run(expected.site, expected.seq, expected.mark ?? null);
  db.prepare('INSERT INTO main._sync_pushed (site, seq) VALUES (?, ?) ON CONFLICT (site) DO UPDATE SET seq = excluded.seq').run(expected.site, expected.seq + offset);
}

/**
 * Step (issue 9): the sender's parked rows come along — they are live rows of
 * the replicated state that a constraint keeps out of their table (their
 * clocks were copied with the rest). Each tracked table's parked rows live in
 * `_sync_parked_<table id>`, renumbered like the metadata.
 */
function copyParkedRows(db: Database.Database, tables: readonly TrackedTable[]): void {
  const ids = new Map((db.prepare('SELECT new, old FROM temp._sync_import_tables').safeIntegers(false).all() as { new: number; old: number }[]).map((row) => [row.new, row.old]));
  for (const table of tables) {
    const old = ids.get(table.id);
    const source = `${SNAP}.${quoteIdent(parkedTableName(old ?? -1))}`;
    if (old === undefined || db.prepare(`SELECT 1 FROM ${SNAP}.sqlite_schema WHERE type = 'table' AND name = ?`).get(parkedTableName(old)) === undefined) continue;
    const columns = [...table.columns.map((column) => quoteIdent(column.name)), '_sync_id', '_sync_reason', '_sync_at'].join(', ');
    db.prepare(`INSERT INTO main.${quoteIdent(parkedTableName(table.id))} (${columns}) SELECT ${columns} FROM ${source}`).run();
  }
}

function count(db: Database.Database, sql: string): number {
  return db.prepare(sql).pluck().safeIntegers(false).get() as number; // (issue 9) a number on a safe-integers connection too
}

/**
 * True when a database holds no tracked row, no clock metadata and nothing
 * unfolded in its capture log: nothing a snapshot could overwrite.
 */
export function holdsNoSyncedData(db: Database.Database, tables: readonly TrackedTable[]): boolean {
  const log = count(db, 'SELECT count(*) FROM main._sync_log WHERE seq > (SELECT folded FROM main._sync_state)');
  const metadata = count(db, 'SELECT EXISTS (SELECT 1 FROM main._sync_rows) OR EXISTS (SELECT 1 FROM main._sync_cells)');
  return log === 0 && metadata === 0 && tables.every((table) => count(db, `SELECT EXISTS (SELECT 1 FROM main.${quoteIdent(table.name)})`) === 0);
}

/** Step: refuse a database that already holds tracked rows or their metadata: a snapshot only starts an empty one. */
function checkEmpty(db: Database.Database, tables: readonly TrackedTable[]): void {
  if (!holdsNoSyncedData(db, tables)) throw new SyncError('NOT_EMPTY', 409, 'this database already holds synced rows: a snapshot only starts an empty database; sync page by page instead');
}

/** What a refusal of the snapshot's rows says was undone. */
const UNDONE = 'Nothing of the snapshot was imported';

/**
 * The copy of a table's rows from the snapshot. A row that an app trigger wrote meanwhile (a companion row the
 * copy of another table made, which the snapshot holds too) takes the snapshot's values, as a page's row does
 * (its key's own `ON CONFLICT IGNORE` does not drop the snapshot's); a table of key columns only keeps it.
 */
function copySql(table: TrackedTable): string {
  const columns = table.columns.map((column) => quoteIdent(column.name)).join(', ');
  const keys = table.key.map((column) => quoteIdent(column.name));
  const sets = table.values.map((column) => `${quoteIdent(column.name)} = excluded.${quoteIdent(column.name)}`).join(', ');
  // `WHERE true`: SQLite needs it between a SELECT and ON CONFLICT.
  return `INSERT INTO main.${quoteIdent(table.name)} (${columns}) SELECT ${columns} FROM ${SNAP}.${quoteIdent(table.name)} WHERE true ON CONFLICT (${keys.join(', ')}) ${sets === '' ? 'DO NOTHING' : `DO UPDATE SET ${sets}`}`;
}

/**
 * How many rows of the snapshot's table the table lacks, value for value (storage class and bytes): after a copy
 * that wrote fewer rows than the snapshot holds, the rows an app trigger's RAISE(IGNORE) skipped, unless the row
 * it skipped was there already as the snapshot holds it (a companion row an app trigger wrote alike: lost nothing).
 */
function missingRows(db: Database.Database, table: TrackedTable): number {
  const key = table.key.map((column) => `m.${quoteIdent(column.name)} = s.${quoteIdent(column.name)}`);
  const same = table.columns.map(({ name }) => `m.${quoteIdent(name)} IS s.${quoteIdent(name)} COLLATE BINARY AND typeof(m.${quoteIdent(name)}) = typeof(s.${quoteIdent(name)})`);
  return count(db, `SELECT count(*) FROM ${SNAP}.${quoteIdent(table.name)} AS s WHERE NOT EXISTS (SELECT 1 FROM main.${quoteIdent(table.name)} AS m WHERE ${[...key, ...same].join(' AND ')})`);
}

/**
 * Step: the tracked tables' rows, column by column as named here (a snapshot with another column order still fits).
 * Every row of the snapshot's table is written, inserted or (when an app trigger wrote it already) overwritten: fewer,
 * and an app trigger's RAISE(IGNORE) skipped some, refused unless the table holds each such row as the snapshot does.
 * @throws SyncError `APPLY_REFUSED` (409) when an app trigger refuses them (its RAISE, its RAISE(IGNORE)), as for a page; `SNAPSHOT_MISMATCH` (502) when an expression of the schema fails on their values
 */
function copyTables(db: Database.Database, tables: readonly TrackedTable[]): number {
  let rows = 0;
  for (const table of tables) {
    const write = `copying the rows of ${table.name} from a peer's snapshot`;
    let copied: number;
    try {
      copied = db.prepare(copySql(table)).run().changes;
    } catch (error) {
      const statements = new TableStatements(db, table);
      throw triggerRefusal(error, [statements], write, statements, UNDONE) ?? snapshotExpressionRefusal(error, table.name) ?? error;
    }
    const held = count(db, `SELECT count(*) FROM ${SNAP}.${quoteIdent(table.name)}`);
    const skipped = copied >= held ? 0 : missingRows(db, table);
    if (skipped > 0) throw ignoredWriteRefusal(new TableStatements(db, table), `${write} (${held - skipped} of its ${held} rows written)`, UNDONE);
    rows += held; // every one of them is in the table now
  }
  return rows;
}

/** Step: the clock metadata, renumbered (tables, columns, sites) and shifted past this database's seqs; every part must map. */
function copyMetadata(db: Database.Database, offset: number): void {
  db.exec(MAP_SQL);
  const rows = db.prepare(ROWS_SQL).run({ offset }).changes;
  const cells = db.prepare(CELLS_SQL).run({ offset }).changes;
  if (rows !== count(db, `SELECT count(*) FROM ${SNAP}._sync_rows`) || cells !== count(db, `SELECT count(*) FROM ${SNAP}._sync_cells`)) {
    throw new SyncError('SNAPSHOT_CORRUPT', 502, 'the snapshot’s metadata names tables, columns or sites it does not list');
  }
}

/** Step: the local clock goes past every clock of the snapshot and the local seq past its parts, as a merge does. */
function advanceClock(db: Database.Database, seq: number): void {
  const hlc = Math.max(count(db, 'SELECT coalesce(max(hlc), 0) FROM main._sync_log'), count(db, `SELECT coalesce(max(hlc), 0) FROM ${SNAP}._sync_log`));
  db.prepare("INSERT INTO main._sync_log (seq, tbl, op, pk, cols, hlc) VALUES (?, 0, 0, '', 0, ?)").run(seq, hlc);
  db.prepare('DELETE FROM main._sync_log WHERE seq < ?').run(seq);
  db.prepare('UPDATE main._sync_state SET folded = ? WHERE id = 1').run(seq);
}

/**
 * Starts an empty live database from a peer's snapshot without replacing its
 * file: the snapshot (checked, and of the same tracked schema) is attached
 * read-only and its tracked rows and clocks are copied in one transaction,
 * with the capture triggers set aside, foreign keys deferred and the
 * `applying` flag set (app triggers that skip merges skip it too). The
 * sender's rows keep the sender's site; this database keeps its own site id.
 * Seqs are shifted past this database's own, so peers that pulled from it
 * before lose nothing; the cursors for the sender start at the snapshot's seq.
 * @param file - the snapshot, verified by hash (a temp file, never a live database)
 * @param fingerprint - this database's tracked schema fingerprint
 * @param clocks - this server's wall time and `maxClockSkewMs`: a snapshot holding a clock further ahead is refused
 * Refused while the app holds a transaction open on `db` (the import, and
 * the sender told it has every part, could still roll back with it).
 * @throws SyncError `SNAPSHOT_CORRUPT`, `SNAPSHOT_MISMATCH` (502), `NOT_EMPTY`, `APPLY_REFUSED`, `IN_TRANSACTION` (409), `CLOCK_SKEW` (422); nothing is written then
 */
export function importSnapshot(db: Database.Database, tables: readonly TrackedTable[], file: string, expected: ExpectedSnapshot, fingerprint: string, clocks: SnapshotClockLimit): ImportedSnapshot {
  refuseOpenTransaction(db, 'importing a snapshot');
  checkSnapshotFile(file);
  refuseFutureSnapshotClocks(file, clocks);
  checkSnapshotSchema(file, fingerprint, expected, 'this server’s');
  checkSnapshotEncoding(file, db.pragma('encoding', { simple: true }));
  db.prepare(`ATTACH DATABASE ? AS ${SNAP}`).run(file);
  try {
    return db
      .transaction(() => {
        const offset = new LogFolder(db).fold();
        checkEmpty(db, tables);
        const seq = count(db, `SELECT folded FROM ${SNAP}._sync_state`);
        if (seq !== expected.seq || count(db, `SELECT count(*) FROM ${SNAP}._sync_log WHERE seq > ${seq}`) > 0) throw mismatch(`it holds seq ${seq}, the sender announced ${expected.seq}`);
        db.pragma('defer_foreign_keys = ON');
        // As during a merge: app triggers that skip merges (`WHEN (SELECT applying FROM _sync_state) = 0`) do not run on the copied rows.
        db.prepare('UPDATE main._sync_state SET applying = 1 WHERE id = 1').run();
        for (const table of tables) db.exec(dropTriggersSql(table.id));
        const rows = copyTables(db, tables);
        copyMetadata(db, offset);
        copyParkedRows(db, tables);
        copyCursors(db, expected, offset);
        saveSnapshotSeq(db, expected.seq + offset);
        if (seq > 0) advanceClock(db, offset + seq);
        for (const table of tables) db.exec(createTriggersSql(table));
        db.prepare('UPDATE main._sync_state SET applying = 0 WHERE id = 1').run();
        db.exec(DROP_MAPS_SQL);
        return { rows, seq, localSeq: offset + seq };
      })
      .immediate();
  } finally {
    db.exec(DROP_MAPS_SQL);
    db.prepare(`DETACH DATABASE ${SNAP}`).run();
  }
}
