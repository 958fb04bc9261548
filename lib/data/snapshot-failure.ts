import { SyncError } from '../sync-error';

/** Codes of a write the disk refused for room: full, a quota, a file size limit (SQLite reports EFBIG as SQLITE_IOERR_WRITE). */
const NO_ROOM = /^(ENOSPC|EDQUOT|EFBIG|SQLITE_FULL|SQLITE_IOERR_(WRITE|TRUNCATE|FSYNC))$/;

/** Codes of a file the server may not open or write: permissions, a read-only disk (the database's or the temp folder's). */
const NOT_ALLOWED = /^(EACCES|EPERM|EROFS|SQLITE_CANTOPEN|SQLITE_READONLY(_\w+)?)$/;

/** The `code` of an error, when it has a string one. */
function codeOf(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/**
 * The answer for a snapshot that could not be built, by its cause (kept for
 * the log): 507 when a write found no room (a full disk, a file size limit)
 * or a file could not be opened or written (permissions, a read-only disk), 503 when the database was
 * locked past the busy timeout, 500 for anything else. The code stays
 * `SNAPSHOT_FAILED` in every case: a joining server then syncs page by page.
 */
export function snapshotFailure(error: unknown): SyncError {
  const code = codeOf(error);
  const instead = 'A server joining by sync (joinBySnapshot) pulls page by page instead';
  if (code !== undefined && NO_ROOM.test(code)) {
    return new SyncError(
      'SNAPSHOT_FAILED',
      507,
      `the snapshot could not be built: this server's temp folder refused the write (${code}: a full disk, a file size limit or a read-only folder); its operator must free space there or point TMPDIR at a folder with room. ${instead}`,
      { cause: error },
    );
  }
  if (code !== undefined && NOT_ALLOWED.test(code)) {
    return new SyncError(
      'SNAPSHOT_FAILED',
      507,
      `the snapshot could not be built: this server may not open or write a file it needs (${code}: its database, or its temp folder TMPDIR, is not readable or writable by its user, or on a read-only disk); its operator must fix their permissions or point TMPDIR elsewhere. ${instead}`,
      { cause: error },
    );
  }
  if (code !== undefined && /^SQLITE_(BUSY|LOCKED)(_|$)/.test(code)) {
    return new SyncError('SNAPSHOT_FAILED', 503, `the snapshot could not be built: the database was locked past the busy timeout (${code}); try again later`, { cause: error });
  }
  return new SyncError('SNAPSHOT_FAILED', 500, "the snapshot could not be built (the detail is in this server's log)", { cause: error });
}

/** An error a snapshot worker posted back (`message`, and `code` when it had one), as an Error with that code. */
export function workerError(message: string | undefined, code: string | undefined): Error {
  const error = new Error(message ?? 'the snapshot worker failed') as Error & { code?: string };
  if (code !== undefined) error.code = code;
  return error;
}
