import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { withIdleDatabase } from './idle-database';
import { fileIdentity, recordFileIdentity } from './file-identity';
import { clearPullCursors, clearPushCursors } from './peer-cursors';
import { numbers } from './prepared';
import { booleanOption, knownOptions } from '../option-checks';
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

const NEW_SITE_ID_OPTIONS: ReadonlySet<string> = new Set(['pullAgain']);

/** Options of {@link giveNewSiteId}. */
export interface NewSiteIdOptions {
  /**
   * Pull every peer from the start again (default true): for a database whose id another server may have
   * used at the same time (a copy that ran, `DUPLICATE_SITE_ID`, `SAME_SITE_ID`). False for one that only
   * went back in time (a rewind, a restored backup, a copy found at its first start): its cursors are older
   * than its peers' history, never past what it lacks, so a full pull would only cost time.
   */
  readonly pullAgain?: boolean;
}

/**
 * Gives a database a new random site id, for a database that was copied
 * from another server (two servers must never share one: each would take the
 * other's changes for its own and never send them). Every change this
 * database made is attributed to the new id, and the push cursors are reset:
 * peers receive its rows again under the new id. Unless `pullAgain` is false,
 * the pull cursors are reset too: it pulls every peer from the start again, so
 * the changes it passed over as its own while a copy shared the id reach it
 * (what the cursors said is kept as its view of each peer, for their identity
 * checks). Applying is idempotent, so that costs one full exchange each way
 * and loses nothing. The new id is greater
 * than the old one (see {@link greaterSiteId}); the marks of the old history
 * are forgotten. Run it with the server stopped (a running tracker does it by
 * itself when it finds its history differs from what a peer holds).
 * @returns the old and the new site id
 * @throws SyncError `NOT_SYNCED` when the database has no sync metadata; TypeError for an unknown option or a `pullAgain` that is not a boolean
 */
export function giveNewSiteId(db: Database.Database, options: NewSiteIdOptions = {}): { readonly previous: string; readonly current: string } {
  knownOptions(options, NEW_SITE_ID_OPTIONS, 'giveNewSiteId');
  const pullAgain = booleanOption(options.pullAgain, 'pullAgain', true);
  const tables = new Set(numbers(db, "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('_sync_sites', '_sync_marks')").pluck().all() as string[]);
  if (!tables.has('_sync_sites')) throw new SyncError('NOT_SYNCED', 400, 'this database has no express-sqlite-sync metadata (no _sync_sites table): nothing to re-identify');
  return db
    .transaction(() => {
      const previous = numbers(db, 'SELECT site FROM _sync_sites WHERE id = 0').pluck().get() as string;
      const current = greaterSiteId(previous);
      numbers(db, 'UPDATE _sync_sites SET site = ? WHERE id = 0').run(current);
      dropCellClocksBelowBirths(db, current);
      clearPushCursors(db);
      if (pullAgain) clearPullCursors(db);
      if (tables.has('_sync_marks')) numbers(db, 'DELETE FROM _sync_marks').run();
      // The new id belongs to this very file: a copy made of it later is told apart at its start.
      if (numbers(db, "SELECT 1 FROM pragma_table_info('_sync_state') WHERE name = 'file_id'").get() !== undefined) recordFileIdentity(db, fileIdentity(db));
      return { previous, current };
    })
    .immediate();
}

/**
 * Opens a database file, gives it a new site id (pulling every peer from the start again, as
 * `express-sqlite-sync new-site-id` does), and closes it.
 * @throws SyncError `TARGET_INVALID` for an empty path (SQLite would open a private temp database), `NOT_A_DATABASE` for a folder, `NOT_FOUND` for a missing file, `NOT_SYNCED` without sync metadata, `DATABASE_IN_USE` (409) while another connection has it open
 */
export function giveNewSiteIdToFile(file: string): { readonly previous: string; readonly current: string } {
  if (file.trim() === '') throw new SyncError('TARGET_INVALID', 400, 'no database path given: name the database file to re-identify');
  if (statSync(file, { throwIfNoEntry: false })?.isDirectory() === true) throw new SyncError('NOT_A_DATABASE', 400, `${file} is a folder, not a database file`);
  return withIdleDatabase(file, (db) => giveNewSiteId(db));
}
