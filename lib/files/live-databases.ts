import { realpath, stat } from 'node:fs/promises';
import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * The database files this process holds open through SQLite, and the rule
 * that protects them: such a file (or its `-wal`, `-shm`, `-journal`) is never
 * opened with plain `fs` calls, under any name. POSIX drops every lock a
 * process holds on a file when the process closes *any* descriptor of it, so
 * one open and close of a hard link (or a symlink) to `app.db` would leave
 * SQLite's connection without its locks: another process's connection would
 * then think it is alone, delete the WAL, and the server's later commits would
 * go into a deleted file, lost at the next crash. Files are compared by device
 * and inode, whatever the path that reaches them.
 */

/**
 * The served-mark file beside a live database (`SERVED_MARK_SUFFIX`): no SQLite file, but the server's own
 * state, never listed or served through a link either. It is found by its real path (a symlink) and by its
 * inode (a hard link under another name, `uploads/mark.json`, listed and sent to every peer before): it is
 * rewritten (a new inode) at every mark, so a hard link made before the last mark holds an older one and is an
 * ordinary file by then. The inodes kept are dropped at every mark written ({@link forgetLiveInodes}).
 */
const MARK_SUFFIX = '-syncmark';

/** The files whose inodes are kept: the database, its side files and its served mark. */
const SIDES = ['', '-wal', '-shm', '-journal', MARK_SUFFIX] as const;

/** True when `absolute`'s real path (links followed) is the served-mark file of a registered database. */
function isServedMarkOfLive(real: string): boolean {
  if (!real.endsWith(MARK_SUFFIX)) return false;
  const database = real.slice(0, -MARK_SUFFIX.length);
  return registered.has(database) || registeredReal.has(database);
}

/** How long the inodes of the registered files are reused before they are read again. */
const INODES_FRESH_MS = 1000;

const registered = new Set<string>();
/** The registered files by their real paths (a folder above one may be a symlink). */
const registeredReal = new Set<string>();
let inodes: { readonly at: number; readonly keys: ReadonlySet<string> } | undefined;

/** Device and inode, as numbers: the same key from `Stats` and `BigIntStats` (an inode above 2^53 may share its key with a neighbour; such a file is then left unopened too). */
function keyOf(stats: { readonly dev: number | bigint; readonly ino: number | bigint }): string {
  return `${Number(stats.dev)}:${Number(stats.ino)}`;
}

function liveInodes(): ReadonlySet<string> {
  const now = Date.now();
  if (inodes !== undefined && now - inodes.at < INODES_FRESH_MS) return inodes.keys;
  const keys = new Set<string>();
  for (const file of registered) {
    for (const side of SIDES) {
      try {
        keys.add(keyOf(statSync(`${file}${side}`)));
      } catch {
        // not there (no WAL yet, or no journal): nothing to protect
      }
    }
  }
  inodes = { at: now, keys };
  return keys;
}

/**
 * Registers a database file this process has open through SQLite (a path
 * relative to the working folder is resolved now). In-memory and temporary
 * databases (`:memory:`, `''`) are ignored.
 */
export function noteLiveDatabase(file: string): void {
  if (file === '' || file === ':memory:' || file.startsWith('file:')) return;
  registered.add(path.resolve(file));
  try {
    registeredReal.add(realpathSync(file));
  } catch {
    // not there yet: its resolved path stands for it
  }
  inodes = undefined;
}

/**
 * Drops the inodes kept of the registered files: called once a served mark was written (a new inode), so that
 * a hard link to the new one is known at once and the freed inode of the old one is no longer matched.
 */
export function forgetLiveInodes(): void {
  inodes = undefined;
}

/** True when `stats` (of any path, followed through symlinks) are those of a live database file of this process, one of its side files or its served mark. */
export function isLiveDatabaseInode(stats: { readonly dev: number | bigint; readonly ino: number | bigint }): boolean {
  if (registered.size === 0) return false;
  const key = keyOf(stats);
  if (!liveInodes().has(key)) return false;
  // A match is read again, fresh: a side file deleted since (a rollback journal after its transaction) may have left its inode to this file.
  inodes = undefined;
  return liveInodes().has(key);
}

/** True when the path leads (by name, hard link or symlink) to a live database file of this process or to its served mark: never open it. */
export async function isLiveDatabaseFile(absolute: string): Promise<boolean> {
  if (registered.size === 0) return false;
  try {
    return isLiveDatabaseInode(await stat(absolute)) || isServedMarkOfLive(await realpath(absolute));
  } catch {
    return false;
  }
}

/** {@link isLiveDatabaseFile}, synchronously. */
export function isLiveDatabaseFileSync(absolute: string): boolean {
  if (registered.size === 0) return false;
  try {
    return isLiveDatabaseInode(statSync(absolute)) || isServedMarkOfLive(realpathSync(absolute));
  } catch {
    return false;
  }
}
