import { lstatSync, readdirSync, realpathSync, statSync, type Dirent, type Stats } from 'node:fs';
import path from 'node:path';
import { isSideFileOfDatabaseSync } from './database-file';
import { digestLargeFile, digestSmallFile, WHOLE_READ_LIMIT, type FileDigest } from './file-hash';
import type { FilePolicy } from './file-policy';
import { RACY_WINDOW_MS, type ManifestCache } from './manifest-cache';
import type { UnsyncableName } from './name-report';
import { MAX_PATH_LENGTH, TEMP_FILE_MARKER, unsyncableNameReason } from './safe-path';
import { removeIfStaleTempFile } from './temp-files';
import { isLiveDatabaseInode } from './live-databases';
import { settleWatchEvents, type ListedFile, type Listing } from './watched-listings';
import { knownOptions } from '../option-checks';

/** One file of a manifest. */
export interface ManifestEntry {
  /** Path relative to the sync root, `/`-separated. */
  readonly path: string;
  /** Size in bytes. */
  readonly size: number;
  /** Last modification time, milliseconds since the epoch. */
  readonly mtimeMs: number;
  /** SHA-256 of the content, lower-case hex. */
  readonly sha256: string;
}

/** What {@link scanManifest} needs besides the directory. */
export interface ManifestScanOptions {
  /** Decides which files are databases (left out). */
  readonly policy: FilePolicy;
  /** Digest cache (and watched listings) shared between scans. */
  readonly cache: ManifestCache;
  /** The root's name: a path whose client path (`<root>/<path>`) is longer than any route takes is left out. */
  readonly rootName?: string;
}

/** The option names {@link scanManifest} knows. */
const SCAN_OPTIONS: ReadonlySet<string> = new Set(['policy', 'cache', 'rootName']);

/**
 * Checks {@link scanManifest}'s options: a missing cache or policy would fail deep in the scan, a typo'd `rootName` would report nothing.
 * @throws TypeError naming what is wrong
 */
function checkScanOptions(options: unknown): void {
  knownOptions(options, SCAN_OPTIONS, 'scanManifest');
  const { policy, cache, rootName } = options as Partial<Record<string, unknown>>;
  const has = (value: unknown, method: string): boolean => typeof (value as Record<string, unknown> | undefined)?.[method] === 'function';
  if (!has(policy, 'isDatabaseName') || !has(policy, 'isDatabaseContent')) throw new TypeError('express-sqlite-sync: `policy` of scanManifest must be a FilePolicy (createFilePolicy())');
  if (!has(cache, 'prune')) throw new TypeError('express-sqlite-sync: `cache` of scanManifest must be a ManifestCache (new ManifestCache())');
  if (rootName !== undefined && typeof rootName !== 'string') throw new TypeError('express-sqlite-sync: `rootName` of scanManifest must be a string');
}

/** Longest stretch of synchronous work before the scan yields to the event loop. */
const SLICE_MS = 10;

interface ScanState {
  readonly rootReal: string;
  readonly options: ManifestScanOptions;
  readonly entries: ManifestEntry[];
  readonly seen: Set<string>;
  readonly pending: Array<readonly [string, string]>;
  /** Names left out because they cannot travel (reported in the cache's `names`). */
  readonly skipped: UnsyncableName[];
  /** Directories read (not answered from a watched listing) in this scan. */
  reread: number;
  sliceStart: number;
}

function readDirectory(directory: string): Dirent[] | undefined {
  try {
    return readdirSync(directory, { withFileTypes: true });
  } catch {
    return undefined; // removed or unreadable while scanning: it has no files to offer
  }
}

