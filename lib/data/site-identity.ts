import Database from 'better-sqlite3';
import { clearPushCursors } from './peer-cursors';
import { SyncError } from '../sync-error';

/**
 * Gives a database a new random site id, for a database that was copied
 * from another server (two servers must never share one: each would take the
 * other's changes for its own and never send them). Every change this
 * database made is attributed to the new id, and the push cursors are reset,
 * so peers receive its rows again under the new id; applying is idempotent,
 * so that costs one full exchange and loses nothing. Run it with the server
 * stopped.
 * @returns the old and the new site id
 * @throws SyncError `NOT_SYNCED` when the database has no sync metadata
 */
export function giveNewSiteId(db: Database.Database): { readonly previous: string; readonly current: string } {
  const hasSites = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sync_sites'").get() !== undefined;
  if (!hasSites) throw new SyncError('NOT_SYNCED', 400, 'this database has no express-sqlite-sync metadata (no _sync_sites table): nothing to re-identify');
  return db
    .transaction(() => {
      const previous = db.prepare('SELECT site FROM _sync_sites WHERE id = 0').pluck().get() as string;
      db.prepare('UPDATE _sync_sites SET site = lower(hex(randomblob(16))) WHERE id = 0').run();
      const current = db.prepare('SELECT site FROM _sync_sites WHERE id = 0').pluck().get() as string;
      clearPushCursors(db);
      return { previous, current };
    })
    .immediate();
}

/**
 * Opens a database file, gives it a new site id, and closes it.
 * @throws SyncError `NOT_FOUND` for a missing file, `NOT_SYNCED` without sync metadata
 */
export function giveNewSiteIdToFile(file: string): { readonly previous: string; readonly current: string } {
  let db: Database.Database;
  try {
    db = new Database(file, { fileMustExist: true });
  } catch {
    throw new SyncError('NOT_FOUND', 404, `no database at ${file}`);
  }
  try {
    return giveNewSiteId(db);
  } finally {
    db.close();
  }
}
