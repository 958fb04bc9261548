import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { tempPathFor } from '../files/atomic-file';
import { DATABASE_HEADER_BYTES, DATABASE_SIDE_SUFFIXES, isDatabaseHeader } from '../files/file-policy';
import { giveNewSiteId } from './site-identity';
import { SyncError } from '../sync-error';

function sameFile(a: string, b: string): boolean {
  try {
    const [x, y] = [statSync(a), statSync(b)];
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

function isFolder(file: string): boolean {
  try {
    return statSync(file).isDirectory();
  } catch {
    return false;
  }
}

function isDatabaseFile(file: string): boolean {
  try {
    const header = Buffer.alloc(DATABASE_HEADER_BYTES);
    const fd = openSync(file, 'r');
    try {
      return isDatabaseHeader(header.subarray(0, readSync(fd, header, 0, header.length, 0)));
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
}

/**
 * A backup never replaces the database it copies (a running server would go
 * on writing into the deleted file, and the next start reads a torn one), nor
 * the `-wal`, `-shm`, `-journal` or served-mark file of any database.
 * @throws SyncError `TARGET_INVALID` (400)
 */
export function checkBackupTarget(dbPath: string, outPath: string): void {
  if (isFolder(outPath)) throw new SyncError('TARGET_INVALID', 400, `${outPath} is a folder; name the backup file (e.g. ${path.join(outPath, 'backup.db')})`);
  if (path.resolve(outPath) === path.resolve(dbPath) || sameFile(outPath, dbPath)) {
    throw new SyncError('TARGET_INVALID', 400, `${outPath} is the database being backed up; write the backup to another file`);
  }
  for (const suffix of DATABASE_SIDE_SUFFIXES) {
    if (suffix === '' || !outPath.toLowerCase().endsWith(suffix)) continue;
    const main = outPath.slice(0, outPath.length - suffix.length);
    if (sameFile(main, dbPath) || isDatabaseFile(main)) throw new SyncError('TARGET_INVALID', 400, `${outPath} is the ${suffix} file of the database ${main}; write the backup to another file`);
  }
}

/** Progress of a backup: pages copied so far and in all. */
export type BackupProgress = (copiedPages: number, totalPages: number) => void;

/**
 * Copies a live SQLite database with SQLite's online backup API (through
 * better-sqlite3), never as a file copy, into a temp file that is renamed to
 * `outPath` once complete. Safe while the server writes to the database.
 * @throws SyncError `NOT_FOUND` when the database does not exist, `TARGET_EXISTS` when `outPath` exists and `overwrite` is false,
 * `TARGET_INVALID` (400) when `outPath` is a folder, the database itself (by path or hard link) or the side file of a database
 */
export async function backupDatabase(dbPath: string, outPath: string, options: { readonly overwrite?: boolean; readonly onProgress?: BackupProgress } = {}): Promise<{ readonly pages: number }> {
  if (!existsSync(dbPath)) throw new SyncError('NOT_FOUND', 404, `no database at ${dbPath}`);
  checkBackupTarget(dbPath, outPath);
  if (existsSync(outPath) && options.overwrite !== true) throw new SyncError('TARGET_EXISTS', 409, `${outPath} exists; choose another name or pass --force`);
  const source = new Database(dbPath, { readonly: true, fileMustExist: true });
  const temp = tempPathFor(outPath);
  let pages = 0;
  try {
    await source.backup(temp, {
      progress({ totalPages, remainingPages }) {
        pages = totalPages;
        options.onProgress?.(totalPages - remainingPages, totalPages);
        return 256;
      },
    });
    options.onProgress?.(pages, pages); // the last callback comes before the last step
    await rename(temp, outPath);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  } finally {
    source.close();
  }
  return { pages };
}

/**
 * Checks that a file is a healthy SQLite database.
 * @throws SyncError `NOT_A_DATABASE` when it cannot be opened or fails `PRAGMA integrity_check`
 */
export function checkDatabaseFile(file: string): void {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const result = db.pragma('integrity_check', { simple: true });
    if (result !== 'ok') throw new Error(String(result));
  } catch (error) {
    throw new SyncError('NOT_A_DATABASE', 400, `${file} is not a healthy SQLite database: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    db?.close();
  }
}

/**
 * Restores a backup into `dbPath` with the online backup API, then gives the
 * restored database a new site id (see `giveNewSiteId`), so a restored copy
 * never shares an identity with the server it was taken from. With
 * `overwrite`, stale `-wal`, `-shm` and `-journal` files of the old database
 * are removed first: applied to the restored file they would corrupt it.
 * Stop the server that uses `dbPath` before restoring.
 * @throws SyncError `NOT_A_DATABASE` for a damaged backup, `TARGET_EXISTS` when `dbPath` exists and `overwrite` is false
 */
export async function restoreDatabase(
  backupPath: string,
  dbPath: string,
  options: { readonly overwrite?: boolean; readonly onProgress?: BackupProgress } = {},
): Promise<{ readonly siteId: { readonly previous: string; readonly current: string } | undefined }> {
  checkDatabaseFile(backupPath);
  if (existsSync(dbPath) && options.overwrite !== true) throw new SyncError('TARGET_EXISTS', 409, `${dbPath} exists; stop its server and pass --force to replace it`);
  const temp = tempPathFor(dbPath);
  try {
    const source = new Database(backupPath, { readonly: true, fileMustExist: true });
    try {
      await source.backup(temp, {
        progress({ totalPages, remainingPages }) {
          options.onProgress?.(totalPages - remainingPages, totalPages);
          return 256;
        },
      });
    } finally {
      source.close();
    }
    const restored = new Database(temp);
    let siteId: { previous: string; current: string } | undefined;
    try {
      siteId = hasSyncMetadata(restored) ? giveNewSiteId(restored) : undefined;
    } finally {
      restored.close();
    }
    for (const side of ['-wal', '-shm', '-journal']) await rm(`${dbPath}${side}`, { force: true });
    await rename(temp, dbPath);
    return { siteId };
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

function hasSyncMetadata(db: Database.Database): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sync_sites'").get() !== undefined;
}
