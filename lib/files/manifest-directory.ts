import { lstatSync, readdirSync, realpathSync, statSync, type Dirent, type Stats } from 'node:fs';
import path from 'node:path';
import { isSideFileOfDatabaseSync } from './database-file';
import { shownPath } from './database-refusal';
import { digestLargeFile, digestSmallFile, WHOLE_READ_LIMIT, type FileDigest } from './file-hash';
import { isLiveDatabaseInode } from './live-databases';
import { RACY_WINDOW_MS, type ManifestCache } from './manifest-cache';
import type { ManifestEntry, ManifestScanOptions } from './manifest-types';
import type { UnsyncableName } from './name-report';
import { folderUnreadable, notPermitted } from './listing-refusal';
import { MAX_PATH_LENGTH, TEMP_FILE_MARKER, unsyncableNameReason } from './safe-path';
import { looksLikeTempFile, removeIfStaleTempFile } from './temp-files';
import type { ListedFile, Listing } from './watched-listings';

/*
 * One directory of a manifest scan (lib/files/manifest.ts walks the tree):
 * read from disk, its files stat'ed and digested, or answered from a
 * watched listing; the scan's state shared between directories.
 */

/** Longest stretch of synchronous work before the scan yields to the event loop. */
const SLICE_MS = 10;

/** What a scan carries from directory to directory. */
export interface ScanState {
  readonly rootReal: string;
  readonly options: ManifestScanOptions;
  readonly entries: ManifestEntry[];
  readonly seen: Set<string>;
  readonly pending: Array<readonly [string, string]>;
  /** Names left out because they cannot travel (reported in the cache's `names`). */
  readonly skipped: UnsyncableName[];
  /** Paths of the symbolic links left out (to a folder, out of the root, or to nothing): files held elsewhere, not deleted. */
  readonly links: string[];
  /** Directories read (not answered from a watched listing) in this scan. */
  reread: number;
  sliceStart: number;
}

/** The folder as a client names it, `<root>[/<folder>]`, shown with hidden characters escaped. */
function clientFolder(state: ScanState, relativeDir: string): string {
  return shownPath([state.options.rootName ?? '', relativeDir].filter((part) => part !== '').join('/') || '.');
}

/**
 * The directory's entries; undefined when it is gone (removed while
 * scanning: it has no files to offer).
 * @throws SyncError `FILE_UNREADABLE` (403) when this server may not read it: listed as empty, its files would be taken for deleted
 */
function readDirectory(state: ScanState, directory: string, relativeDir: string): Dirent[] | undefined {
  try {
    return readdirSync(directory, { withFileTypes: true });
  } catch (error) {
    if (notPermitted(error)) throw folderUnreadable(clientFolder(state, relativeDir));
    return undefined;
  }
}

/** Why a folder named like a database, or like a side file of one, is left out (`fileNameProblems`). */
const DATABASE_FOLDER = 'a folder named like an SQLite database or one of its side files (-wal, -shm, -journal): never entered or synced, and SQLite cannot open a database of that name beside it; rename it';

/** Why a folder named `*.lock` is left out: locks are never synced, whatever made them (a lock a tool holds for a moment, as proper-lockfile's, is one). */
const LOCK_FOLDER = 'a folder named *.lock, as tools name their locks: never entered or synced (a lock held for a moment goes by itself); if it holds files to sync, rename it';

/** Notes a symbolic link the scan leaves out (`fileNameProblems`): a peer holding the file it replaced would otherwise not hear of it. */
function skipLink(state: ScanState, entry: Dirent, relativeDir: string, reason: string): undefined {
  const relative = relativeDir === '' ? entry.name : `${relativeDir}/${entry.name}`;
  state.skipped.push({ path: relative, reason });
  state.links.push(relative);
  return undefined;
}

/**
 * True when a link's target inside the root is named like a database, or lies
 * in a folder so named, or under the side-file name of a database beside it
 * (as the scan leaves such files and folders out, it leaves out a link to them).
 */
function leadsToDatabase(state: ScanState, target: string): boolean {
  const segments = path.relative(state.rootReal, target).split(path.sep);
  if (state.options.policy.isDatabaseName(segments.join('/'))) return true;
  return segments.some((_segment, index) => isSideFileOfDatabaseSync(path.join(state.rootReal, ...segments.slice(0, index + 1))));
}

