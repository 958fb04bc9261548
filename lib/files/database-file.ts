import { closeSync, readSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { DATABASE_HEADER_BYTES, isDatabaseHeader, sideFileSuffix } from './file-policy';
import { isLiveDatabaseFile } from './live-databases';
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

/** The database a side-file name (`-wal`, `-shm`, `-journal`, `-syncmark`, a super-journal's `-mj…`) belongs to, when it has such a suffix. */
function mainFileOf(absolute: string): string | undefined {
  const suffix = sideFileSuffix(path.basename(absolute));
  return suffix === undefined ? undefined : absolute.slice(0, absolute.length - suffix.length);
}

/**
 * True when the file on disk is a database, whatever its name: it starts
 * with SQLite, WAL, shared-memory or journal bytes, or it is the `-wal`,
 * `-shm` or `-journal` of a file beside it that does (a database named
 * `store` leaves `store-shm`, which has no header of its own worth trusting).
 */
export async function isDatabaseOnDisk(absolute: string): Promise<boolean> {
  if (await isLiveDatabaseFile(absolute)) return true; // never opened: see live-databases.ts
  const header = await headerOf(absolute);
  if (header !== undefined && isDatabaseHeader(header)) return true;
  const main = mainFileOf(absolute);
  if (main === undefined) return false;
  const mainHeader = await headerOf(main);
  return mainHeader !== undefined && isDatabaseHeader(mainHeader);
}

/** {@link isDatabaseOnDisk} for a side-file name only, synchronously (for the manifest scan). */
export function isSideFileOfDatabaseSync(absolute: string): boolean {
  const main = mainFileOf(absolute);
  if (main === undefined) return false;
  const header = headerOfSync(main);
  return header !== undefined && isDatabaseHeader(header);
}
