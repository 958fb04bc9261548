import { realpathSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { knownOptions } from '../option-checks';
import { readListing, reuseListing, type ScanState } from './manifest-directory';
import type { ManifestEntry, ManifestScanOptions } from './manifest-types';
import { settleWatchEvents } from './watched-listings';
import { SyncError } from '../sync-error';

export type { ManifestEntry, ManifestScanOptions } from './manifest-types';

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

/**
 * Walks the tree depth-first without recursion. A directory whose watched
 * listing is trusted is answered from it; any other is read, with cached and
 * small files handled synchronously. The walk awaits only for a large file
 * or, every `SLICE_MS` (manifest-directory.ts), to let the event loop run.
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

/** The same folder (device and inode): not one moved away, or put in its place. */
function sameFolder(a: Stats | undefined, b: Stats | undefined): boolean {
  return a !== undefined && b !== undefined && a.dev === b.dev && a.ino === b.ino;
}

/**
 * Refuses a scan whose root, or scanned folder, was moved away or replaced
 * while it ran (`mv uploads uploads.old`): the folders read after the move
 * read as gone, so the listing would lack files that still exist, and a peer
 * would take them for deleted. No partial listing is given.
 * @throws SyncError `ROOT_MISSING` (409)
 */
function refuseMovedDuringScan(rootDir: string, rootReal: string, start: string, before: Stats | undefined, rootName: string | undefined): void {
  if (before === undefined) return; // a folder that was not there: listed as empty, as before
  let real: string | undefined;
  try {
    real = realpathSync(rootDir);
  } catch {
    real = undefined;
  }
  if (real === rootReal && sameFolder(before, statSync(start, { throwIfNoEntry: false }))) return;
  const name = rootName ?? path.basename(rootDir);
  throw new SyncError('ROOT_MISSING', 409, `sync root ${name} (${rootDir}) was moved away or replaced while it was listed; no partial listing is given (a peer would take the files not read for deleted): the next sync lists it again`);
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
 * @throws SyncError `FILE_UNREADABLE` (403, a rejection) when this process may not read or enter `folder` or a folder in it: listed as empty, its files would be taken for deleted; `ROOT_MISSING` (409) when the root or `folder` was moved away or replaced while it was scanned
 */
export async function scanManifest(rootDir: string, folder: string, options: ManifestScanOptions): Promise<ManifestEntry[]> {
  return (await listManifest(rootDir, folder, options)).files;
}

/** What {@link listManifest} finds: the files, and the symbolic links it leaves out. */
export interface ManifestListing {
  /** As {@link scanManifest} lists them. */
  readonly files: ManifestEntry[];
  /**
   * Paths (relative to the root, sorted) of the symbolic links left out: to a
   * folder, out of the root, or to nothing. What they stand for is held
   * elsewhere, not deleted: a peer must neither delete nor send anything at
   * such a path or under it.
   */
  readonly leftOut: string[];
}

/**
 * {@link scanManifest}, with the symbolic links it leaves out.
 * @throws as {@link scanManifest}: TypeError (a rejection) for bad options; SyncError `FILE_UNREADABLE` (403), `ROOT_MISSING` (409)
 */
export async function listManifest(rootDir: string, folder: string, options: ManifestScanOptions): Promise<ManifestListing> {
  checkScanOptions(options);
  const rootReal = realpathSync(rootDir);
  const start = folder === '' ? rootReal : path.join(rootReal, ...folder.split('/'));
  const state: ScanState = { rootReal, options, entries: [], seen: new Set(), pending: [], skipped: [], links: [], reread: 0, sliceStart: performance.now() };
  const before = statSync(start, { throwIfNoEntry: false });
  await walk(state, start, folder);
  refuseMovedDuringScan(rootDir, rootReal, start, before, options.rootName);
  // Digests of deleted files are forgotten; when every directory was unchanged, nothing was deleted.
  if (state.reread > 0) options.cache.prune(start + path.sep, state.seen);
  const entries = state.entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  // Only a scan of the whole root tells what the root holds: a folder's replaces nothing (it only notes a change).
  // With every folder unchanged since, so are the case clashes: not looked for again in 100,000 paths.
  const names = options.cache.names;
  if (options.rootName !== undefined && folder !== '' && state.reread > 0) names.noteChanged(options.rootName);
  if (options.rootName !== undefined && folder === '') names.record(options.rootName, state.skipped, () => entries.map((entry) => entry.path), state.reread > 0);
  return { files: entries, leftOut: state.links.sort() };
}