/**
 * Stats of a regular file to list, following a symlink only when it stays inside the root
 * and leads to no database name.
 * @throws SyncError `FILE_UNREADABLE` (403) when its folder may be read but not entered (a file itself is never refused its `lstat`)
 */
function statListable(state: ScanState, absolute: string, entry: Dirent, relativeDir: string): Stats | undefined {
  try {
    if (entry.isFile()) return lstatSync(absolute);
    if (!entry.isSymbolicLink()) return undefined;
    const target = realpathSync(absolute);
    const inside = target === state.rootReal || target.startsWith(state.rootReal + path.sep); // `inner -> .` is a link to a folder in the root
    if (!inside) return skipLink(state, entry, relativeDir, 'a symbolic link that leaves the root: not synced');
    if (target !== state.rootReal && leadsToDatabase(state, target)) return skipLink(state, entry, relativeDir, 'a symbolic link to a database file name (or into a folder under one): not synced');
    const stats = statSync(target);
    if (stats.isDirectory()) return skipLink(state, entry, relativeDir, 'a symbolic link to a folder: not entered');
    return stats.isFile() ? stats : undefined;
  } catch (error) {
    if (entry.isFile() && notPermitted(error)) throw folderUnreadable(clientFolder(state, relativeDir));
    // A link to nothing (its disk not mounted, a loop): its path is still held here, not deleted; said, as the others are.
    if (entry.isSymbolicLink()) return skipLink(state, entry, relativeDir, 'a symbolic link that points to nothing (its target missing, a disk not mounted, or a loop): not synced, and peers keep their copies');
    return undefined; // vanished
  }
}

/** The file's digest from the cache, by one read (small files) or, for large files, a stream. */
function lookUpDigest(cache: ManifestCache, absolute: string, stats: Stats): FileDigest | Promise<FileDigest> {
  const cached = cache.get(absolute, stats);
  if (cached !== undefined) return cached;
  if (stats.size > WHOLE_READ_LIMIT) {
    return digestLargeFile(absolute).then((digest) => {
      cache.set(absolute, stats, digest);
      return digest;
    });
  }
  const digest = digestSmallFile(absolute);
  cache.set(absolute, stats, digest);
  return digest;
}

function record(state: ScanState, relative: string, file: ListedFile): void {
  if (file.sha256 !== undefined) state.entries.push({ path: relative, size: file.size, mtimeMs: file.mtimeMs, sha256: file.sha256 });
}

/**
 * Digests one file; undefined when it vanished while being read.
 * @throws SyncError `FILE_UNREADABLE` (403) when this server may not read it (mode 000, another user's): left out, a
 * peer holding a base with it would take it for deleted (as for a folder, see {@link folderUnreadable})
 */
async function digestOf(state: ScanState, absolute: string, stats: Stats, relative: string): Promise<FileDigest | undefined> {
  try {
    return await lookUpDigest(state.options.cache, absolute, stats);
  } catch (error) {
    if (notPermitted(error)) throw folderUnreadable(clientFolder(state, relative), 'file');
    return undefined;
  }
}

async function yieldIfSliceUsed(state: ScanState): Promise<void> {
  if (performance.now() - state.sliceStart < SLICE_MS) return;
  await new Promise((resolve) => setImmediate(resolve));
  state.sliceStart = performance.now();
}

/**
 * Reads one directory: every file stat'ed and digested (from the cache when
 * unchanged), subdirectories queued. Returns the listing, undefined when it
 * cannot be trusted later (a symlink, a file changed within the racy window,
 * a file that vanished), or `'missing'` when the directory is gone.
 */
