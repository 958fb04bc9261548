import { createHash, randomBytes } from 'node:crypto';
import { lstatSync, readdirSync, rmdirSync, unlinkSync, type Stats } from 'node:fs';
import path from 'node:path';
import { DEFAULTS } from '../defaults';
import { TEMP_FILE_MARKER } from './safe-path';

/**
 * Our temp files: `.<name>.sync-tmp-<pid>-<random>`, beside their target.
 * A crash (power cut, SIGKILL) mid-transfer leaves one behind; it is never
 * listed, and it is removed by {@link sweepStaleTempFilesSync} when its root
 * is opened and by the manifest scan that starts every file sync, once it is
 * stale: not in use by this process, and either written by a process that is
 * gone (or by this one's pid in an earlier life) or untouched for longer
 * than a transfer can pause (`DEFAULTS.staleTempFileMs`).
 */

const REGISTRY_KEY = Symbol.for('express-sqlite-sync.activeTempFiles');

/** Temp files this process has reserved and not yet committed or removed (shared by every copy of the module). */
function activeTempFiles(): Set<string> {
  const holder = globalThis as { [REGISTRY_KEY]?: Set<string> };
  holder[REGISTRY_KEY] ??= new Set<string>();
  return holder[REGISTRY_KEY];
}

/**
 * A new temp file name beside `target`, reserved for this process until
 * {@link releaseTempPath}: hidden, marked with {@link TEMP_FILE_MARKER} so scans
 * skip it, stamped with our pid, and random so concurrent writers never share one.
 */
export function reserveTempPath(target: string): string {
  const tempPath = path.join(path.dirname(target), `${tempPrefixOf(target)}${process.pid}-${randomBytes(6).toString('hex')}`);
  activeTempFiles().add(tempPath);
  return tempPath;
}

/** Longest name a file system takes, in bytes. */
const MAX_NAME_BYTES = 255;
/** Bytes after the name in the longest temp name: marker, a 10-digit pid, `-`, 12 hex, and SQLite's `-journal`. */
const SUFFIX_BYTES = TEMP_FILE_MARKER.length + 10 + 1 + 12 + '-journal'.length;
/** Longest target name kept whole in a temp name (the leading dot counted). */
const MAX_KEPT_NAME_BYTES = MAX_NAME_BYTES - SUFFIX_BYTES - 1;

/** The longest start of `name` that is at most `bytes` bytes of UTF-8, never cutting a character. */
function utf8Prefix(name: string, bytes: number): string {
  let kept = '';
  for (const character of name) {
    if (Buffer.byteLength(kept + character, 'utf8') > bytes) break;
    kept += character;
  }
  return kept;
}

/**
 * The start of every temp name of `target`: `.<name>.sync-tmp-`. A name too
 * long for that to fit in 255 bytes is cut and ended with `~` and 8 hex
 * characters of its SHA-256, so that the temp name fits and stays the same
 * for the same target (the sweep of one target finds it).
 */
export function tempPrefixOf(target: string): string {
  const name = path.basename(target);
  if (Buffer.byteLength(name, 'utf8') <= MAX_KEPT_NAME_BYTES) return `.${name}${TEMP_FILE_MARKER}`;
  const tag = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `.${utf8Prefix(name, MAX_KEPT_NAME_BYTES - tag.length - 1)}~${tag}${TEMP_FILE_MARKER}`;
}

/** Ends the reservation of a temp file (it was renamed into place or removed). */
export function releaseTempPath(tempPath: string): void {
  activeTempFiles().delete(tempPath);
}

/** The pid a temp file name was stamped with, when it has one (also for SQLite's `-journal`, `-wal`, `-shm` of a temp database). */
function writerPid(name: string): number | undefined {
  const match = /^(\d{1,10})-[0-9a-f]+(?:-journal|-wal|-shm)?$/.exec(name.slice(name.lastIndexOf(TEMP_FILE_MARKER) + TEMP_FILE_MARKER.length));
  return match === null ? undefined : Number(match[1]);
}

/**
 * The whole shape of a name {@link reserveTempPath} makes: a leading dot, the
 * target's name (or its shortened form, which ends in `~` and 8 hex), the
 * marker, `<pid>-<12 hex>`, and SQLite's `-journal`, `-wal` or `-shm` of a temp
 * database. A user's own file that merely holds the marker does not match.
 */
