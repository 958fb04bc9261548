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
