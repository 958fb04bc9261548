import { existsSync } from 'node:fs';
import path from 'node:path';
import { checkBackupFile, checkDatabaseFile, checkRestoreTarget, restoreDatabase, writeTarget, type BackupProgress } from '../../lib/data/backup';
import { makeFolderFor } from '../../lib/data/backup-targets';
import { refuseIfInUse, withIdleDatabase } from '../../lib/data/idle-database';
import { giveNewSiteId } from '../../lib/data/site-identity';
import { SyncError } from '../../lib/sync-error';
import { folderToMake } from './interrupt';
import { withPageBar } from './progress';

/**
 * `restore`: restores a backup with the online backup API and gives it a new site id; the target folder is created.
 * With `--json` it prints `{ "from", "db", "siteId": { "previous", "current" } }` (`siteId` null for a database without sync metadata).
 * Ctrl-C (SIGINT) or SIGTERM removes its temp file beside `--db` and the folders it made while empty, and exits with 130 (143).
 */
export async function restoreCommand(options: { readonly from: string; readonly db: string; readonly force?: boolean; readonly json?: boolean }): Promise<void> {
  // Not "no database at : check the path given to --from", naming no file.
  if (options.from.trim() === '') throw new SyncError('TARGET_INVALID', 400, 'no database path given: name the backup file to restore (--from)');
  checkRestoreTarget(options.db);
  const db = writeTarget(path.resolve(options.db)); // `missing/../app.db` is app.db: checked as the file it will be; a symbolic link is written through
  if (db !== path.resolve(options.db)) checkRestoreTarget(db);
  const made = folderToMake(path.dirname(db));
  const placed = existsSync(db) ? undefined : `${options.db} is in place with its new site id`;
  // The checks run with Ctrl-C already listened for: an integrity check of a large backup takes seconds.
  const restore = (onProgress: BackupProgress): ReturnType<typeof restoreDatabase> => {
    checkBackupFile(options.from); // before anything is created: a bad (or empty) --from leaves no folder behind
    makeFolderFor(db, 'the restored database');
    if (options.force === true && existsSync(db)) refuseIfInUse(db);
    return restoreDatabase(options.from, db, { overwrite: options.force === true, onProgress });
  };
  const { siteId } = await withPageBar('restore', restore, { target: db, made, placed });
  if (options.json === true) {
    process.stdout.write(`${JSON.stringify({ from: options.from, db: options.db, siteId: siteId === undefined ? null : { previous: siteId.previous, current: siteId.current } })}\n`);
    return;
  }
  const identity = siteId === undefined ? 'it has no sync metadata yet' : `new site id ${siteId.current} (the backup's was ${siteId.previous})`;
  process.stdout.write(`restored ${options.from} into ${options.db}; ${identity}\n`);
}

/**
 * `new-site-id`: gives a copied database its own identity; refused while a server has the database open.
 * With `--json` it prints `{ "db", "previous", "current" }`.
 */
export function newSiteIdCommand(options: { readonly db: string; readonly json?: boolean }): void {
  // SQLite opens a private temp database for "": it would be said to have no sync metadata.
  if (options.db.trim() === '') throw new SyncError('TARGET_INVALID', 400, 'no database path given: name the database file to re-identify (--db)');
  if (existsSync(options.db)) checkDatabaseFile(options.db); // NOT_A_DATABASE, naming the file, rather than SQLite's own words
  // A copy that ran under the shared id may have passed a peer's rows over as its own: pull every peer again (docs/API.md).
  const { previous, current } = withIdleDatabase(options.db, (db) => giveNewSiteId(db));
  if (options.json === true) process.stdout.write(`${JSON.stringify({ db: options.db, previous, current })}\n`);
  else process.stdout.write(`${options.db}: site id ${previous} → ${current}; its peers will receive its rows again under the new id. Start its server now.\n`);
}
