import Database from 'better-sqlite3';
import { describeSchema } from './schema-fingerprint';
import type { ExpectedSnapshot } from './snapshot-adopt';
import { inspectTable } from './table-schema';
import { SyncError } from '../sync-error';

function mismatch(message: string): SyncError {
  return new SyncError('SNAPSHOT_MISMATCH', 502, `the snapshot does not fit: ${message}`);
}

/**
 * Reads a snapshot file's sender and tracked schema (through its own
 * read-only connection) and checks both against what is expected: every
 * table its metadata tracks must be there, as capture would take it, with
 * the schema fingerprint given — this server's, for an import into its
 * database; the one its sender announced in `/data/info`, for a join (a
 * database of another schema would be put in place, never to sync with it).
 * @param against - whose fingerprint it is, for the message (`this server's`)
 * @throws SyncError `SNAPSHOT_MISMATCH` (502) when the sender or the tracked schema differs
 */
export function checkSnapshotSchema(file: string, fingerprint: string, expected: ExpectedSnapshot, against: string): void {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const sender = db.prepare('SELECT site FROM _sync_sites WHERE id = 0').pluck().get() as string | undefined;
    if (sender !== expected.site) throw mismatch(`its site is ${sender ?? 'missing'}, the sender's is ${expected.site}`);
    const names = db.prepare('SELECT name FROM _sync_tables ORDER BY name').pluck().all() as string[];
    let theirs: string;
    try {
      theirs = describeSchema(names.map((name) => inspectTable(db, name))).fingerprint;
    } catch (error) {
      throw mismatch(`its tracked tables cannot be synced: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (theirs !== fingerprint) throw mismatch(`its tracked tables differ from ${against} (SCHEMA_MISMATCH); migrate both to the same schema`);
  } finally {
    db.close();
  }
}

/**
 * Refuses a snapshot of another text encoding (`PRAGMA encoding`: a UTF-8 sender and a UTF-16 server importing it):
 * SQLite attaches no database of another encoding than the main one, so the import failed with SQLite's own error,
 * which a join took for a failed download and tried again the next round before it paged.
 * @param encoding - the importing database's encoding
 * @throws SyncError `SNAPSHOT_MISMATCH` (502) when they differ
 */
export function checkSnapshotEncoding(file: string, encoding: unknown): void {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  let theirs: unknown;
  try {
    theirs = db.pragma('encoding', { simple: true });
  } finally {
    db.close();
  }
  if (theirs === encoding) return;
  throw new SyncError(
    'SNAPSHOT_MISMATCH',
    502,
    `the snapshot does not fit this database: its text encoding is ${String(theirs)}, this database's ${String(encoding)} (PRAGMA encoding), and SQLite copies rows only between databases of one encoding; sync from this peer page by page (a join does so by itself)`,
  );
}
