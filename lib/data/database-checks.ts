import { existsSync, statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { isFolder } from './backup-targets';
import { lockedOut } from './idle-database';
import { openToRead } from './open-to-read';
import { SyncError } from '../sync-error';

/*
 * Whether a file is a database to trust: a healthy SQLite database, or a
 * backup worth restoring (restoreDatabase and the `restore` command ask).
 */

/**
 * Checks that a file is a healthy SQLite database.
 * @throws SyncError `NOT_FOUND` (404) when nothing is there; `NOT_A_DATABASE` when it cannot be opened or fails `PRAGMA integrity_check`; `DATABASE_IN_USE` (409) while locked for a write
 */
export function checkDatabaseFile(file: string): void {
  if (!existsSync(file)) throw new SyncError('NOT_FOUND', 404, `no database at ${file}`);
  if (isFolder(file)) throw new SyncError('NOT_A_DATABASE', 400, `${file} is a folder, not a database file`); // SQLite says "disk I/O error"
  let db: Database.Database | undefined;
  try {
    db = openToRead(file);
    const result = db.pragma('integrity_check', { simple: true });
    if (result !== 'ok') throw new Error(String(result));
  } catch (error) {
    throw lockedOut(file, error) ?? new SyncError('NOT_A_DATABASE', 400, `${file} is not a healthy SQLite database: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    db?.close();
  }
}

/**
 * Checks that a file is a backup to restore: a healthy database
 * ({@link checkDatabaseFile}) that is not empty. SQLite takes an empty file
 * for an empty database, but no backup is one (`backupDatabase` writes at
 * least its first page, even of an empty database): an empty file is a copy
 * that never was, such as the one a power cut can leave where a backup to a
 * file system without hard links held its name (see `placeNewFile`).
 * Restored, it would be an empty database, said to be restored.
 * @throws SyncError as {@link checkDatabaseFile} does; `NOT_A_DATABASE` (400) for an empty file
 */
export function checkBackupFile(file: string): void {
  checkDatabaseFile(file);
  if (statSync(file).size === 0) {
    throw new SyncError('NOT_A_DATABASE', 400, `${file} is empty (0 bytes), and no backup is (a backup of an empty database holds a page): a copy stopped before its bytes were written leaves such a file; restore from another backup`);
  }
}