export async function readListing(state: ScanState, directory: string, relativeDir: string, readAt: number): Promise<Listing | undefined | 'missing'> {
  const dirents = readDirectory(state, directory, relativeDir);
  if (dirents === undefined) return 'missing';
  const files: ListedFile[] = [];
  const subdirs: string[] = [];
  const skipped: Array<{ name: string; reason: string }> = [];
  let trustable = true;
  for (const entry of dirents) {
    const relative = relativeDir === '' ? entry.name : `${relativeDir}/${entry.name}`;
    const left = nameLeftOut(state, entry.name, relative, directory);
    if (left === 'temp') trustable = false; // a folder holding one is re-read next time, to look again
    if (left === 'temp' || left === 'database') continue;
    if (left !== undefined) {
      skipped.push({ name: entry.name, reason: left });
      state.skipped.push({ path: relative, reason: left });
      continue;
    }
    const absolute = `${directory}${path.sep}${entry.name}`;
    if (entry.isDirectory()) {
      // A folder named like a database (`app.db-journal/`), or like a side file of one beside it found by its content
      // (`store-journal/` beside `store`), is never entered, listed or synced; it is reported (`fileNameProblems`), as
      // what it holds never syncs and SQLite cannot open a database of its name, unless the operator's own pattern
      // (`extraDatabasePatterns`) leaves it out on purpose.
      if (state.options.policy.isDatabaseName(relative) || isSideFileOfDatabaseSync(absolute)) {
        if (state.options.policy.refusingPattern?.(relative) === undefined) {
          const reason = entry.name.toLowerCase().endsWith('.lock') ? LOCK_FOLDER : DATABASE_FOLDER;
          skipped.push({ name: entry.name, reason });
          state.skipped.push({ path: relative, reason });
        }
        continue;
      }
      subdirs.push(entry.name);
      state.options.cache.listings?.invalidate(absolute);
      state.pending.push([absolute, relative]);
      continue;
    }
    if (state.options.policy.isDatabaseName(relative) || isSideFileOfDatabaseSync(absolute)) continue;
    const stats = statListable(state, absolute, entry, relativeDir);
    if (stats !== undefined && isLiveDatabaseInode(stats)) continue; // a link to a database this process has open: never opened (live-databases.ts)
    const digest = stats === undefined ? undefined : await digestOf(state, absolute, stats, relative);
    if (stats === undefined || digest === undefined || entry.isSymbolicLink() || readAt - stats.mtimeMs < RACY_WINDOW_MS) trustable = false;
    if (stats !== undefined && digest !== undefined) {
      state.seen.add(absolute);
      const file: ListedFile = { name: entry.name, size: stats.size, mtimeMs: stats.mtimeMs, sha256: digest.kind === 'file' ? digest.sha256 : undefined };
      files.push(file);
      record(state, relative, file);
    }
    await yieldIfSliceUsed(state);
  }
  return trustable ? { files, subdirs, skipped } : undefined;
}

/**
 * Why a name is left out before it is looked at: `'temp'` for our temp file (of any version; removed when a crash
 * left it), `'database'` for a database name holding the temp marker (`backup.sync-tmp-2019.db`: left out as a
 * database, not reported as a name to fix), else the reason a name no route would take (not in NFC, a control
 * character, `CON`, a user's own name holding the marker…) or a path longer than any route takes stays here: a peer
 * would refuse the whole listing. Such a reason is reported (cache.names), never left out silently. Undefined: listed.
 */
function nameLeftOut(state: ScanState, name: string, relative: string, directory: string): 'temp' | 'database' | string | undefined {
  if (name.includes(TEMP_FILE_MARKER)) {
    if (looksLikeTempFile(name)) {
      removeIfStaleTempFile(`${directory}${path.sep}${name}`);
      return 'temp';
    }
    if (state.options.policy.isDatabaseName(relative)) return 'database';
  }
  return unsyncableNameReason(name) ?? tooLong(state, relative);
}

/** Why a path is left out for its length (no route takes a client path `<root>/<path>` that long); undefined when it is not. */
function tooLong(state: ScanState, relative: string): string | undefined {
  const length = (state.options.rootName?.length ?? 0) + 1 + relative.length;
  return length > MAX_PATH_LENGTH ? `the path is ${length} characters with its root's name, over ${MAX_PATH_LENGTH}` : undefined;
}

/** Lists a directory whose watcher saw no change: no `lstat`, no read. */
export function reuseListing(state: ScanState, directory: string, relativeDir: string, listing: Listing): void {
  for (const file of listing.files) {
    state.seen.add(`${directory}${path.sep}${file.name}`);
    record(state, relativeDir === '' ? file.name : `${relativeDir}/${file.name}`, file);
  }
  for (const { name, reason } of listing.skipped ?? []) state.skipped.push({ path: relativeDir === '' ? name : `${relativeDir}/${name}`, reason });
  for (const name of listing.subdirs) state.pending.push([`${directory}${path.sep}${name}`, relativeDir === '' ? name : `${relativeDir}/${name}`]);
}
