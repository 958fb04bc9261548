import { SyncError } from '../sync-error';

/** File-system codes of a write the temp folder's disk or permissions refused. */
const STORAGE_ERRNO = new Set(['ENOSPC', 'EDQUOT', 'EFBIG', 'EROFS', 'EACCES', 'EPERM']);

/** SQLite codes of a write its file system refused: full, a size limit, read-only, not creatable. */
const STORAGE_SQLITE = /^SQLITE_(FULL|IOERR_WRITE|IOERR_TRUNCATE|IOERR_FSYNC|CANTOPEN|READONLY)(_|$)/;

/** The `code` of an error, when it has a string one. */
function codeOf(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

/**
 * The answer for a snapshot that could not be built, by its cause (kept for
 * the log): 507 when this server's temp folder refused the write (a full
 * disk, a file size limit, a read-only folder), 503 when the database was
 * locked past the busy timeout, 500 for anything else. The code stays
 * `SNAPSHOT_FAILED` in every case: a joining server then syncs page by page.
 */
export function snapshotFailure(error: unknown): SyncError {
  const code = codeOf(error);
  if (code !== undefined && (STORAGE_ERRNO.has(code) || STORAGE_SQLITE.test(code))) {
    return new SyncError(
      'SNAPSHOT_FAILED',
      507,
      `the snapshot could not be built: this server's temp folder refused the write (${code}: a full disk, a file size limit or a read-only folder); its operator must free space there or point TMPDIR at a folder with room. A server joining by sync (joinBySnapshot) pulls page by page instead`,
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
