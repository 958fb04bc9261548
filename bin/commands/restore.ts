import { restoreDatabase } from '../../lib/data/backup';
import { giveNewSiteIdToFile } from '../../lib/data/site-identity';
import { withPageBar } from './progress';

/** `restore`: restores a backup with the online backup API and gives it a new site id. */
export async function restoreCommand(options: { readonly from: string; readonly db: string; readonly force?: boolean }): Promise<void> {
  const { siteId } = await withPageBar('restore', (onProgress) => restoreDatabase(options.from, options.db, { overwrite: options.force === true, onProgress }));
  const identity = siteId === undefined ? 'it has no sync metadata yet' : `new site id ${siteId.current} (the backup's was ${siteId.previous})`;
  process.stdout.write(`restored ${options.from} into ${options.db}; ${identity}\n`);
}

/** `new-site-id`: gives a copied database its own identity. */
export function newSiteIdCommand(options: { readonly db: string }): void {
  const { previous, current } = giveNewSiteIdToFile(options.db);
  process.stdout.write(`${options.db}: site id ${previous} → ${current}; its peers will receive its rows again under the new id\n`);
}
