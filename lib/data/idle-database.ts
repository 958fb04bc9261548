import Database from 'better-sqlite3';
import { SyncError } from '../sync-error';
import { openByAnotherProcess } from './open-elsewhere';

/** `DATABASE_IN_USE` for `file`. */
function inUse(file: string): SyncError {
  return new SyncError(
    'DATABASE_IN_USE',
    409,
    `${file} is open in another process (a running server?). Stop the server that uses it first: a running server keeps the identity it read at start and would go on syncing under it`,
  );
}

/**
 * Runs `work` on the database at `file` with no other connection to it: a
 * WAL database cannot leave WAL mode while another connection has it open,
 * so switching to DELETE mode (and back afterwards) both proves and keeps
 * it idle. A database in rollback-journal mode shows no idle readers; for
 * it, only a write lock is taken.
 * @throws SyncError `DATABASE_IN_USE` (409) when another connection has it open
 */
export function withIdleDatabase<T>(file: string, work: (db: Database.Database) => T): T {
  if (openByAnotherProcess(file) === true) throw inUse(file);
  let db: Database.Database;
  try {
    db = new Database(file, { fileMustExist: true, timeout: 0 });
  } catch {
    throw new SyncError('NOT_FOUND', 404, `no database at ${file}`);
  }
  try {
    const wal = db.pragma('journal_mode', { simple: true }) === 'wal';
    try {
      if (wal) db.pragma('journal_mode = DELETE');
      else db.exec('BEGIN EXCLUSIVE; COMMIT');
    } catch (error) {
      if ((error as { code?: unknown }).code === 'SQLITE_BUSY') throw inUse(file);
      throw error;
    }
    try {
      return work(db);
    } finally {
      if (wal) db.pragma('journal_mode = WAL');
    }
  } finally {
    db.close();
  }
}

/**
 * Refuses to replace a database another process has open; a target that is no database at all is simply replaced.
 * @throws SyncError `DATABASE_IN_USE` (409)
 */
export function refuseIfInUse(file: string): void {
  if (openByAnotherProcess(file) === true) throw inUse(file);
  try {
    withIdleDatabase(file, () => undefined);
  } catch (error) {
    if (error instanceof SyncError && error.code === 'DATABASE_IN_USE') throw error;
  }
}

/**
 * `DATABASE_IN_USE` for a database SQLite could not read because another
 * connection holds it locked (`SQLITE_BUSY`, past the busy timeout: a server
 * writing in rollback-journal mode keeps readers out until it commits);
 * undefined for any other error. A locked database is not a damaged one.
 */
export function lockedOut(file: string, error: unknown): SyncError | undefined {
  const { code } = error as { code?: unknown };
  if (code !== 'SQLITE_BUSY' && code !== 'SQLITE_LOCKED') return undefined;
  return new SyncError('DATABASE_IN_USE', 409, `${file} is locked by another connection in the middle of a write (a running server?) and could not be read; try again once it has committed (a database in WAL mode is never locked for readers)`);
}
