import { userInfo } from 'node:os';
import path from 'node:path';
import { shellWord } from '../shell-word';
import { SyncError } from '../sync-error';

/** Codes of a folder or file this server's user may not change. */
const NOT_PERMITTED = new Set(['EACCES', 'EPERM']);
/** Codes of a full disk (or a user's quota). */
const NO_ROOM = new Set(['ENOSPC', 'EDQUOT']);

/** The user this server runs as, by name (by uid when it has none), for the `chown` of a fix. */
function thisUser(): string {
  try {
    return userInfo().username;
  } catch {
    return String(process.getuid?.() ?? '');
  }
}

/**
 * A file step's failure on this server's own disk (Node's error, with the path
 * it met: a sync root's folder or file this server's user may not change, a
 * read-only disk, a full disk, a file size limit), in words that name the folder and what to do
 * there. Such a failure does not heal by itself at the next round, as the
 * step's raw words ("EACCES: permission denied, open …") let an operator
 * believe. Undefined for anything else: a peer's refusal is a {@link SyncError}
 * naming its own fix, and a link's failure carries no path.
 */
export function localFileFailure(error: unknown): { code: string; message: string } | undefined {
  if (error instanceof SyncError || !(error instanceof Error)) return undefined;
  const { code, path: where } = error as NodeJS.ErrnoException;
  if (typeof code !== 'string' || typeof where !== 'string') return undefined;
  const folder = shellWord(path.dirname(where));
  if (NOT_PERMITTED.has(code)) {
    const user = thisUser();
    return {
      code,
      message: `${error.message}: this server's user (${user}) may not change ${folder} (a folder made by another user, or left read-only): give it that folder, chown -R ${shellWord(user)} ${folder} && chmod -R u+rwX ${folder}; the next round syncs it`,
    };
  }
  if (code === 'EROFS') return { code, message: `${error.message}: ${folder} is on a read-only disk of this server: remount it read-write, or give the sync root a folder on a writable disk; the next round syncs it` };
  if (NO_ROOM.has(code)) return { code, message: `${error.message}: this server's disk holding ${folder} is full: free space there; the next round syncs it` };
  if (code === 'EFBIG') {
    return { code, message: `${error.message}: the file is over this server's file size limit (ulimit -f of its process, or the largest file of the disk holding ${folder}: 4 GiB on FAT32): raise the limit, or give the sync root a folder on another disk; the next round syncs it` };
  }
  return undefined;
}
