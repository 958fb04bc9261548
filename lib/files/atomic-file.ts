import { rmdirSync } from 'node:fs';
import { mkdir, open, rename, rm, rmdir, unlink, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { databaseSideFolderToMake, isDatabaseOnDisk } from './database-file';
import { databaseContentRefused } from './database-refusal';
import { pathTooLong } from './safe-path';
import { releaseTempPath, reserveTempPath } from './temp-files';
import { SyncError } from '../sync-error';

/**
 * A temp file name beside `target`: hidden, marked with `TEMP_FILE_MARKER`
 * so scans skip it, stamped with this process's pid and random so concurrent
 * writers never share one. It is reserved for this process (never swept as a
 * crash leftover) until it is committed or removed.
 */
export function tempPathFor(target: string): string {
  return reserveTempPath(target);
}

/** The topmost folder that {@link openTempFile} created for a temp file, until it is committed or removed. */
const foldersMadeFor = new Map<string, string>();

/**
 * The topmost folder made for another temp file still open that holds
 * `directory` (`new/` made for `new/dir/a.txt`, when `new/dir/b.txt` comes
 * meanwhile): the one to clear up to, whichever of them ends last.
 */
function folderMadeForOthers(directory: string, made: string | undefined): string | undefined {
  let topmost = made;
  for (const folder of foldersMadeFor.values()) {
    const holds = directory === folder || directory.startsWith(folder + path.sep);
    if (holds && (topmost === undefined || topmost.startsWith(folder + path.sep))) topmost = folder;
  }
  return topmost;
}

/** How often a folder removed by another request's clean-up, between our mkdir and open, is made again. */
const OPEN_RETRIES = 3;

/**
 * Creates the target's directory and opens a new temp file beside it (never
 * an existing one). The folders it had to create are removed again by
 * {@link removeTempFile} when they are still empty then (a refused or
 * aborted upload leaves no trace). A folder it would have to make under the
 * name of a side file of a database beside it (`store-journal/` beside
 * `store`) is never made: SQLite could not write that database any more.
 * @throws SyncError `DB_CONTENT_REFUSED` (403) for such a folder
 */
export async function openTempFile(target: string): Promise<{ readonly tempPath: string; readonly handle: FileHandle }> {
  const blocking = await databaseSideFolderToMake(path.dirname(target));
  if (blocking !== undefined) throw databaseContentRefused(path.basename(blocking));
  const tempPath = tempPathFor(target);
  try {
    for (let attempt = 0; ; attempt += 1) {
      const made = folderMadeForOthers(path.dirname(target), await mkdir(path.dirname(target), { recursive: true }));
      if (made !== undefined && !foldersMadeFor.has(tempPath)) foldersMadeFor.set(tempPath, made);
      try {
        return { tempPath, handle: await open(tempPath, 'wx', 0o644) };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= OPEN_RETRIES) throw error;
      }
    }
  } catch (error) {
    await removeTempFile(tempPath).catch(() => undefined); // the open error is the one to report
    throw error;
  }
}

/**
 * Writes `data` to `target` atomically (temp file, fsync, rename): a small file
 * written whole, such as a state file. A write that fails (a full disk) removes
 * its temp file, so a failure repeated every round leaves nothing behind.
 * @throws the file system's error, or SyncError `DB_CONTENT_REFUSED` (403) when the target is a database
 */
export async function writeFileAtomically(target: string, data: string): Promise<void> {
  const { tempPath, handle } = await openTempFile(target);
  try {
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await commitTempFile(tempPath, target);
  } catch (error) {
    await removeTempFile(tempPath).catch(() => undefined); // the write's error is the one to report
    throw error;
  }
}

/** Flushes a directory entry change to disk; ignored where directories cannot be opened (Windows). */
export async function syncDirectory(directory: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(directory, 'r');
    await handle.sync();
  } catch {
    // best effort: the rename itself is atomic either way
  } finally {
    await handle?.close();
  }
}

/**
 * Renames a complete, fsynced temp file over its target, then syncs the
 * directory. A target that is a database on disk, whatever its name, is
 * never replaced. A target in another folder than the temp file leaves no
 * folder {@link openTempFile} made for it (those still empty are removed).
 * @throws SyncError `DB_CONTENT_REFUSED` (403) when the target is a database
 */
export async function commitTempFile(tempPath: string, target: string): Promise<void> {
  if (await isDatabaseOnDisk(target)) throw databaseContentRefused(path.basename(target));
  await rename(tempPath, target);
  releaseTempPath(tempPath);
  const made = foldersMadeFor.get(tempPath);
  foldersMadeFor.delete(tempPath);
  // Moved elsewhere (an app's `saveGuardedUpload` destination): the folders made for the temp file alone go, when empty.
  if (made !== undefined && path.dirname(tempPath) !== path.dirname(target)) await removeEmptyFolders(path.dirname(tempPath), path.dirname(made));
  await syncDirectory(path.dirname(target));
}

/**
 * Deletes a synced file; a database on disk, whatever its name, is never deleted.
 * With `rootDir`, the folders the deletion left empty are removed too, up to
 * (not including) the root: folders are not synced, and an empty one left
 * behind would stand in the way of a file of its name.
 * @throws SyncError `DB_CONTENT_REFUSED` (403) when the file is a database
 */
