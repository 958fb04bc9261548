import path from 'node:path';
import type { Request } from 'express';
import { commitTempFile, removeTempFile } from '../lib/files/atomic-file';
import { emptyFolderTree, removeFoldersOrError } from '../lib/files/empty-folder-tree';
import { withFileLock } from '../lib/files/file-locks';
import { isSpecialFile, statThroughLink } from '../lib/files/regular-file';
import { knownOptions } from '../lib/option-checks';
import { SyncError } from '../lib/sync-error';
import type { StoredUpload } from './atomic-storage';
import { noFileError } from './no-file';
import { uploadTargetOf } from './upload-guard';

/** The option names {@link saveGuardedUpload} knows: a typo must not save elsewhere or skip the hash check. */
const SAVE_OPTIONS: ReadonlySet<string> = new Set(['destination', 'expectedSha256', 'beforeCommit']);

/** Options of {@link saveGuardedUpload}. */
export interface SaveUploadOptions {
  /**
   * Absolute path to save the file at, when it is not the target the guard
   * resolved (from `?path=` or from the file's name under the upload root).
   * @defaultValue the guard's target
   */
  readonly destination?: string;
  /**
   * The SHA-256 the client says it sent (lower-case hex); a different one is 422 `HASH_MISMATCH`.
   * @defaultValue the multipart field `sha256` sent with the file, when there is one (as the router's upload
   * route reads it); give the key with `undefined` to check no digest
   */
  readonly expectedSha256?: string | undefined;
  /**
   * A last check before the rename (a precondition on what is there now);
   * throwing keeps the old file and removes the temp file.
   */
  readonly beforeCommit?: (upload: StoredUpload, destination: string) => Promise<void> | void;
}

/** A file {@link saveGuardedUpload} put in place. */
export interface SavedUpload {
  /** Where it is now (absolute). */
  readonly absolute: string;
  readonly size: number;
  readonly sha256: string;
  /** True when a file was there before. */
  readonly replaced: boolean;
}

const SHA256_HEX = /^[0-9a-f]{64}$/i;

/**
 * The digest to check: the app's `expectedSha256` when it gives the key, else the multipart field `sha256`
 * sent with the file (a client of the documented upload pipeline sends it there: dropping it silently would
 * store a file the client knows is not the one it meant).
 * @throws SyncError `BAD_SHA256` (400) for a field that is not one 64-hex-digit string
 */
function expectedDigestOf(req: Request, options: SaveUploadOptions): string | undefined {
  if ('expectedSha256' in options) return options.expectedSha256;
  const field = (req.body as Record<string, unknown> | undefined)?.sha256;
  if (field === undefined) return undefined;
  if (typeof field !== 'string' || !SHA256_HEX.test(field)) throw new SyncError('BAD_SHA256', 400, 'the multipart field `sha256` must be 64 hexadecimal characters, given once; nothing was written');
  return field.toLowerCase();
}

function storedUploadOf(req: Request): Express.Multer.File & StoredUpload {
  const stored = req.file as (Express.Multer.File & StoredUpload) | undefined;
  if (stored === undefined) throw noFileError(req);
  return stored;
}

/**
 * How a refusal names the destination: the client's path (`pit/photo.jpg`)
 * when it is the guard's target, else the base name of the destination the
 * app chose (never a server path in an answer).
 */
function nameOfDestination(req: Request, destination: string): string {
  let target;
  try {
    target = uploadTargetOf(req);
  } catch {
    return path.basename(destination); // no guard's target on this request: the app named the destination
  }
  return target.absolute === destination ? `${target.root}/${target.relative}` : path.basename(destination);
}

/**
 * Puts the file {@link uploadGuard} accepted for this request in place: the
 * temp file (complete, hashed and fsynced) is renamed over the destination,
 * after the checks, so the old file is whole until the new one is; on any
 * failure the temp file is removed and the old file stays. A destination
 * that is a folder (or a symlink to one), a pipe, socket or device, or a database on disk (whatever
 * its name), is refused.
 * Call it in the route after `uploadGuard`, once per request.
 * @throws TypeError for options that are not an object or hold a key it does not know (the temp file is removed, nothing is written)
 * @throws SyncError 400 `NO_FILE`, `BAD_SHA256`; 409 `PATH_CONFLICT` for a folder, pipe, socket or device; 422 `HASH_MISMATCH`; 403 `DB_CONTENT_REFUSED`; and what `beforeCommit` throws
 */
