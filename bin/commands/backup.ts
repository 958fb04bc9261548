import { existsSync } from 'node:fs';
import { backupDatabase, checkBackupTarget } from '../../lib/data/backup';
import { withPageBar } from './progress';
import { refuseIfInUse } from '../../lib/data/idle-database';

/**
 * `backup`: copies a live database with SQLite's online backup API; `--force` never replaces a database another process has open.
 * With `--json` it prints `{ "db", "out", "pages" }`.
 */
export async function backupCommand(options: { readonly db: string; readonly out: string; readonly force?: boolean; readonly json?: boolean }): Promise<void> {
  checkBackupTarget(options.db, options.out);
  if (options.force === true && existsSync(options.out)) refuseIfInUse(options.out);
  const { pages } = await withPageBar('backup', (onProgress) => backupDatabase(options.db, options.out, { overwrite: options.force === true, onProgress }));
  if (options.json === true) process.stdout.write(`${JSON.stringify({ db: options.db, out: options.out, pages })}\n`);
  else process.stdout.write(`backed up ${options.db} to ${options.out} (${pages} pages)\n`);
}

