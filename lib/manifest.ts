import { lstatSync, readdirSync, realpathSync, statSync, type Dirent, type Stats } from 'node:fs';
import path from 'node:path';
import { digestLargeFile, digestSmallFile, WHOLE_READ_LIMIT, type FileDigest } from './file-hash';
import type { FilePolicy } from './file-policy';
import type { ManifestCache } from './manifest-cache';
import { TEMP_FILE_MARKER } from './safe-path';

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
  /** Digest cache shared between scans. */
  readonly cache: ManifestCache;
}

/** Longest stretch of synchronous work before the scan yields to the event loop. */
const SLICE_MS = 10;

interface ScanState {
  readonly rootReal: string;
  readonly options: ManifestScanOptions;
  readonly entries: ManifestEntry[];
  readonly seen: Set<string>;
  sliceStart: number;
}

function readDirectory(directory: string): Dirent[] {
  try {
    return readdirSync(directory, { withFileTypes: true });
  } catch {
    return []; // removed or unreadable while scanning: it has no files to offer
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

/** The file's digest from the cache, by one read (small files) or, for large files, a promise of a stream's. */
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

function record(state: ScanState, relative: string, stats: Stats, digest: FileDigest): void {
  if (digest.kind === 'file') {
    state.entries.push({ path: relative, size: stats.size, mtimeMs: stats.mtimeMs, sha256: digest.sha256 });
  }
}

/** Handles one file; returns a promise only when it had to wait (a large file). */
function visitFile(state: ScanState, absolute: string, relative: string, stats: Stats): Promise<void> | undefined {
  state.seen.add(absolute);
  let digest: FileDigest | Promise<FileDigest>;
  try {
    digest = lookUpDigest(state.options.cache, absolute, stats);
  } catch {
    return undefined; // vanished while reading: the next scan will see what replaced it
  }
  if (!(digest instanceof Promise)) {
    record(state, relative, stats, digest);
    return undefined;
  }
  return digest.then(
    (settled) => record(state, relative, stats, settled),
    () => undefined,
  );
}

/**
 * Walks the tree depth-first without recursion. Cached and small files are
 * handled synchronously; the walk awaits only for a large file or, every
 * {@link SLICE_MS}, to let the event loop run.
 */
async function walk(state: ScanState, start: string, folder: string): Promise<void> {
  const pending: Array<readonly [string, string]> = [[start, folder]];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [directory, relativeDir] = next;
    for (const entry of readDirectory(directory)) {
      if (entry.name.includes(TEMP_FILE_MARKER)) continue;
      const relative = relativeDir === '' ? entry.name : `${relativeDir}/${entry.name}`;
      const absolute = `${directory}${path.sep}${entry.name}`;
      if (entry.isDirectory()) {
        pending.push([absolute, relative]);
        continue;
      }
      if (state.options.policy.isDatabaseName(relative)) continue;
      const stats = statListable(absolute, entry, state.rootReal);
      const waiting = stats === undefined ? undefined : visitFile(state, absolute, relative, stats);
      if (waiting !== undefined) await waiting;
      if (performance.now() - state.sliceStart >= SLICE_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        state.sliceStart = performance.now();
      }
    }
  }
}

/**
 * Lists every file under `rootDir/folder` with its size, mtime and SHA-256,
 * sorted by path. Database files (by name or content) and our temp files are
 * left out; symlinks are followed only to files inside the root; symlinked
 * directories are not entered. Unchanged files are answered from the cache.
 * The scan works in short synchronous slices and yields between them, so a
 * large tree does not stall the server.
 * @param rootDir - the sync root's directory
 * @param folder - a folder relative to the root, `''` for the whole root
 */
export async function scanManifest(rootDir: string, folder: string, options: ManifestScanOptions): Promise<ManifestEntry[]> {
  const rootReal = realpathSync(rootDir);
  const start = folder === '' ? rootReal : path.join(rootReal, ...folder.split('/'));
  const state: ScanState = { rootReal, options, entries: [], seen: new Set(), sliceStart: performance.now() };
  await walk(state, start, folder);
  options.cache.prune(start + path.sep, state.seen);
  return state.entries.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