const TEMP_NAME_SHAPE = /^\..+\.sync-tmp-\d{1,10}-[0-9a-f]{12}(?:-journal|-wal|-shm)?$/su;

/**
 * True when `name` (a base name) has the shape of one of our temp files,
 * `.<name>.sync-tmp-<pid>-<12 hex>` with an optional `-journal`, `-wal` or
 * `-shm`; only such a name is ever removed as a crash leftover.
 */
export function isTempFileName(name: string): boolean {
  return TEMP_NAME_SHAPE.test(name);
}

/**
 * True when `name` looks like a temp file of any version: a leading dot, the
 * marker, then hex digits and dashes (an earlier version's `.<name>.sync-tmp-<8 hex>`
 * included), with an optional SQLite side suffix. Scans leave such names out
 * without a word; a user's own name that holds the marker otherwise is reported.
 */
export function looksLikeTempFile(name: string): boolean {
  return isTempFileName(name) || /^\..+\.sync-tmp-[0-9a-f-]+(?:-journal|-wal|-shm)?$/su.test(name);
}

/** True when a process with this pid runs (ours or someone else's). */
export function isProcessRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, someone else's
  }
}

/**
 * True when a temp file can be removed: this process is not writing it, and
 * its writer is gone (a crashed process, or this pid before a restart) or it
 * has not been written to for `staleAfterMs`.
 */
export function isStaleTempFile(absolute: string, stats: Pick<Stats, 'mtimeMs'>, now = Date.now(), staleAfterMs: number = DEFAULTS.staleTempFileMs): boolean {
  if (activeTempFiles().has(absolute)) return false;
  if (now - stats.mtimeMs > staleAfterMs) return true;
  const pid = writerPid(path.basename(absolute));
  return pid !== undefined && (pid === process.pid || !isProcessRunning(pid));
}

/** Removes `absolute` when it is one of our temp files and stale; true when it was removed. */
export function removeIfStaleTempFile(absolute: string, now = Date.now()): boolean {
  if (!isTempFileName(path.basename(absolute))) return false; // a user's file that holds the marker is theirs
  try {
    const stats = lstatSync(absolute);
    if (!stats.isFile() || !isStaleTempFile(absolute, stats, now)) return false;
    unlinkSync(absolute);
    return true;
  } catch {
    return false; // gone meanwhile, or not ours to remove
  }
}

/**
 * Removes every stale temp file under `directory` (symlinked folders are not
 * entered), and the folders below `directory` that this leaves empty: an upload
 * or a download made them for its temp file (`uploads/new/deep/.x.sync-tmp-…`)
 * and the crash left them, and an empty folder there would stand in the way of
 * a peer's file of its name (folders are not synced). Synchronous: it runs
 * once, when a root is opened, before the server answers anyone.
 * @returns the paths removed
 */
export function sweepStaleTempFilesSync(directory: string, now = Date.now()): string[] {
  const removed: string[] = [];
  const pending = [directory];
  for (let current = pending.pop(); current !== undefined; current = pending.pop()) {
    let entries;
    try {
      entries = readdirSync(current, { withFileTypes: true });
    } catch {
      continue; // unreadable or gone
    }
    for (const entry of entries) {
      const absolute = path.join(current, entry.name);
      if (entry.isDirectory()) pending.push(absolute);
      else if (entry.isFile() && removeIfStaleTempFile(absolute, now)) removed.push(absolute);
    }
  }
  for (const file of removed) removeEmptyFoldersUpTo(path.dirname(file), directory);
  return removed;
}

/** Removes `folder` and its parents while empty, up to `top` (kept). */
function removeEmptyFoldersUpTo(folder: string, top: string): void {
  for (let current = folder; current !== top && current.startsWith(top + path.sep); current = path.dirname(current)) {
    try {
      rmdirSync(current);
    } catch {
      return; // not empty (or gone, or not ours to remove): the folders above it are not empty either
    }
  }
}

/** Removes the stale temp files of one target (`.<name>.sync-tmp-…` beside it), as a crashed writer of it left them. */
export function sweepStaleTempFilesOf(target: string, now = Date.now()): void {
  const prefix = tempPrefixOf(target);
  let names: string[];
  try {
    names = readdirSync(path.dirname(target));
  } catch {
    return;
  }
  for (const name of names) if (name.startsWith(prefix)) removeIfStaleTempFile(path.join(path.dirname(target), name), now);
}
