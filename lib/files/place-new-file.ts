import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, readFileSync, unlinkSync } from 'node:fs';
import { link, open, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { syncDirectory } from './atomic-file';

/**
 * The codes link(2) answers on a file system without hard links: vfat and
 * exFAT (a USB stick) answer EPERM, some network shares and FUSE mounts
 * ENOTSUP, EOPNOTSUPP or ENOSYS, and odd bind-mount setups EXDEV.
 */
const NO_HARD_LINKS: ReadonlySet<string> = new Set(['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS', 'EXDEV']);

/** A name this process holds with a placeholder: the placeholder's exact text, and the temp file to go there. */
interface HeldName {
  readonly text: string;
  readonly temp: string;
}

/** The names this process holds (by resolved target), until the copy is renamed there or the placeholder removed. */
const held = new Map<string, HeldName>();

/** What to do when the name is taken, and what to tell once the file is there. */
export interface PlaceNewFileOptions {
  /** The error to throw when something is at the target (`EEXIST`, or the name held no longer ours). */
  readonly taken: (error: NodeJS.ErrnoException) => Error;
  /** Told as soon as the file is at the target (by this call, not by another process). */
  readonly onPlaced?: () => void;
}

/**
 * Puts a complete temp file (beside `target`, on the same file system) at
 * `target`, never replacing a file there, then syncs the folder. A hard
 * link does it in one step: it fails on a name that exists (`EEXIST`, given
 * to `taken`), and the file appears whole or not at all.
 *
 * A file system without hard links (see {@link NO_HARD_LINKS}) takes the
 * name another way, by steps; what a crash (power cut, SIGKILL) at each
 * leaves is:
 * 1. the temp file is fsynced: before, the target is untouched; the temp
 *    file is swept as a crash leftover at the next run to that target;
 * 2. the name is held: a placeholder is created exclusively (`wx`: `EEXIST`
 *    is `taken`, nothing replaced), filled with a line of text naming this
 *    run and fsynced. A crash from here to step 4 leaves that text at the
 *    target, which SQLite refuses ("file is not a database") and which says
 *    what it is; never an empty or partial database. Only a crash in the
 *    instant between the create and the write (a power cut: before the
 *    placeholder's fsync) can leave a 0-byte file there, which SQLite would
 *    open as an empty database: no backup, restore or join makes one, and
 *    `restore` refuses an empty backup (`checkBackupFile`);
 * 3. the name is checked to still hold this run's placeholder (another
 *    process may have removed it and put its own file there: `taken`; one
 *    that does so between this look and the rename loses its file, but
 *    only a process that itself removes or replaces names can);
 * 4. the temp file is renamed over the placeholder (one step on the file
 *    system: the placeholder or the whole file), and the folder is synced.
 *
 * A failure after step 2 removes the placeholder again (when it is still this
 * run's), so a refusal leaves the name as it found it; a signal's clean-up
 * does too ({@link abandonPlacementSync}). The temp file is the caller's to
 * remove when this throws.
 *
 * Not `copyFile(temp, target, COPYFILE_EXCL)`: it creates the target
 * exclusively too, but then writes the whole database into it, so a crash
 * during the copy leaves a partial database under the target's name (its
 * header whole: SQLite opens it), and it needs room for two copies on the stick.
 * @throws the error `taken` returns; the file system's error otherwise
 */
export async function placeNewFile(temp: string, target: string, options: PlaceNewFileOptions): Promise<void> {
  try {
    await link(temp, target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw options.taken(error as NodeJS.ErrnoException);
    if (code === undefined || !NO_HARD_LINKS.has(code)) throw error;
    await placeByRename(temp, target, options);
    return;
  }
  options.onPlaced?.();
  await unlink(temp);
  await syncDirectory(path.dirname(target));
}

/** Steps 1 to 4 of {@link placeNewFile}, for a file system without hard links. */
async function placeByRename(temp: string, target: string, options: PlaceNewFileOptions): Promise<void> {
  await syncFile(temp);
  const key = path.resolve(target);
  const text = `express-sqlite-sync (run ${process.pid}-${randomBytes(6).toString('hex')}): this name is held while a copy is put in place; this file is not a database. Still here after the command ended? It was stopped first: remove this file and run the command again.\n`;
  await holdName(target, { text, temp }, options);
  try {
    if (placeholderAt(target, text) !== 'whole') {
      throw options.taken(Object.assign(new Error(`EEXIST: ${target} no longer holds this run's placeholder: another process put a file there`), { code: 'EEXIST' }));
    }
    await rename(temp, target);
  } catch (error) {
    held.delete(key);
    if (placeholderAt(target, text) === 'whole') await unlink(target).catch(() => undefined); // this run's only: another's file is kept
    throw error;
  }
  held.delete(key);
  options.onPlaced?.();
  await syncDirectory(path.dirname(target));
}

/**
 * Creates the placeholder exclusively, fills it with `text` and fsyncs it.
 * @throws what `taken` returns for a name that exists
 */
async function holdName(target: string, name: HeldName, options: PlaceNewFileOptions): Promise<void> {
  let handle;
  try {
    handle = await open(target, 'wx', 0o644);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw options.taken(error as NodeJS.ErrnoException);
    throw error;
  }
  const key = path.resolve(target);
  held.set(key, name); // from here on, a signal's clean-up removes it (see abandonPlacementSync)
  try {
    await handle.writeFile(name.text);
    await handle.sync();
  } catch (error) {
    held.delete(key);
    await handle.close().catch(() => undefined);
    if (placeholderAt(target, name.text) !== 'other') await unlink(target).catch(() => undefined); // made by this run, not in place yet
    throw error;
  }
  await handle.close();
}

/** Flushes a file's bytes to disk (opened to write: Windows flushes only such a handle). */
async function syncFile(file: string): Promise<void> {
  const handle = await open(file, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * What is at `file`: this run's placeholder (`whole`), the start of it (`partial`: stopped while it was
 * written, empty included), something else (`other`), or nothing (`none`).
 */
function placeholderAt(file: string, text: string): 'whole' | 'partial' | 'other' | 'none' {
  try {
    if (lstatSync(file).size > Buffer.byteLength(text)) return 'other'; // never read a large file through
    const content = readFileSync(file, 'utf8');
    if (content === text) return 'whole';
    return text.startsWith(content) ? 'partial' : 'other';
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'none' : 'other';
  }
}

/**
 * For a command stopped by a signal while {@link placeNewFile} ran without
 * hard links: removes this process's placeholder at `target` (never a file
 * someone else put there), so neither an empty file nor its text is left
 * where the copy was to be.
 * @returns `removed` when a placeholder was removed, `placed` when the copy is
 * there already (renamed in place, not yet told), undefined when no placement
 * of `target` was under way
 */
export function abandonPlacementSync(target: string): 'removed' | 'placed' | undefined {
  const key = path.resolve(target);
  const name = held.get(key);
  if (name === undefined) return undefined;
  held.delete(key);
  const found = placeholderAt(key, name.text);
  if (found === 'other') return existsSync(name.temp) ? undefined : 'placed'; // the temp file gone: renamed there
  if (found === 'none') return undefined;
  try {
    unlinkSync(key);
  } catch {
    // gone meanwhile
  }
  return 'removed';
}
