import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { tempPathFor } from '../files/atomic-file';
import { placeNewFile } from '../files/place-new-file';
import { releaseTempPath, sweepStaleTempFilesOf } from '../files/temp-files';
import {
  checkBackupTarget,
  checkRestoreTarget,
  isFolder,
  makeFolderFor,
  refuseRestoreOntoBackup,
  refuseSideFilesOfNone,
  SQLITE_SIDE_SUFFIXES,
  unwritableTarget,
  writeTarget,
} from './backup-targets';
import { checkBackupFile } from './database-checks';
import { openToRead } from './open-to-read';
import { giveNewSiteId } from './site-identity';
import { lockedOut, refuseIfInUse } from './idle-database';
import { booleanOption, knownOptions } from '../option-checks';
import { SyncError } from '../sync-error';

export { checkBackupTarget, checkRestoreTarget, writeTarget } from './backup-targets';
export { checkBackupFile, checkDatabaseFile } from './database-checks';

/** Progress of a backup: pages copied so far and in all. */
export type BackupProgress = (copiedPages: number, totalPages: number) => void;

/** Options of {@link backupDatabase} and {@link restoreDatabase}. */
export interface CopyOptions {
  /** Replace a database that is at the target (`--force`). @defaultValue false */
  readonly overwrite?: boolean;
  /** Called as pages are copied. */
  readonly onProgress?: BackupProgress;
}

/** The option names of {@link backupDatabase} and {@link restoreDatabase}: a typo (`overwite`) must not answer that the target exists. */
const COPY_OPTIONS: ReadonlySet<string> = new Set(['overwrite', 'onProgress']);

/**
 * Checks the options of a backup or restore.
 * @throws TypeError naming an unknown key, an `overwrite` that is not a boolean or an `onProgress` that is not a function
 */
function checkCopyOptions(options: unknown, factory: string): void {
  knownOptions(options, COPY_OPTIONS, factory);
  const { overwrite, onProgress } = options as CopyOptions;
  booleanOption(overwrite, 'overwrite', false);
  if (onProgress !== undefined && typeof onProgress !== 'function') throw new TypeError(`express-sqlite-sync: \`onProgress\` of ${factory} must be a function (copied, total)`);
}

/** Pages copied per step of an online backup, while the source is not written meanwhile. */
const PAGES_PER_STEP = 256;

/**
 * The step sizes of an online backup: {@link PAGES_PER_STEP} pages at a time,
 * with progress; SQLite starts the copy over when another connection writes
 * to the source, so after two such restarts the rest is copied in one step
 * (one read transaction), which a busy server cannot make start over forever.
 */
export function backupSteps(onProgress: BackupProgress | undefined): (progress: { totalPages: number; remainingPages: number }) => number {
  let lastRemaining = Number.POSITIVE_INFINITY;
  let restarts = 0;
  return ({ totalPages, remainingPages }) => {
    if (remainingPages > lastRemaining) restarts += 1;
    lastRemaining = remainingPages;
    onProgress?.(totalPages - remainingPages, totalPages);
    return restarts >= 2 ? 0x7fffffff : PAGES_PER_STEP;
  };
}

/**
 * Opens a database to read (its caller saw it exists), or says plainly that it is none.
 * @throws SyncError `NOT_A_DATABASE` (400) for a folder or a file SQLite cannot read; `DATABASE_IN_USE` (409) while locked for a write
 */
