import { saveSnapshotSeq } from './transport-cursors';
import Database from 'better-sqlite3';
import { refuseFutureSnapshotClocks, type SnapshotClockLimit } from './snapshot-clocks';
import { LogFolder } from './log-folder';
import { checkSnapshotSchema } from './snapshot-schema-check';
import { SyncError } from '../sync-error';

/** What a snapshot's sender announced (and the download verified by hash). */
export interface ExpectedSnapshot {
  /** The sender's site id. */
  readonly site: string;
  /** The sender's seq the snapshot is complete up to. */
  readonly seq: number;
  /** The sender's mark for `seq`, kept with the cursor (none from an older sender). */
  readonly mark?: string;
}

/** What adopting a snapshot made of it. */
export interface AdoptedSnapshot {
  /** The new database's own, new site id. */
  readonly siteId: string;
  /** The sender's site id, now an ordinary peer site in the new database. */
  readonly peerSite: string;
  /** The sender's seq the new database has everything up to (its pull and push cursor for the sender). */
  readonly seq: number;
  /** The tracked tables, as the snapshot's metadata lists them. */
  readonly tables: readonly string[];
}

/** The metadata tables a snapshot must hold (see `META_DDL`). */
const META_TABLES = ['_sync_state', '_sync_sites', '_sync_tables', '_sync_columns', '_sync_log', '_sync_rows', '_sync_cells', '_sync_peers', '_sync_pushed'];

function mismatch(message: string): SyncError {
  return new SyncError('SNAPSHOT_MISMATCH', 502, `the snapshot is not what its sender announced: ${message}`);
}

/**
 * A sender's snapshot holds only its tracked tables (listed in its
 * `_sync_tables`), the metadata and SQLite's own tables, and no view: it
 * drops the rest. Anything else was not made by a sender.
 * @throws Error naming the first object that does not belong
 */
function refuseForeignObjects(db: Database.Database, tables: ReadonlySet<string>): void {
  const tracked = new Set(db.prepare('SELECT name FROM _sync_tables').pluck().all() as string[]);
  const extra = [...tables].find((name) => !tracked.has(name) && !name.startsWith('_sync_') && !name.startsWith('sqlite_'));
  if (extra !== undefined) throw new Error(`it holds a table that is not tracked (${JSON.stringify(extra).slice(0, 100)})`);
  const view = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'view' LIMIT 1").pluck().get() as string | undefined;
  if (view !== undefined) throw new Error(`it holds a view (${JSON.stringify(view).slice(0, 100)}); a sender's snapshot holds none`);
}

/** SQLite's `integrity_check` report (a line per problem, up to 100) as one line: its first three problems, and how many more. */
function integrityInOneLine(report: string): string {
  const lines = report.split('\n').map((line) => line.trim()).filter((line) => line !== '');
  const more = lines.length > 4 ? `; … and ${lines.length - 4} more` : '';
  return `${lines.slice(0, 4).join('; ')}${more}`;
}

/**
 * Checks a snapshot file: a healthy SQLite database (`PRAGMA integrity_check`)
 * holding express-sqlite-sync metadata, its tracked tables and nothing else
 * (no other table, no view), no push cursor past its own seq, no clock
 * row naming a site, table or column it does not list, and no clock, seq or
 * site id a page may not carry.
 * @throws SyncError `SNAPSHOT_CORRUPT` (502) otherwise
 */
