import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { withIdleDatabase } from './idle-database';
import { fileIdentity, recordFileIdentity } from './file-identity';
import { clearPullCursors, clearPushCursors } from './peer-cursors';
import { numbers } from './prepared';
import { SyncError } from '../sync-error';

/**
 * A new random site id greater than `previous`: the same change can then be
 * held under both ids on other servers (sent before and after), and the copy
 * sent under the new id wins the tie, so it is forwarded to every server,
 * the one that kept the old id included.
 */
export function greaterSiteId(previous: string): string {
  const max = (1n << 128n) - 1n;
  const current = /^[0-9a-f]{32}$/.test(previous) ? BigInt(`0x${previous}`) : 0n;
  if (current === max) return randomBytes(16).toString('hex');
  const step = (BigInt(`0x${randomBytes(16).toString('hex')}`) % (max - current)) + 1n;
  return (current + step).toString(16).padStart(32, '0');
}

/**
 * Keeps a cell's clock newer than its row's birth once this site's births
 * carry the new id: a cell clock at the birth's hlc from a site between the
 * old id and the new one (a copy's copy, whose rows won the tie here) would
 * now be older than the birth, and every peer would refuse the row
 * (`INVALID_CHANGESET`). Such a clock is dropped: the cell's value, unchanged,
 * is then the birth's, under the new id, which every peer takes.
 */
function dropCellClocksBelowBirths(db: Database.Database, current: string): void {
  numbers(
    db,
    `DELETE FROM _sync_cells WHERE EXISTS (SELECT 1 FROM _sync_rows AS r WHERE r.tbl = _sync_cells.tbl AND r.pk = _sync_cells.pk AND r.site = 0
       AND (_sync_cells.hlc < r.hlc OR (_sync_cells.hlc = r.hlc AND (SELECT site FROM _sync_sites WHERE id = _sync_cells.site) < ?)))`,
  ).run(current);
}

/**
 * Gives a database a new random site id, for a database that was copied
 * from another server (two servers must never share one: each would take the
 * other's changes for its own and never send them). Every change this
 * database made is attributed to the new id, and the push and pull cursors
 * are reset: peers receive its rows again under the new id, and it pulls
 * every peer from the start again, so the changes it passed over as its own
 * under the old id (a copy's, written under that id) reach it too; applying
 * is idempotent, so that costs one full exchange each way and loses nothing. The new id is greater
 * than the old one (see {@link greaterSiteId}); the marks of the old history
 * are forgotten. Run it with the server stopped (a running tracker does it by
 * itself when it finds its history differs from what a peer holds).
 * @returns the old and the new site id
 * @throws SyncError `NOT_SYNCED` when the database has no sync metadata
 */
export function giveNewSiteId(db: Database.Database): { readonly previous: string; readonly current: string } {
  const tables = new Set(numbers(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('_sync_sites', '_sync_marks')").pluck().all() as string[]);
  if (!tables.has('_sync_sites')) throw new SyncError('NOT_SYNCED', 400, 'this database has no express-sqlite-sync metadata (no _sync_sites table): nothing to re-identify');
  return db
    .transaction(() => {
      const previous = numbers(db, 'SELECT site FROM _sync_sites WHERE id = 0').pluck().get() as string;
      const current = greaterSiteId(previous);
      numbers(db, 'UPDATE _sync_sites SET site = ? WHERE id = 0').run(current);
      dropCellClocksBelowBirths(db, current);
      clearPushCursors(db);
      clearPullCursors(db);
      if (tables.has('_sync_marks')) numbers(db, 'DELETE FROM _sync_marks').run();
      // The new id belongs to this very file: a copy made of it later is told apart at its start.
      if (numbers(db, "SELECT 1 FROM pragma_table_info('_sync_state') WHERE name = 'file_id'").get() !== undefined) recordFileIdentity(db, fileIdentity(db));
      return { previous, current };
    })
    .immediate();
}

/**
 * Opens a database file, gives it a new site id, and closes it.
 * @throws SyncError `NOT_FOUND` for a missing file, `NOT_SYNCED` without sync metadata, `DATABASE_IN_USE` (409) while another connection has it open
 */
export function giveNewSiteIdToFile(file: string): { readonly previous: string; readonly current: string } {
  return withIdleDatabase(file, (db) => giveNewSiteId(db));
}
