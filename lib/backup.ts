import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { tempPathFor } from './atomic-file';
import { SyncError } from './sync-error';

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
