import { SingleBar, Presets } from 'cli-progress';
import { backupDatabase } from '../../lib/backup';

/** `backup`: copies a live database with SQLite's online backup API. */
export async function backupCommand(options: { readonly db: string; readonly out: string; readonly force?: boolean }): Promise<void> {
  const bar = new SingleBar({ format: ' backup {bar} {value}/{total} pages', hideCursor: true }, Presets.shades_classic);
  let started = false;
  try {
    const { pages } = await backupDatabase(options.db, options.out, {
      overwrite: options.force === true,
      onProgress(copied, total) {
        if (!started) bar.start(total, 0);
        started = true;
        bar.update(copied);
      },
    });
    bar.stop();
    process.stdout.write(`backed up ${options.db} to ${options.out} (${pages} pages)\n`);
  } finally {
    if (started) bar.stop();
  }
}