export async function saveGuardedUpload(req: Request, options: SaveUploadOptions = {}): Promise<SavedUpload> {
  return saveUpload(req, options, false);
}

/**
 * {@link saveGuardedUpload} for the sync router's upload route, where a folder at the
 * destination that holds only empty folders gives way to the file (removed once every check
 * passed), as a file sync pulling that file does: a peer's push and this server's pull agree.
 * @throws as {@link saveGuardedUpload}; 409 `PATH_CONFLICT` for a folder that holds files or links, or a symlink to a folder
 */
export async function saveSyncedUpload(req: Request, options: SaveUploadOptions): Promise<SavedUpload> {
  return saveUpload(req, options, true);
}

async function saveUpload(req: Request, options: SaveUploadOptions, emptyFoldersGiveWay: boolean): Promise<SavedUpload> {
  const stored = storedUploadOf(req);
  try {
    knownOptions(options, SAVE_OPTIONS, 'saveGuardedUpload');
    const destination = options.destination ?? uploadTargetOf(req).absolute;
    const expected = expectedDigestOf(req, options);
    if (expected !== undefined && expected !== stored.sha256) {
      throw new SyncError('HASH_MISMATCH', 422, `the received file's sha256 is ${stored.sha256}, not ${expected}; nothing was written`);
    }
    // The checks of what is there now and the rename are one step for this path (two uploads under one precondition: one wins).
    return await withFileLock(destination, async () => {
      const existing = await statThroughLink(destination); // a symlink to a folder is a folder: never replaced by the file
      // A tree of only empty folders (a symlink is never one) gives way in a sync, as a file sync pulling the file does.
      const emptyFolders = emptyFoldersGiveWay && existing?.isDirectory() === true ? await emptyFolderTree(destination) : undefined;
      if (existing?.isDirectory() === true && emptyFolders === undefined) throw folderInTheWay(nameOfDestination(req, destination), emptyFoldersGiveWay);
      if (existing !== undefined && isSpecialFile(existing)) {
        throw new SyncError('PATH_CONFLICT', 409, `${nameOfDestination(req, destination)} is a pipe, socket or device here, not a file; remove it so that the file can be stored`);
      }
      await options.beforeCommit?.(stored, destination);
      // Removed only now, when every check passed: a refused upload leaves the folders as they were.
      const removal = emptyFolders === undefined ? undefined : await removeFoldersOrError(emptyFolders);
      // A folder this server may not change is said as such (507 STORAGE_NOT_WRITABLE, by the route), not as one that holds files.
      if (removal !== undefined) throw NOT_WRITABLE_CODES.has(removal.code ?? '') ? removal : folderInTheWay(nameOfDestination(req, destination), true);
      await commitTempFile(stored.path, destination);
      return { absolute: destination, size: stored.size, sha256: stored.sha256, replaced: existing !== undefined && emptyFolders === undefined };
    });
  } catch (error) {
    await removeTempFile(stored.path);
    throw error;
  }
}

/** Why an empty folder could not be removed when this server may not change its parent (read-only disk, another user's, immutable). */
const NOT_WRITABLE_CODES: ReadonlySet<string> = new Set(['EACCES', 'EPERM', 'EROFS']);

/** The refusal of a folder at the destination (in a sync, one that holds files or links, or a symlink to a folder): never replaced by the file. */
function folderInTheWay(name: string, emptyFoldersGaveWay: boolean): SyncError {
  if (!emptyFoldersGaveWay) return new SyncError('PATH_CONFLICT', 409, `${name} is a folder here (or a symlink to one), not a file; nothing was written`);
  return new SyncError('PATH_CONFLICT', 409, `${name} is a folder here that holds files or links (or a symlink to a folder), not a file; nothing was written (move or delete the folder so that the file of that name can sync)`);
}

/** Removes the temp file {@link uploadGuard} stored for this request, when there is one: the undo of {@link saveGuardedUpload}. */
export async function discardGuardedUpload(req: Request): Promise<void> {
  const stored = req.file as (Express.Multer.File & StoredUpload) | undefined;
  if (stored !== undefined) await removeTempFile(stored.path);
}
