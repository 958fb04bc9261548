import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { CONFLICTS_VIEW } from './conflicts-view';
import { LogFolder } from './log-folder';
import { foldName, METADATA_TABLE, quoteIdent } from './sql-names';

/** What the snapshot of a database holds, as its sender announces it. */
export interface SnapshotFacts {
  /** The sender's site id (site 0 of the snapshot). */
  readonly site: string;
  /** The sender's seq the snapshot is complete up to: a puller's cursor after adopting it. */
  readonly seq: number;
  /** Size of the file, in bytes. */
  readonly bytes: number;
  /** SHA-256 of the file, lowercase hex. */
  readonly sha256: string;
  /**
   * The sender's mark for `seq` (docs/PROTOCOL.md, "Identity"), recorded in its
   * live database once the snapshot is built: the joiner keeps it with its
   * cursor, so a sender later put back to an older copy is found out.
   */
  readonly mark?: string;
}

/** A snapshot to build: copy `source` (a database file) into `target`, keeping only `tables` and the sync metadata. */
export interface SnapshotJob {
  /** The database file to copy (read through its own read-only connection). */
  readonly source: string;
  /** Where the snapshot goes (must not exist). */
  readonly target: string;
  /** The tracked tables: every other table of the app is left out. */
  readonly tables: readonly string[];
}


/** True for the tables a snapshot keeps: the tracked ones, the sync metadata and SQLite's own. */
function keeps(name: string, tracked: ReadonlySet<string>): boolean {
  return tracked.has(name) || METADATA_TABLE.test(name) || name.toLowerCase().startsWith('sqlite_');
}

/** Characters an unquoted SQLite identifier holds: ASCII letters, digits, `_`, `$`, and every non-ASCII character. */
const IDENTIFIER_CHARACTER = 'A-Za-z0-9_$\\u{80}-\\u{10ffff}';

/**
 * Drops the app's triggers (on the tables kept) that name a table left out —
 * as an FTS index kept up to date by triggers does: on a server started from
 * the snapshot, every write to their table would fail. Names are matched as
 * whole identifiers (a non-ASCII letter is part of one), as SQLite matches
 * them: ASCII case folded only ("Équipe" and "équipe" are two tables); the
 * sync's own triggers are kept.
 * @returns how many were dropped
 */
function dropTriggersNaming(db: Database.Database, gone: readonly string[]): number {
  if (gone.length === 0) return 0;
  const patterns = gone.map((name) => new RegExp(`(^|[^${IDENTIFIER_CHARACTER}])${foldName(name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^${IDENTIFIER_CHARACTER}])`, 'u'));
  const triggers = db.prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'trigger'").all() as { name: string; sql: string | null }[];
  const naming = triggers.filter(({ name, sql }) => !name.startsWith('_sync_') && sql !== null && patterns.some((pattern) => pattern.test(foldName(sql))));
  for (const { name } of naming) db.exec(`DROP TRIGGER ${quoteIdent(name)}`);
  return naming.length;
}

/**
 * Drops the virtual tables (FTS, R*Tree…) first: dropping one drops its
 * shadow tables, which SQLite refuses to drop on their own.
 * @returns how many were dropped
 */
function dropVirtualTables(db: Database.Database, tracked: ReadonlySet<string>): number {
  const names = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'").pluck().all() as string[];
  const dropped = names.filter((name) => !keeps(name, tracked));
  for (const name of dropped) {
    try {
      db.exec(`DROP TABLE ${quoteIdent(name)}`);
    } catch (error) {
      throw new Error(`the virtual table ${name} could not be left out of the snapshot (${error instanceof Error ? error.message : String(error)}); load its module on this server or drop it`, { cause: error });
    }
  }
  return dropped.length;
}

/** Step 1: a consistent, compacted copy (no free pages, no deleted residue), through SQLite's `VACUUM INTO`. */
function vacuumInto(source: string, target: string): void {
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    db.prepare('VACUUM INTO ?').run(target);
  } finally {
    db.close();
  }
}

/**
 * Step 2, in the copy: drops the tables that do not sync (an app's local
 * tables never leave the server; `secure_delete` zeroes their pages) with
 * their triggers, and every view (views are the app's to create; one may read
 * a table that does not sync), folds the capture log (so the snapshot's seq
 * is exact), then, when anything of the app's was dropped (not just the
 * `_sync_conflicts` view, which every tracked database holds), rebuilds the file with `VACUUM`
 * so no freed page keeps a word of it, and leaves it in rollback-journal mode
 * so it is one self-contained file.
 */
function trimCopy(target: string, tables: readonly string[]): { site: string; seq: number } {
  const tracked = new Set(tables);
  const db = new Database(target, { fileMustExist: true });
  try {
    db.pragma('foreign_keys = OFF');
    db.pragma('secure_delete = ON');
    const facts = db
      .transaction(() => {
        const before = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all() as string[];
        const virtual = dropVirtualTables(db, tracked);
        const names = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all() as string[];
        const dropped = names.filter((name) => !keeps(name, tracked));
        for (const name of dropped) db.exec(`DROP TABLE ${quoteIdent(name)}`);
        const views = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'view'").pluck().all() as string[];
        for (const name of views) db.exec(`DROP VIEW ${quoteIdent(name)}`);
        const gone = before.filter((name) => !keeps(name, tracked));
        const triggers = dropTriggersNaming(db, gone);
        const seq = new LogFolder(db).fold();
        const site = db.prepare('SELECT site FROM _sync_sites WHERE id = 0').pluck().get() as string;
        const appViews = views.filter((name) => name !== CONFLICTS_VIEW).length; // ours holds no words of the app's: no VACUUM for it
        return { site, seq, dropped: virtual + dropped.length + appViews + triggers };
      })
      .immediate();
    db.pragma('journal_mode = DELETE');
    if (facts.dropped > 0) db.exec('VACUUM');
    return { site: facts.site, seq: facts.seq };
  } finally {
    db.close();
  }
}

/** SHA-256 and size of a file, streamed. */
export async function hashFile(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return { sha256: hash.digest('hex'), bytes: (await stat(file)).size };
}

/**
 * Builds a snapshot file: `VACUUM INTO` a new file, drop what does not sync,
 * fold, hash. Runs in a worker thread (see `snapshot-worker.ts`), so the
 * server keeps answering while it works; callable directly too.
 */
export async function buildSnapshotFile(job: SnapshotJob): Promise<SnapshotFacts> {
  vacuumInto(job.source, job.target);
  const { site, seq } = trimCopy(job.target, job.tables);
  const { sha256, bytes } = await hashFile(job.target);
  return { site, seq, bytes, sha256 };
}