/** Stats of a regular file to list, following a symlink only when it stays inside the root. */
function statListable(absolute: string, entry: Dirent, rootReal: string): Stats | undefined {
  try {
    if (entry.isFile()) return lstatSync(absolute);
    if (!entry.isSymbolicLink()) return undefined;
    const target = realpathSync(absolute);
    if (!target.startsWith(rootReal + path.sep)) return undefined;
    const stats = statSync(target);
    return stats.isFile() ? stats : undefined;
  } catch {
    return undefined; // vanished or dangling
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

/** Digests one file; undefined when it vanished while being read. */
async function digestOf(state: ScanState, absolute: string, stats: Stats): Promise<FileDigest | undefined> {
  try {
    return await lookUpDigest(state.options.cache, absolute, stats);
  } catch {
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
async function readListing(state: ScanState, directory: string, relativeDir: string, readAt: number): Promise<Listing | undefined | 'missing'> {
  const dirents = readDirectory(directory);
  if (dirents === undefined) return 'missing';
  const files: ListedFile[] = [];
  const subdirs: string[] = [];
  const skipped: Array<{ name: string; reason: string }> = [];
  let trustable = true;
  for (const entry of dirents) {
    if (entry.name.includes(TEMP_FILE_MARKER)) {
      // Never listed; removed when a crash left it (a folder holding one is re-read next time, to look again).
      removeIfStaleTempFile(`${directory}${path.sep}${entry.name}`);
      trustable = false;
      continue;
    }
    // A name no route would take (not in NFC, a control character, `CON`…) stays here, unlisted: a peer would refuse the whole
    // listing. So does a path longer than any route takes. Either is reported (cache.names), never left out silently.
    const relative = relativeDir === '' ? entry.name : `${relativeDir}/${entry.name}`;
    const reason = unsyncableNameReason(entry.name) ?? tooLong(state, relative);
    if (reason !== undefined) {
      skipped.push({ name: entry.name, reason });
      state.skipped.push({ path: relative, reason });
      continue;
    }
    const absolute = `${directory}${path.sep}${entry.name}`;
    if (entry.isDirectory()) {
      // A folder named like a database (`app.db-journal/`), or like a side file of one beside it found by its content
      // (`store-journal/` beside `store`), is never entered, listed or synced.
      if (state.options.policy.isDatabaseName(relative) || isSideFileOfDatabaseSync(absolute)) continue;
      subdirs.push(entry.name);
      state.options.cache.listings?.invalidate(absolute);
      state.pending.push([absolute, relative]);
      continue;
    }
    if (state.options.policy.isDatabaseName(relative) || isSideFileOfDatabaseSync(absolute)) continue;
    const stats = statListable(absolute, entry, state.rootReal);
    if (stats !== undefined && isLiveDatabaseInode(stats)) continue; // a link to a database this process has open: never opened (live-databases.ts)
    const digest = stats === undefined ? undefined : await digestOf(state, absolute, stats);
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

/** Why a path is left out for its length (no route takes a client path `<root>/<path>` that long); undefined when it is not. */
function tooLong(state: ScanState, relative: string): string | undefined {
  const length = (state.options.rootName?.length ?? 0) + 1 + relative.length;
  return length > MAX_PATH_LENGTH ? `the path is ${length} characters with its root's name, over ${MAX_PATH_LENGTH}` : undefined;
}

/** Lists a directory whose watcher saw no change: no `lstat`, no read. */
function reuseListing(state: ScanState, directory: string, relativeDir: string, listing: Listing): void {
  for (const file of listing.files) {
    state.seen.add(`${directory}${path.sep}${file.name}`);
    record(state, relativeDir === '' ? file.name : `${relativeDir}/${file.name}`, file);
  }
  for (const { name, reason } of listing.skipped ?? []) state.skipped.push({ path: relativeDir === '' ? name : `${relativeDir}/${name}`, reason });
  for (const name of listing.subdirs) state.pending.push([`${directory}${path.sep}${name}`, relativeDir === '' ? name : `${relativeDir}/${name}`]);
}

/**
 * Walks the tree depth-first without recursion. A directory whose watched
 * listing is trusted is answered from it; any other is read, with cached and
 * small files handled synchronously. The walk awaits only for a large file
 * or, every {@link SLICE_MS}, to let the event loop run.
 */
async function walk(state: ScanState, start: string, folder: string): Promise<void> {
  const listings = state.options.cache.listings;
  if (listings !== undefined) await settleWatchEvents();
  state.pending.push([start, folder]);
  for (let next = state.pending.pop(); next !== undefined; next = state.pending.pop()) {
    const [directory, relativeDir] = next;
    const now = Date.now();
    const trusted = listings?.trusted(directory, now);
    if (trusted !== undefined) {
      reuseListing(state, directory, relativeDir, trusted);
      continue;
    }
    listings?.arm(directory);
    state.reread += 1;
    const listing = await readListing(state, directory, relativeDir, now);
    listings?.store(directory, listing === 'missing' ? undefined : listing, now);
    // Stop watching folders that are gone, so watchers are not spent on them.
    if (listing === 'missing') listings?.forgetBelow(directory, undefined);
    else if (listing !== undefined) listings?.forgetBelow(directory, listing.subdirs);
  }
}

/**
 * Lists every file under `rootDir/folder` with its size, mtime and SHA-256,
 * sorted by path. Database files (by name or content), folders named like
 * a database (and all they hold) and our temp files are left out (a stale
 * temp file, a crash leftover, is removed); symlinks are followed only to
 * files inside the root; symlinked directories are not entered. Unchanged
 * files are answered from the cache, and unchanged watched directories
 * without even an `lstat`. The scan works in short synchronous slices and
 * yields between them, so a large tree does not stall the server. Names that
 * cannot travel are left out too; a scan of a whole root (`folder` `''`, with
 * `rootName`) reports them in `cache.names`.
 * @param rootDir - the sync root's directory
 * @param folder - a folder relative to the root, `''` for the whole root
 * @throws TypeError (a rejection) for options that are not an object, lack `policy` or `cache`, or hold another key
 */
export async function scanManifest(rootDir: string, folder: string, options: ManifestScanOptions): Promise<ManifestEntry[]> {
  checkScanOptions(options);
  const rootReal = realpathSync(rootDir);
  const start = folder === '' ? rootReal : path.join(rootReal, ...folder.split('/'));
  const state: ScanState = { rootReal, options, entries: [], seen: new Set(), pending: [], skipped: [], reread: 0, sliceStart: performance.now() };
  await walk(state, start, folder);
  // Digests of deleted files are forgotten; when every directory was unchanged, nothing was deleted.
  if (state.reread > 0) options.cache.prune(start + path.sep, state.seen);
  const entries = state.entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  // Only a scan of the whole root tells what the root holds: a folder's replaces nothing (it only notes a change).
  // With every folder unchanged since, so are the case clashes: not looked for again in 100,000 paths.
  const names = options.cache.names;
  if (options.rootName !== undefined && folder !== '' && state.reread > 0) names.noteChanged(options.rootName);
  if (options.rootName !== undefined && folder === '') names.record(options.rootName, state.skipped, () => entries.map((entry) => entry.path), state.reread > 0);
  return entries;
}
