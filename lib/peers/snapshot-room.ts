import { statfs } from 'node:fs/promises';
import path from 'node:path';
import { shellWord } from '../shell-word';
import { SyncError } from '../sync-error';

/** Free space kept beside a snapshot: 64 MiB, or a tenth of the snapshot when that is more (the database's own growth, its WAL, the app). */
export function snapshotMarginBytes(bytes: number): number {
  return Math.max(64 * 1024 * 1024, Math.ceil(bytes / 10));
}

/** How often (bytes written) a download checks the free space again. */
export const ROOM_CHECK_EVERY_BYTES = 64 * 1024 * 1024;

/**
 * Bytes free for this process on the disk of `folder` (blocks available to unprivileged users);
 * undefined when the filesystem tells no size (`statfs` fails, as on some FUSE or network mounts,
 * or reports no blocks at all, as /proc does): then nothing is checked, and a disk that fills up
 * still ends the download as a write error.
 */
async function freeBytes(folder: string): Promise<number | undefined> {
  const facts = await statfs(folder).catch(() => undefined);
  if (facts === undefined || facts.blocks === 0) return undefined;
  return facts.bavail * facts.bsize;
}

/**
 * Refuses a snapshot whose `remaining` bytes (of `total` announced) would not fit in `file`'s folder
 * with {@link snapshotMarginBytes} to spare: checked before the download, and again as it comes
 * (another writer may fill the disk meanwhile).
 * @throws SyncError `SNAPSHOT_NO_SPACE` (507) naming the sizes, the folder and the fix
 */
export async function checkSnapshotRoom(file: string, total: number, remaining: number): Promise<void> {
  const folder = path.dirname(file);
  const free = await freeBytes(folder);
  const needed = remaining + snapshotMarginBytes(total);
  if (free === undefined || free >= needed) return;
  throw new SyncError(
    'SNAPSHOT_NO_SPACE',
    507,
    `the snapshot is ${total} bytes${remaining < total ? ` (${remaining} still to come)` : ''} and ${folder} has ${free} bytes free, less than it needs with a margin of ${snapshotMarginBytes(total)}: ` +
      `free ${needed - free} bytes there (df -h ${shellWord(folder)}), or put the database on a larger disk (a temp folder: set TMPDIR to one); nothing was kept`,
  );
}

/** A write refused for room: a full disk, a quota, a file size limit (`ulimit -f`), as Node and SQLite name them. */
const NO_ROOM_CODES = new Set(['ENOSPC', 'EDQUOT', 'EFBIG', 'SQLITE_FULL', 'SQLITE_IOERR_WRITE']);

/**
 * A snapshot's write that the disk refused for room once it was under way (written, or made the
 * copy's own: the new site id rewrites every clock row, and the file grows), as
 * `SNAPSHOT_NO_SPACE`, naming the file, the folder and the fix; SQLite's own words ("database
 * or disk is full", "disk I/O error") named neither. Undefined for any other failure.
 */
export function snapshotWriteRefused(error: unknown, file: string): SyncError | undefined {
  const { code } = error as { code?: unknown };
  if (typeof code !== 'string' || !NO_ROOM_CODES.has(code)) return undefined;
  const folder = path.dirname(file);
  const detail = error instanceof Error ? error.message : String(error);
  return new SyncError(
    'SNAPSHOT_NO_SPACE',
    507,
    `the snapshot could not be written to ${file} (${code}: ${detail}): the disk of ${folder} is full, or the file met a size limit: ` +
      `free space there (df -h ${shellWord(folder)}), raise the file size limit (ulimit -f), or put the database on a larger disk (a temp folder: set TMPDIR to one); nothing was kept`,
    { cause: error },
  );
}
