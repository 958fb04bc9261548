import { closeSync, readSync } from 'node:fs';
import { lstat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { DATABASE_HEADER_BYTES, isDatabaseHeader, sideFileStart } from './file-policy';
import { isLiveDatabaseFile, isLiveDatabaseFileSync } from './live-databases';
import { openRegularFile, openRegularFileSync } from './regular-file';

/** The first {@link DATABASE_HEADER_BYTES} bytes of an open file (fewer for a shorter file). */
export async function readHeader(handle: FileHandle): Promise<Buffer> {
  const header = Buffer.alloc(DATABASE_HEADER_BYTES);
  const { bytesRead } = await handle.read(header, 0, header.length, 0);
  return header.subarray(0, bytesRead);
}

/** The first bytes of a file, or undefined when it cannot be read (missing, a folder, a pipe or device: never waited on). */
async function headerOf(absolute: string): Promise<Buffer | undefined> {
  try {
    const opened = await openRegularFile(absolute);
    if (opened === undefined) return undefined;
    try {
      return await readHeader(opened.handle);
    } finally {
      await opened.handle.close();
    }
  } catch {
    return undefined;
  }
}

function headerOfSync(absolute: string): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openRegularFileSync(absolute);
    if (fd === undefined) return undefined;
    const header = Buffer.alloc(DATABASE_HEADER_BYTES);
    return header.subarray(0, readSync(fd, header, 0, header.length, 0));
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * The database a side-file name (`-wal`, `-shm`, `-journal`, `-syncmark`, a
 * super-journal's `-mj…`; also folded, `-ſhm`) belongs to, when it has such a suffix.
 */
function mainFileOf(absolute: string): string | undefined {
  const name = path.basename(absolute);
  const start = sideFileStart(name);
  return start === undefined ? undefined : absolute.slice(0, absolute.length - (name.length - start));
}

/** True when the file at `absolute` is a database: one this process has open (never opened here: see live-databases.ts), or one whose first bytes say so. */
async function isDatabaseFile(absolute: string): Promise<boolean> {
  if (await isLiveDatabaseFile(absolute)) return true;
  const header = await headerOf(absolute);
  return header !== undefined && isDatabaseHeader(header);
}

/** {@link isDatabaseFile}, synchronously. */
function isDatabaseFileSync(absolute: string): boolean {
  if (isLiveDatabaseFileSync(absolute)) return true;
  const header = headerOfSync(absolute);
  return header !== undefined && isDatabaseHeader(header);
}

/**
 * True when the file on disk is a database, whatever its name: it starts
 * with SQLite, WAL, shared-memory or journal bytes, or it is the `-wal`,
 * `-shm`, `-journal` or `-syncmark` of a file beside it that does (a database
 * named `store` leaves `store-shm`, which has no header of its own worth
 * trusting), or of a database this process has open (its served-mark file).
 */
export async function isDatabaseOnDisk(absolute: string): Promise<boolean> {
  if (await isDatabaseFile(absolute)) return true;
  const main = mainFileOf(absolute);
  return main !== undefined && (await isDatabaseFile(main));
}

/**
 * {@link isDatabaseOnDisk} for a side-file name only, synchronously (for the
 * manifest scan): true for a file, or a folder, under the name of a side file
 * of a database beside it.
 */
export function isSideFileOfDatabaseSync(absolute: string): boolean {
  const main = mainFileOf(absolute);
  return main !== undefined && isDatabaseFileSync(main);
}

/**
 * The first folder on the way from `rootDir` to the file `relative` names
 * (`/`-separated; the file itself left out) that stands under the name of a
 * side file of a database beside it (`store-journal/` beside `store`, found by
 * its content or open in this process): SQLite cannot write that database
 * while a folder is there, so such a folder is never made nor entered.
 * @param folderItself - true when `relative` names a folder, to be looked at too (a manifest asked of `store-journal`)
 * @returns the folder, relative to the root, or undefined when there is none
 */
export async function databaseSideFolderOn(rootDir: string, relative: string, folderItself = false): Promise<string | undefined> {
  const segments = relative.split('/');
  const last = folderItself ? segments.length : segments.length - 1;
  for (let count = 1; count <= last; count += 1) {
    const main = mainFileOf(path.join(rootDir, ...segments.slice(0, count)));
    if (main !== undefined && (await isDatabaseFile(main))) return segments.slice(0, count).join('/');
  }
  return undefined;
}

/**
 * The first of the folders that `mkdir -p directory` would make that is
 * under the name of a side file of a database beside it (see
 * {@link databaseSideFolderOn}); folders already there are not looked at.
 * @returns its absolute path, or undefined
 */
export async function databaseSideFolderToMake(directory: string): Promise<string | undefined> {
  const missing: string[] = [];
  for (let current = directory; path.dirname(current) !== current; current = path.dirname(current)) {
    const absent = await lstat(current).then(
      () => false,
      (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT',
    );
    if (!absent) break;
    missing.push(current);
  }
  for (const folder of missing.reverse()) {
    const main = mainFileOf(folder);
    if (main !== undefined && (await isDatabaseFile(main))) return folder;
  }
  return undefined;
}
