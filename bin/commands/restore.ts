import { Presets, SingleBar } from 'cli-progress';
import { restoreDatabase } from '../../lib/backup';
import { giveNewSiteIdToFile } from '../../lib/site-identity';

/** `restore`: restores a backup with the online backup API and gives it a new site id. */
export async function restoreCommand(options: { readonly from: string; readonly db: string; readonly force?: boolean }): Promise<void> {
  const bar = new SingleBar({ format: ' restore {bar} {value}/{total} pages', hideCursor: true }, Presets.shades_classic);
  let started = false;
  try {
    const { siteId } = await restoreDatabase(options.from, options.db, {
      overwrite: options.force === true,
      onProgress(copied, total) {
        if (!started) bar.start(total, 0);
        started = true;
        bar.update(copied);
      },
    });
    if (started) bar.stop();
    started = false;
    const identity = siteId === undefined ? 'it has no sync metadata yet' : `new site id ${siteId.current} (the backup's was ${siteId.previous})`;
    process.stdout.write(`restored ${options.from} into ${options.db}; ${identity}\n`);
  } finally {
    if (started) bar.stop();
  }
}

/** `new-site-id`: gives a copied database its own identity. */
export function newSiteIdCommand(options: { readonly db: string }): void {
  const { previous, current } = giveNewSiteIdToFile(options.db);
  process.stdout.write(`${options.db}: site id ${previous} → ${current}; its peers will receive its rows again under the new id\n`);
}
