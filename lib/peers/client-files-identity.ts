import type { SyncClientConfig } from './client-options';
import { keepFolderOfIdentity, loadFilesIdentity } from './files-identity';

/**
 * The identity a sync client without data goes by for its file sync, made or read in its `stateDir` at
 * construction (a state folder that is a copy takes a new one, logged as `identity.changed`), and the state
 * folder's birth time kept with it after a round when its start could not (see keepFolderOfIdentity).
 * None with data (the site id is used) or without files.
 */
export class FilesIdentityKeeper {
  /** The identity, or undefined with data or without files. */
  readonly site: string | undefined;
  readonly #config: Pick<SyncClientConfig, 'stateDir' | 'logger'>;
  #folderKept = false;

  /**
   * @throws TypeError when the identity cannot be kept in `stateDir` (its file system's error as the cause)
   */
  constructor(config: Pick<SyncClientConfig, 'data' | 'files' | 'stateDir' | 'logger'>) {
    this.#config = config;
    this.site = config.data !== undefined || config.files === undefined || config.stateDir === undefined ? undefined : load(config.stateDir, config.logger);
  }

  /** After a round (which wrote in the state folder): the folder's birth time kept with the identity, once. */
  afterRound(): void {
    const { stateDir } = this.#config;
    if (this.#folderKept || this.site === undefined || stateDir === undefined) return;
    try {
      this.#folderKept = keepFolderOfIdentity(stateDir, this.site);
    } catch (error) {
      this.#config.logger.warn({ event: 'state.write_failed', err: error }, "could not keep the state folder's birth time with the file-sync identity; tried again after the next round");
    }
  }
}

function load(stateDir: string, logger: SyncClientConfig['logger']): string {
  let identity: ReturnType<typeof loadFilesIdentity>;
  try {
    identity = loadFilesIdentity(stateDir);
  } catch (error) {
    // Without it the peers could not tell this server's rounds apart from a router's that runs none, and their bases would part from ours.
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new TypeError(`express-sqlite-sync: \`stateDir\` ${stateDir} cannot keep the identity of this server's file sync (files-site.json: ${code}); give a folder this server's user may write`, { cause: error });
  }
  const replaced = identity.replaced;
  if (replaced !== undefined) {
    logger.warn(
      { event: 'identity.changed', code: 'SITE_CLONED', previous: replaced.previous, current: identity.site },
      `${replaced.reason}: took the new identity ${identity.site} for its file sync by itself; its next round with each peer is a first sync (nothing deleted, files that differ kept twice); nothing to do`,
    );
  }
  return identity.site;
}