export async function removeSyncedFile(absolute: string, rootDir?: string): Promise<void> {
  if (await isDatabaseOnDisk(absolute)) throw databaseContentRefused(path.basename(absolute));
  await unlink(absolute);
  if (rootDir !== undefined) await removeEmptyFolders(path.dirname(absolute), rootDir);
}

/**
 * Removes `folder` and then each parent while it is empty, stopping at
 * `stopAt` (never removed) or at the first folder that holds anything.
 */
export async function removeEmptyFolders(folder: string, stopAt: string): Promise<void> {
  const limit = path.resolve(stopAt);
  for (let current = path.resolve(folder); current !== limit && current.startsWith(limit + path.sep); current = path.dirname(current)) {
    try {
      await rmdir(current);
    } catch {
      return; // not empty (or gone, or not ours to remove): the folders above hold it
    }
  }
}

/** True when `folder` lies strictly inside `stopAt`. */
function isInside(folder: string, stopAt: string): boolean {
  const relative = path.relative(stopAt, folder);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/**
 * {@link removeEmptyFolders}, synchronously (for a signal handler that exits
 * right after): `rmdir` only, so a file someone else put in a folder keeps
 * that folder and every one above it.
 */
export function removeEmptyFoldersSync(folder: string, stopAt: string): void {
  const limit = path.resolve(stopAt);
  for (let current = path.resolve(folder); isInside(current, limit); current = path.dirname(current)) {
    try {
      rmdirSync(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return; // not empty, or not ours to remove: the folders above hold it
    }
  }
}

/**
 * Removes a temp file; a file already gone is not an error, nor is one whose
 * folder is gone or was replaced by a file (ENOTDIR: it went with its folder).
 * The folders {@link openTempFile} created for it are removed too, those still empty.
 */
export async function removeTempFile(tempPath: string): Promise<void> {
  try {
    await rm(tempPath, { force: true });
  } catch (error) {
    // A temp path too long for the file system was never created; anything else stays an error, after the clean-up below.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENAMETOOLONG' && code !== 'ENOTDIR') throw error;
  } finally {
    releaseTempPath(tempPath);
    const made = foldersMadeFor.get(tempPath);
    try {
      if (made !== undefined) await removeEmptyFolders(path.dirname(tempPath), path.dirname(made));
    } finally {
      foldersMadeFor.delete(tempPath); // only now: a temp file opened there meanwhile still takes these folders for made (see folderMadeForOthers)
    }
  }
}

/**
 * File-system error codes that mean "the path clashes with what is on disk": also ENOENT, met while
 * storing or committing an upload only when its folder was removed (`rm -rf`) meanwhile.
 */
const PATH_CONFLICT_CODES = new Set(['ENOTDIR', 'EISDIR', 'EEXIST', 'ENOENT']);

/**
 * Turns a file-system error met while storing or committing an upload into a client-facing
 * {@link SyncError} when it is the client's path that clashes (409) or is
 * too long for the file system (400 `BAD_PATH`), or the disk that is full
 * (507 `INSUFFICIENT_STORAGE`) or not writable (507 `STORAGE_NOT_WRITABLE`);
 * anything else is returned as it is.
 */
export function describeStoreError(error: unknown, clientPath: string): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined && PATH_CONFLICT_CODES.has(code)) {
    return new SyncError('PATH_CONFLICT', 409, `${clientPath} clashes with what is on disk (a file where a folder is needed, a folder where a file is, or its folder removed while the file was received); nothing was written`, { cause: error });
  }
  if (code === 'ENAMETOOLONG') {
    return pathTooLong(clientPath);
  }
  if (code === 'ENOSPC' || code === 'EDQUOT') {
    return new SyncError('INSUFFICIENT_STORAGE', 507, 'the server has no room left for this file');
  }
  if (code === 'EFBIG') {
    // A file size limit (`ulimit -f`, a FAT32 disk's 4 GiB): as a full disk for the sender, 500 "internal error" before.
    return new SyncError('INSUFFICIENT_STORAGE', 507, 'the server has no room for this file: it is over the file size limit of this server (ulimit -f, or its file system\'s largest file)');
  }
  return describeNotWritable(error, clientPath, 'written');
}

/** Codes of a folder this process may not change: a read-only disk, another user's folder, an immutable file. */
const NOT_WRITABLE_CODES = new Set(['EACCES', 'EPERM', 'EROFS']);

/**
 * Turns a file-system refusal to change `clientPath` (EACCES, EPERM, EROFS) into
 * 507 `STORAGE_NOT_WRITABLE`, which names the client path and what its
 * operator must do, never the server's own folders (those are in its log),
 * in words that read right in the log of the peer that sent it;
 * anything else is returned as it is. Without it, the client (a peer's
 * operator) saw only 500 "internal error".
 */
export function describeNotWritable(error: unknown, clientPath: string, what: 'written' | 'deleted'): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === undefined || !NOT_WRITABLE_CODES.has(code)) return error;
  return new SyncError(
    'STORAGE_NOT_WRITABLE',
    507,
    `${clientPath} cannot be ${what}: the server that received it may not change it (${code}: a read-only disk, or a folder or file of another user); nothing was ${what}. That server's operator must give its user the rights (its log names the folder or file)`,
    { cause: error },
  );
}
