import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { commitTempFile, openTempFile } from '../files/atomic-file';
import { withFileLock } from '../files/file-locks';
import { fileStateOf } from './file-settled';

/** The name of a peer URL's base file (see `fileStateOf`); waiting files (`files-site-…`) do not match. */
const BASE_NAME = /^files-[0-9a-f]{16}\.json$/;

/** The site ids a base file names, or undefined when it is not a base. */
async function sitesIn(file: string): Promise<{ readonly site: unknown; readonly local: unknown; readonly text: string } | undefined> {
  try {
    const text = await readFile(file, 'utf8');
    const stored = JSON.parse(text) as { site?: unknown; local?: unknown; roots?: unknown } | null;
    if (typeof stored?.roots !== 'object' || stored.roots === null) return undefined;
    return { site: stored.site, local: stored.local, text };
  } catch {
    return undefined; // gone meanwhile, unreadable, or not a base
  }
}

/** The newest base in `stateDir`, other than `except`, kept with the peer `site` by this server as `local`. */
async function newestBaseOf(stateDir: string, except: string, site: string, local: string | undefined): Promise<string | undefined> {
  const names = await readdir(stateDir).catch(() => [] as string[]);
  let newest: { readonly text: string; readonly at: number } | undefined;
  for (const name of names) {
    const file = path.join(stateDir, name);
    if (!BASE_NAME.test(name) || file === except) continue;
    const found = await sitesIn(file);
    if (found?.site !== site || (local !== undefined && found.local !== undefined && found.local !== local)) continue;
    const at = (await stat(file).catch(() => undefined))?.mtimeMs ?? 0;
    if (newest === undefined || at > newest.at) newest = { text: found.text, at };
  }
  return newest?.text;
}

/**
 * Before a round with the peer at `url`, whose handshake said it is `site`:
 * when this URL has no base yet but another URL's base was kept with that
 * same site (the peer's address changed: a new DHCP lease, `localhost`
 * written for `127.0.0.1`), that base is copied for this URL. A base is what
 * two sites held after their last sync, whatever address joined them; without
 * it the round would be a first sync, bringing back files deleted since and
 * keeping files changed on one side as conflict copies. Call it after
 * `adoptWaitingSettlements` (settlements that waited for this URL make its
 * base first). The newest such base is taken; the other URL's stays.
 * @param local - this server's site id: a base kept under another is not taken (see `FileSyncState.load`)
 * @returns true when a base was copied
 */
export async function adoptBaseOfSite(stateDir: string, url: string, site: string | undefined, local: string | undefined): Promise<boolean> {
  if (site === undefined || !/^[0-9a-f]{32}$/.test(site)) return false;
  const base = fileStateOf(stateDir, url);
  if (await stat(base).then(() => true, () => false)) return false;
  const text = await newestBaseOf(stateDir, base, site, local);
  if (text === undefined) return false;
  return withFileLock(base, async () => {
    if (await stat(base).then(() => true, () => false)) return false; // made meanwhile (a settlement recorded): it is newer
    const { tempPath, handle } = await openTempFile(base);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await commitTempFile(tempPath, base);
    return true;
  });
}
