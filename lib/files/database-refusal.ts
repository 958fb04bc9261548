import { SyncError } from '../sync-error';

const WHY = 'databases sync as data, never as files';

/**
 * The refusal of a path named like a database (`DB_FILE_REFUSED`, 403): the
 * one wording every route, the guard and the sync client use.
 */
export function databaseNameRefused(clientPath: string): SyncError {
  return new SyncError('DB_FILE_REFUSED', 403, `${clientPath} is an SQLite database file name; ${WHY}`);
}

/**
 * The refusal of a file that is a database by its content or as the
 * `-wal`/`-shm`/`-journal`/`-syncmark` of one (`DB_CONTENT_REFUSED`, 403 by default,
 * 409 where a sync step met it on disk).
 */
export function databaseContentRefused(clientPath: string, status = 403): SyncError {
  return new SyncError('DB_CONTENT_REFUSED', status, `${clientPath} is an SQLite database by its content (or the -wal/-shm/-journal/-syncmark of one); ${WHY}, and a database on disk is never replaced or deleted`);
}

/** A peer sent database bytes for a file (`PEER_SENT_DATABASE`, 502): nothing is written. */
export function peerSentDatabase(clientPath: string): SyncError {
  return new SyncError('PEER_SENT_DATABASE', 502, `the peer sent SQLite database content for ${clientPath}; refused, nothing written`);
}
