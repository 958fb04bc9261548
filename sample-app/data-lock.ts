import Database from 'better-sqlite3';
import path from 'node:path';
import { cannotWrite, NOT_WRITABLE_HINT } from './data-folders';

/** Thrown when another running sample app holds the data folder's lock. */
export class DataDirInUseError extends Error {
  override name = 'DataDirInUseError';
}

/** The file a running sample app keeps locked in its data folder (outside every sync root: never synced). */
export const LOCK_FILE = '.sample-app.lock';

/**
 * Takes the data folder for this process: SQLite's exclusive lock on a small
 * file in it, held until the returned release is called. The system drops
 * the lock when the process ends, so a crash or `kill -9` leaves nothing
 * stale behind. A second sample app on the same `DATA_DIR` would share the
 * database, its site id and the sync state: every peer of both would see
 * one site at two URLs.
 * @returns the release (closes the lock; the file stays, for the next start)
 * @throws Error naming `DATA_DIR` when another running sample app holds it, or when this user cannot write there
 */
export function lockDataDir(dataDir: string): () => void {
  const file = path.join(dataDir, LOCK_FILE);
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { timeout: 0 });
    db.pragma('locking_mode = EXCLUSIVE'); // the lock taken by the write below is held until close
    db.pragma('journal_mode = MEMORY'); // no journal file beside it (asked for OFF, this build keeps `delete`)
    db.pragma(`user_version = ${process.pid}`);
  } catch (error) {
    db?.close();
    const code = (error as { code?: unknown }).code;
    if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') {
      throw new DataDirInUseError(`DATA_DIR=${dataDir} is in use by another running sample app (it holds DATA_DIR/${LOCK_FILE}): give each server its own DATA_DIR (DATA_DIR=./b), or stop the other one first`, { cause: error });
    }
    const denied = cannotWrite(dataDir) ?? cannotWrite(file);
    if (denied !== undefined) throw new Error(`DATA_DIR=${dataDir}: this user cannot write DATA_DIR/${LOCK_FILE} there (${denied}), ${NOT_WRITABLE_HINT}`, { cause: error });
    throw error;
  }
  const held = db;
  return () => held.close();
}

/**
 * Refuses a data folder another running sample app holds, as {@link lockDataDir} would, without keeping the lock:
 * a start checks it before it writes a file of its own there (a new `.sync-token`), so a start the lock refuses
 * leaves nothing in the running app's folder. Any other failure to lock is left to {@link lockDataDir}, which
 * reports it at its turn.
 * @throws DataDirInUseError when another running sample app holds `dataDir`
 */
export function refuseDataDirInUse(dataDir: string): void {
  let release: () => void;
  try {
    release = lockDataDir(dataDir);
  } catch (error) {
    if (error instanceof DataDirInUseError) throw error;
    return;
  }
  release();
}
