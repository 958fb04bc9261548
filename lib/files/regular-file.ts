import { closeSync, constants, fstatSync, openSync, type Stats } from 'node:fs';
import { lstat, open, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { SyncError } from '../sync-error';
import { isLiveDatabaseFile, isLiveDatabaseFileSync } from './live-databases';

/**
 * Read-only and non-blocking: opening a FIFO without a writer returns at once
 * instead of holding a thread-pool thread (or, synchronously, the whole
 * process) until one appears. Reads of a regular file are not affected.
 */
const READ_NONBLOCK = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/**
 * True for the error of opening something that is never a regular file: a
 * Unix socket (ENXIO on Linux, EOPNOTSUPP on BSDs) or a device without a driver (ENXIO).
 */
function isNotOpenable(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENXIO' || code === 'EOPNOTSUPP';
}

/** The refusal of a path that leads to a live database of this process (see `live-databases.ts`): it is never opened. */
export function liveDatabaseRefusal(absolute: string): SyncError {
  return new SyncError('DB_CONTENT_REFUSED', 403, `${path.basename(absolute)} is (a link to) a database this server has open, or one of its -wal, -shm, -journal or -syncmark (served mark) files: never opened as a file`);
}

/**
 * Opens a file for reading only when it is a regular file: opened without
 * blocking, then checked on the handle (`fstat`), so a pipe, socket or
 * device swapped in at any moment is never read. A path leading to a live
 * database of this process (by any name) is refused before it is opened.
 * @returns the handle and its stats, or undefined when the path is something else (a folder, a pipe, a socket…)
 * @throws SyncError `DB_CONTENT_REFUSED` (403) for a live database; the open error (ENOENT, EACCES…) as it is
 */
export async function openRegularFile(absolute: string): Promise<{ readonly handle: FileHandle; readonly stats: Stats } | undefined> {
  if (await isLiveDatabaseFile(absolute)) throw liveDatabaseRefusal(absolute);
  let handle;
  try {
    handle = await open(absolute, READ_NONBLOCK);
  } catch (error) {
    if (isNotOpenable(error)) return undefined;
    throw error;
  }
  try {
    const stats = await handle.stat();
    if (stats.isFile()) return { handle, stats };
  } catch (error) {
    await handle.close();
    throw error;
  }
  await handle.close();
  return undefined;
}

/**
 * {@link openRegularFile}, synchronously: a file descriptor of a regular
 * file, or undefined for anything else. The caller closes it.
 * @throws SyncError `DB_CONTENT_REFUSED` (403) for a live database; the open error (ENOENT, EACCES…) as it is
 */
export function openRegularFileSync(absolute: string): number | undefined {
  if (isLiveDatabaseFileSync(absolute)) throw liveDatabaseRefusal(absolute);
  return openOwnRegularFileSync(absolute);
}

/**
 * {@link openRegularFileSync} for a file the server keeps for itself beside its own database (its served-mark
 * file), which the live-database check would refuse: opened without blocking, and only when it is a regular file.
 * @returns the file descriptor, or undefined when the path is something else (a folder, a pipe, a socket, a device)
 * @throws the open error (ENOENT, EACCES…) as it is
 */
export function openOwnRegularFileSync(absolute: string): number | undefined {
  let fd;
  try {
    fd = openSync(absolute, READ_NONBLOCK);
  } catch (error) {
    if (isNotOpenable(error)) return undefined;
    throw error;
  }
  let regular = false;
  try {
    regular = fstatSync(fd).isFile();
  } finally {
    if (!regular) closeSync(fd);
  }
  return regular ? fd : undefined;
}

/**
 * True for a pipe, socket or device: something other programs use, which the
 * file routes never read, replace nor delete (a folder or a symlink is not one).
 */
export function isSpecialFile(stats: Pick<Stats, 'isFile' | 'isDirectory' | 'isSymbolicLink'>): boolean {
  return !stats.isFile() && !stats.isDirectory() && !stats.isSymbolicLink();
}

/**
 * What stands at `absolute`, as a file route must judge it: a symlink counts
 * as what it points to (a symlink to a folder is a folder, never a file to
 * delete or replace); a dangling one counts as the link itself.
 * @returns the stats, or undefined when nothing is there
 */
export async function statThroughLink(absolute: string): Promise<Stats | undefined> {
  const own = await lstat(absolute).catch(() => undefined);
  if (own?.isSymbolicLink() !== true) return own;
  return (await stat(absolute).catch(() => undefined)) ?? own;
}
