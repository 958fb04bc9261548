import { backupDatabase } from '../../lib/data/backup';
import { withPageBar } from './progress';

/** `backup`: copies a live database with SQLite's online backup API. */
export async function backupCommand(options: { readonly db: string; readonly out: string; readonly force?: boolean }): Promise<void> {
  const { pages } = await withPageBar('backup', (onProgress) => backupDatabase(options.db, options.out, { overwrite: options.force === true, onProgress }));
  process.stdout.write(`backed up ${options.db} to ${options.out} (${pages} pages)\n`);
}
