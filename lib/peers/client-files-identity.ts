import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { shellWord } from '../shell-word';
import { SyncError } from '../sync-error';
import type { SyncClientConfig } from './client-options';
import { FILES_IDENTITY_FILE, keepFolderOfIdentity, loadFilesIdentity } from './files-identity';
import { localFileFailure } from './local-file-failure';

/**
 * The identity a sync client without data goes by for its file sync, made or read in its `stateDir` at
 * construction (a state folder that is a copy takes a new one, logged as `identity.changed`), and the state
 * folder's birth time kept with it after a round when its start could not (see keepFolderOfIdentity).
 * None with data (the site id is used) or without files.
 */
export class FilesIdentityKeeper {
  /** The identity, or undefined with data or without files. */
  readonly site: string | undefined;
  /** Random per running client, answered with the identity in `GET /files/info` (as a tracker's instance in `GET /data/info`). */
  readonly instance = randomBytes(8).toString('hex');
  readonly #config: Pick<SyncClientConfig, 'stateDir' | 'logger'>;
  #folderKept = false;

  /**
   * @throws SyncError `STORAGE_NOT_WRITABLE` or `INSUFFICIENT_STORAGE` (507) when this server's disk refuses to keep the
   * identity in `stateDir` (its file system's error as the cause; the message names the folder and the fix)
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

/**
 * This server's disk refused to keep the identity: an error of its disk, not of an option's type, naming the
 * folder and the fix that fits the cause (rights, a read-only or full disk, a folder where the file goes).
 */
function unusableStateDir(stateDir: string, error: unknown): SyncError {
  const file = path.join(stateDir, FILES_IDENTITY_FILE);
  const errno = (error as NodeJS.ErrnoException).code ?? 'error';
  const head = `express-sqlite-sync: \`stateDir\` ${stateDir} cannot keep the identity of this server's file sync (${FILES_IDENTITY_FILE})`;
  const local = localFileFailure(error);
  const cause = { cause: error } as const;
  if (local !== undefined) return new SyncError(errno === 'ENOSPC' || errno === 'EDQUOT' ? 'INSUFFICIENT_STORAGE' : 'STORAGE_NOT_WRITABLE', 507, `${head}: ${local.message.replace(/; the next round syncs it$/, '; then start it again')}`, cause);
  if (errno === 'EISDIR') return new SyncError('STORAGE_NOT_WRITABLE', 507, `${head}: ${file} is a folder, not a file: remove it (rm -r ${shellWord(file)}) and start it again (this server takes a new identity: its next rounds are first syncs, nothing deleted)`, cause);
  return new SyncError('STORAGE_NOT_WRITABLE', 507, `${head}: ${error instanceof Error ? error.message : String(error)}; give \`stateDir\` a folder this server's user may write, and start it again`, cause);
}

/**
 * `identity.unreadable` (warn): the identity file was there but no identity (a corrupt or hand-edited file), so this
 * start took a new one. Its peers take this server for a new one: the next rounds between them compare every file.
 */
function logUnreadable(logger: SyncClientConfig['logger'], file: string, reason: string, current: string): void {
  logger.warn(
    { event: 'identity.unreadable', file, reason, current },
    `${file} holds no identity of this server's file sync (${reason}): took the new identity ${current} by itself. Its peers take it for a new server: its next round with each peer, and theirs with it, is one full file comparison (a first sync: nothing deleted, so a file deleted on one side since the last sync comes back; a file changed on both sides is kept twice); nothing to do`,
  );
}

function load(stateDir: string, logger: SyncClientConfig['logger']): string {
  let identity: ReturnType<typeof loadFilesIdentity>;
  try {
    identity = loadFilesIdentity(stateDir);
  } catch (error) {
    // Without it the peers could not tell this server's rounds apart from a router's that runs none, and their bases would part from ours.
    throw unusableStateDir(stateDir, error);
  }
  if (identity.unreadable !== undefined) logUnreadable(logger, path.join(stateDir, FILES_IDENTITY_FILE), identity.unreadable, identity.site);
  const replaced = identity.replaced;
  if (replaced !== undefined) {
    logger.warn(
      { event: 'identity.changed', code: 'SITE_CLONED', previous: replaced.previous, current: identity.site },
      `${replaced.reason}: took the new identity ${identity.site} for its file sync by itself; its next round with each peer is a first sync (nothing deleted, files that differ kept twice); nothing to do`,
    );
  }
  return identity.site;
}
