import Database from 'better-sqlite3';
import path from 'node:path';
import { cannotWrite, NOT_WRITABLE_HINT } from './data-folders';

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
      throw new Error(`DATA_DIR=${dataDir} is in use by another running sample app (it holds DATA_DIR/${LOCK_FILE}): give each server its own DATA_DIR (DATA_DIR=./b), or stop the other one first`, { cause: error });
    }
    const denied = cannotWrite(dataDir) ?? cannotWrite(file);
    if (denied !== undefined) throw new Error(`DATA_DIR=${dataDir}: this user cannot write DATA_DIR/${LOCK_FILE} there (${denied}), ${NOT_WRITABLE_HINT}`, { cause: error });
    throw error;
  }
  const held = db;
  return () => held.close();
}