export function checkSnapshotFile(file: string): void {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma('cache_size = -65536');
    const result = db.pragma('integrity_check', { simple: true });
    if (result !== 'ok') throw new Error(integrityInOneLine(String(result)));
    const present = new Set(db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all() as string[]);
    const missing = META_TABLES.filter((name) => !present.has(name));
    if (missing.length > 0) throw new Error(`it lacks express-sqlite-sync metadata (${missing.join(', ')})`);
    refuseForeignObjects(db, present);
    refuseCursorsAhead(db);
    refuseUnlistedNames(db);
    refuseUnsendableClocks(db);
  } catch (error) {
    throw new SyncError('SNAPSHOT_CORRUPT', 502, `the snapshot is not a healthy synced SQLite database: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    db?.close();
  }
}

/**
 * Site 0 of a snapshot is its sender. The sender's rows and cells move to a
 * new site number that keeps the sender's id, and site 0 takes a fresh id:
 * the copy's own identity, so the sender's changes stay the sender's.
 */
function remapSenderSite(db: Database.Database, sender: string): string {
  const moved = (db.prepare('SELECT max(id) + 1 FROM _sync_sites').pluck().get() as number | null) ?? 1;
  db.prepare('UPDATE _sync_sites SET site = lower(hex(randomblob(16))) WHERE id = 0').run();
  db.prepare('INSERT INTO _sync_sites (id, site) VALUES (?, ?)').run(moved, sender);
  db.prepare('UPDATE _sync_rows SET site = ? WHERE site = 0').run(moved);
  db.prepare('UPDATE _sync_cells SET site = ? WHERE site = 0').run(moved);
  return db.prepare('SELECT site FROM _sync_sites WHERE id = 0').pluck().get() as string;
}

/**
 * The sender has everything up to `seq`: both cursors for it start there (the pull cursor with the
 * sender's mark), whatever the file holds for the sender's own site (a sender keeps no cursor for itself).
 */
function saveSenderCursors(db: Database.Database, sender: string, seq: number, mark: string | undefined): void {
  db.prepare('INSERT INTO _sync_peers (site, seq, mark) VALUES (?, ?, ?) ON CONFLICT (site) DO UPDATE SET seq = excluded.seq, mark = excluded.mark').run(sender, seq, mark ?? null);
  db.prepare('INSERT INTO _sync_pushed (site, seq) VALUES (?, ?) ON CONFLICT (site) DO UPDATE SET seq = excluded.seq').run(sender, seq);
}

/** The first clock row naming a site, table or column the snapshot does not list: what a reader of its pages cannot map (SQL). */
const UNLISTED_SQL = `SELECT 'a row clock' FROM (SELECT 1 FROM _sync_rows WHERE site NOT IN (SELECT id FROM _sync_sites) OR tbl NOT IN (SELECT id FROM _sync_tables) LIMIT 1)
UNION ALL SELECT 'a cell clock' FROM (SELECT 1 FROM _sync_cells WHERE site NOT IN (SELECT id FROM _sync_sites) OR (tbl, col) NOT IN (SELECT tbl, id FROM _sync_columns) LIMIT 1)
LIMIT 1`;

/** An integer SQL condition on `column`: the value is an INTEGER from `min` to 2^53 - 1, as pages carry clocks and seqs. */
function integerIn(column: string, min: number): string {
  return `(typeof(${column}) = 'integer' AND ${column} >= ${min} AND ${column} <= ${Number.MAX_SAFE_INTEGER})`;
}

/**
 * The first metadata value no page may carry (SQL): a causal length below 1 (one above the wire's bound, stored before
 * it existed, is sent as the bound: `boundedCl`), a clock or seq that is not an integer of
 * 0 to 2^53 - 1, a site id that is not 32 lower-case hex characters, or no state row. A server started from such a
 * file would serve pages its peers refuse on every round.
 */
const UNSENDABLE_SQL = `SELECT 'a row clock' FROM (SELECT 1 FROM _sync_rows WHERE NOT (typeof(cl) = 'integer' AND cl >= 1 AND ${integerIn('hlc', 0)} AND ${integerIn('born', 1)} AND typeof(site) = 'integer') LIMIT 1)
UNION ALL SELECT 'a cell clock' FROM (SELECT 1 FROM _sync_cells WHERE NOT (${integerIn('hlc', 0)} AND ${integerIn('seq', 0)} AND typeof(site) = 'integer' AND typeof(col) = 'integer') LIMIT 1)
UNION ALL SELECT 'a logged write' FROM (SELECT 1 FROM _sync_log WHERE NOT (${integerIn('seq', 0)} AND ${integerIn('hlc', 0)}) LIMIT 1)
UNION ALL SELECT 'a site id' FROM (SELECT 1 FROM _sync_sites WHERE typeof(site) <> 'text' OR length(site) <> 32 OR site GLOB '*[^0-9a-f]*' LIMIT 1)
UNION ALL SELECT 'its state row' WHERE NOT EXISTS (SELECT 1 FROM _sync_state WHERE id = 1 AND ${integerIn('folded', 0)})
LIMIT 1`;

/**
 * Every clock is one a page may carry (see {@link UNSENDABLE_SQL}).
 * @throws Error naming the first kind of value that is not
 */
function refuseUnsendableClocks(db: Database.Database): void {
  const bad = db.prepare(UNSENDABLE_SQL).pluck().get() as string | undefined;
  if (bad !== undefined) throw new Error(`its metadata holds ${bad} no page may carry (a causal length below 1, a clock that is not an integer of 0 to 2^53 - 1, a site id that is not 32 hex characters, or no state)`);
}

/**
 * Every clock row names a site, table and column the snapshot lists: a server started from it must map each one when it serves a page.
 * @throws Error naming the first kind of row that does not
 */
function refuseUnlistedNames(db: Database.Database): void {
  const unlisted = db.prepare(UNLISTED_SQL).pluck().get() as string | undefined;
  if (unlisted !== undefined) throw new Error(`its metadata names a site, table or column it does not list (${unlisted})`);
}

/**
 * A push cursor is a seq of the sender's own that a peer has: never past its last one.
 * @throws Error naming the first cursor that is
 */
function refuseCursorsAhead(db: Database.Database): void {
  const last = db.prepare('SELECT max((SELECT folded FROM _sync_state WHERE id = 1), (SELECT coalesce(max(seq), 0) FROM _sync_log))').pluck().get() as number;
  const ahead = db.prepare('SELECT site, seq FROM _sync_pushed WHERE seq > ? ORDER BY seq DESC LIMIT 1').get(last) as { site: unknown; seq: unknown } | undefined;
  if (ahead !== undefined) throw new Error(`its push cursor for site ${JSON.stringify(ahead.site).slice(0, 40)} is at seq ${String(ahead.seq)}, past its own seq ${last}`);
}

/**
 * Makes a downloaded snapshot file a database of its own, in place (the file
 * is still a temp file, never a live database, so it is rewritten without a
 * journal and synced once at the end; on failure the caller removes it): checks it, folds what its
 * log still holds as the sender's own writes, gives it a new site id while
 * keeping the sender's clocks, and starts the cursors for the sender at the
 * snapshot's seq. The pull and push cursors the sender kept for its own
 * peers stay valid: the copy has every part the sender had, under the same
 * seqs.
 * @param schema - the tracked schema the sender announced (its `/data/info` fingerprint), and whose it is for the message: a
 * snapshot of another one is refused before it is touched (a database that never syncs with its sender would be put in place)
 * @param clocks - the joiner's wall time and `maxClockSkewMs`: a snapshot holding a clock further ahead is refused @defaultValue no check
 * @throws SyncError `SNAPSHOT_CORRUPT` for a damaged file, `SNAPSHOT_MISMATCH` when it is not the announced sender's, seq or schema, `CLOCK_SKEW` (422)
 */
export function adoptSnapshotFile(file: string, expected: ExpectedSnapshot, schema?: { readonly fingerprint: string; readonly against: string }, clocks?: SnapshotClockLimit): AdoptedSnapshot {
  checkSnapshotFile(file);
  if (clocks !== undefined) refuseFutureSnapshotClocks(file, clocks);
  if (schema !== undefined) checkSnapshotSchema(file, schema.fingerprint, expected, schema.against);
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('foreign_keys = OFF');
    // Still a temp file, removed by the caller on any failure: no journal to write (the remap
    // rewrites every clock row), and one fsync when it is complete (see `closeDurably`).
    db.pragma('journal_mode = OFF');
    db.pragma('synchronous = OFF');
    db.pragma('cache_size = -65536');
    const adopted = db
      .transaction(() => {
        const sender = db.prepare('SELECT site FROM _sync_sites WHERE id = 0').pluck().get() as string | undefined;
        if (sender !== expected.site) throw mismatch(`its site is ${sender ?? 'missing'}, the sender's is ${expected.site}`);
        const seq = new LogFolder(db).fold();
        if (seq !== expected.seq) throw mismatch(`it holds seq ${seq}, the sender announced ${expected.seq}`);
        db.prepare('UPDATE _sync_state SET applying = 0 WHERE id = 1').run();
        const siteId = remapSenderSite(db, sender);
        saveSenderCursors(db, sender, seq, expected.mark);
        // The sender's file identity came along: the new database records its own at its first start.
        if (db.prepare("SELECT 1 FROM pragma_table_info('_sync_state') WHERE name = 'file_id'").get() !== undefined) db.prepare('UPDATE _sync_state SET file_id = NULL WHERE id = 1').run();
        saveSnapshotSeq(db, seq);
        // (issue 9) The marks record the sender's history of pages served; the copy starts its own.
        if (db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = '_sync_marks'").get() !== undefined) db.prepare('DELETE FROM _sync_marks').run();
        const tables = db.prepare('SELECT name FROM _sync_tables ORDER BY id').pluck().all() as string[];
        return { siteId, peerSite: sender, seq, tables };
      })
      .immediate();
    db.pragma('journal_mode = DELETE');
    db.pragma('synchronous = FULL');
    db.prepare('UPDATE _sync_state SET applying = applying WHERE id = 1').run(); // one synchronous commit: the file is on disk
    return adopted;
  } finally {
    db.close();
  }
}
