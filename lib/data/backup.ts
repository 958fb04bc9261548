import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { tempPathFor } from '../files/atomic-file';
import { giveNewSiteId } from './site-identity';
import { SyncError } from '../sync-error';

/** Progress of a backup: pages copied so far and in all. */
export type BackupProgress = (copiedPages: number, totalPages: number) => void;

/**
 * Copies a live SQLite database with SQLite's online backup API (through
 * better-sqlite3), never as a file copy, into a temp file that is renamed to
 * `outPath` once complete. Safe while the server writes to the database.
 * @throws SyncError `NOT_FOUND` when the database does not exist, `TARGET_EXISTS` when `outPath` exists and `overwrite` is false
 */
export async function backupDatabase(dbPath: string, outPath: string, options: { readonly overwrite?: boolean; readonly onProgress?: BackupProgress } = {}): Promise<{ readonly pages: number }> {
  if (!existsSync(dbPath)) throw new SyncError('NOT_FOUND', 404, `no database at ${dbPath}`);
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