function openSource(file: string): Database.Database {
  if (isFolder(file)) throw new SyncError('NOT_A_DATABASE', 400, `${file} is a folder, not a database file`); // SQLite says "disk I/O error"
  let db: Database.Database | undefined;
  try {
    db = openToRead(file);
    db.pragma('schema_version');
    return db;
  } catch (error) {
    db?.close();
    throw lockedOut(file, error) ?? new SyncError('NOT_A_DATABASE', 400, `${file} is not a SQLite database SQLite can read: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * Copies a live SQLite database with SQLite's online backup API (through
 * better-sqlite3), never as a file copy, into a temp file that is renamed to
 * `outPath` once complete (a symbolic link there is written through: see `writeTarget`). Safe while the server writes to the database.
 * @throws TypeError for an option it does not know, or of the wrong type
 * @throws SyncError `NOT_FOUND` when the database does not exist, `NOT_A_DATABASE` (400) when it is none, `TARGET_EXISTS` when `outPath` exists and `overwrite` is false, or its `-wal`, `-shm` or `-journal` does beside no database (with `overwrite` they are removed)
 * (`DATABASE_IN_USE` when it is a database another connection has open),
 * `TARGET_INVALID` (400) when `outPath` is a folder, the database itself (by path or hard link) or named as a side file (`-wal`, a super-journal's `-mj…`…: see sideFileNameReason), or its folder cannot be written
 */
export async function backupDatabase(dbPath: string, outLink: string, options: CopyOptions = {}): Promise<{ readonly pages: number }> {
  checkCopyOptions(options, 'backupDatabase');
  if (!existsSync(dbPath)) throw new SyncError('NOT_FOUND', 404, `no database at ${dbPath}`);
  const outPath = writeTarget(outLink); // a symbolic link is written through, never replaced
  checkBackupTarget(dbPath, outPath);
  if (existsSync(outPath) && options.overwrite !== true) throw new SyncError('TARGET_EXISTS', 409, `${outPath} exists; choose another name or pass --force`);
  refuseSideFilesOfNone(outPath, options.overwrite === true);
  if (existsSync(outPath)) refuseIfInUse(outPath); // a server would go on writing into the replaced file
  const source = openSource(dbPath);
  sweepStaleTempFilesOf(outPath); // what an interrupted backup to the same file left
  const temp = tempPathFor(outPath);
  try {
    const { totalPages } = await source.backup(temp, { progress: backupSteps(options.onProgress) });
    options.onProgress?.(totalPages, totalPages); // the last callback comes before the last step
    await putInPlace(temp, outPath, options.overwrite === true, async () => undefined);
    return { pages: totalPages };
  } catch (error) {
    for (const side of ['', '-journal']) await rm(`${temp}${side}`, { force: true });
    throw unwritableTarget(outPath, 'the backup', error) ?? error;
  } finally {
    releaseTempPath(temp);
    source.close();
  }
}

/**
 * Puts a finished copy at `target`. With `overwrite`, a database there is
 * checked again first (a server may have opened it while the copy ran: it
 * would go on writing into the replaced file), then `beforeReplace` runs and
 * the copy is renamed over it. Without, it never replaces a file: see
 * `placeNewFile` (a name taken meanwhile, by another run to the same new
 * path, is `TARGET_EXISTS`; a file system without hard links, a FAT USB
 * stick, takes the copy all the same).
 * @throws SyncError `DATABASE_IN_USE` (409), `TARGET_EXISTS` (409)
 */
async function putInPlace(temp: string, target: string, overwrite: boolean, beforeReplace: () => Promise<void>): Promise<void> {
  if (overwrite) {
    if (existsSync(target)) {
      refuseIfInUse(target);
      await beforeReplace();
    } else {
      for (const side of SQLITE_SIDE_SUFFIXES) await rm(`${target}${side}`, { force: true }); // of no database: SQLite would apply them to the copy
    }
    await rename(temp, target);
    return;
  }
  const taken = (): SyncError => new SyncError('TARGET_EXISTS', 409, `${target} was made by someone else while the copy ran; nothing was replaced: choose another name, or pass --force`);
  await placeNewFile(temp, target, { taken }); // a hard link, or on a file system without them a placeholder renamed over
}

/**
 * Restores a backup into `dbPath` with the online backup API, then gives the
 * restored database a new site id (see `giveNewSiteId`), so a restored copy
 * never shares an identity with the server it was taken from. With
 * `overwrite`, stale `-wal`, `-shm` and `-journal` files of the old database
 * are removed first, once it is settled ({@link settleOldDatabase}): applied to the restored file they would corrupt it.
 * The folder of `dbPath` is created when missing; a symbolic link at `dbPath` is
 * written through (see `writeTarget`), never replaced. Stop the server that uses
 * `dbPath` before restoring.
 * @throws TypeError for an option it does not know, or of the wrong type
 * @throws SyncError `NOT_A_DATABASE` for a damaged or empty backup (see {@link checkBackupFile}), `TARGET_EXISTS` when `dbPath` exists and `overwrite` is false, or its `-wal`, `-shm` or `-journal` does beside no database (with `overwrite` they are removed) (`DATABASE_IN_USE`: another connection has it open),
 * `TARGET_INVALID` (400) for a folder, a side file's name (`-wal`, …), a path under a file, the backup itself, or a folder that cannot be written
 */
export async function restoreDatabase(
  backupPath: string,
  dbLink: string,
  options: CopyOptions = {},
): Promise<{ readonly siteId: { readonly previous: string; readonly current: string } | undefined }> {
  checkCopyOptions(options, 'restoreDatabase');
  checkBackupFile(backupPath);
  checkRestoreTarget(dbLink);
  const dbPath = writeTarget(dbLink); // a symbolic link is written through, never replaced
  if (dbPath !== dbLink) checkRestoreTarget(dbPath);
  if (existsSync(dbPath) && options.overwrite !== true) throw new SyncError('TARGET_EXISTS', 409, `${dbPath} exists; stop its server and pass --force to replace it`);
  refuseRestoreOntoBackup(backupPath, dbPath); // with --force: it would replace the backup by itself
  refuseSideFilesOfNone(dbPath, options.overwrite === true);
  if (existsSync(dbPath)) refuseIfInUse(dbPath);
  makeFolderFor(dbPath, 'the restored database'); // a fresh laptop: after the checks, so a bad backup leaves no folder
  sweepStaleTempFilesOf(dbPath); // what an interrupted restore to the same file left
  const temp = tempPathFor(dbPath);
  try {
    const source = openToRead(backupPath);
    try {
      await source.backup(temp, { progress: backupSteps(options.onProgress) });
    } finally {
      source.close();
    }
    const restored = new Database(temp);
    let siteId: { previous: string; current: string } | undefined;
    try {
      siteId = hasSyncMetadata(restored) ? giveNewSiteId(restored, { pullAgain: false }) : undefined; // a restore goes back in time: its cursors lag, never lead
    } finally {
      restored.close();
    }
    await putInPlace(temp, dbPath, options.overwrite === true, async () => {
      settleOldDatabase(dbPath);
      for (const side of ['-wal', '-shm', '-journal']) await rm(`${dbPath}${side}`, { force: true });
    });
    return { siteId };
  } catch (error) {
    for (const side of ['', '-journal']) await rm(`${temp}${side}`, { force: true });
    throw unwritableTarget(dbPath, 'the restored database', error) ?? error;
  } finally {
    releaseTempPath(temp);
  }
}

/**
 * Brings the database about to be replaced into its own file before its side
 * files are removed: its `-wal` checkpointed (and truncated), a hot
 * `-journal` rolled back. A restore stopped between that removal and the
 * rename then leaves the old database whole, not without the transactions
 * its WAL held. A file SQLite cannot open as a database is left to be replaced.
 */
export function settleOldDatabase(dbPath: string): void {
  if (!existsSync(dbPath) || (!existsSync(`${dbPath}-wal`) && !existsSync(`${dbPath}-journal`))) return;
  try {
    const old = new Database(dbPath, { fileMustExist: true });
    try {
      old.prepare('SELECT count(*) FROM sqlite_master').get(); // a hot journal is rolled back here
      if (old.pragma('journal_mode', { simple: true }) === 'wal') old.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      old.close();
    }
  } catch {
    // not a database SQLite can open: nothing of it to keep
  }
}

function hasSyncMetadata(db: Database.Database): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sync_sites'").get() !== undefined;
}
