import { existsSync } from 'node:fs';
import { SyncError } from '../../lib/sync-error';
import { backupDatabase, checkBackupTarget, writeTarget } from '../../lib/data/backup';
import { withPageBar } from './progress';
import { refuseIfInUse } from '../../lib/data/idle-database';

/**
 * `backup`: copies a live database with SQLite's online backup API; `--force` never replaces a database another process has open.
 * With `--json` it prints `{ "db", "out", "pages" }`. Ctrl-C (SIGINT) or SIGTERM removes its temp file beside `--out` and exits with 130 (143).
 */
export async function backupCommand(options: { readonly db: string; readonly out: string; readonly force?: boolean; readonly json?: boolean }): Promise<void> {
  // Not "no database at : check the path given to --db", naming no file.
  if (options.db.trim() === '') throw new SyncError('TARGET_INVALID', 400, 'no database path given: name the database file to back up (--db)');
  checkBackupTarget(options.db, options.out);
  const out = writeTarget(options.out); // a symbolic link (to a USB stick, say) is written through
  if (options.force === true && existsSync(out)) refuseIfInUse(out);
  const placed = existsSync(out) ? undefined : `${options.out} is complete`; // a file --force replaces is there either way
  const { pages } = await withPageBar('backup', (onProgress) => backupDatabase(options.db, out, { overwrite: options.force === true, onProgress }), { target: out, placed });
  if (options.json === true) process.stdout.write(`${JSON.stringify({ db: options.db, out: options.out, pages })}\n`);
  else process.stdout.write(`backed up ${options.db} to ${options.out} (${pages} pages)\n`);
}

