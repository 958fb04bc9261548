import type { Stats } from 'node:fs';
import type { FileDigest } from './file-hash';
import { resolveLogger, silentLogger, type SyncLogger } from '../logger';
import { booleanOption, nonNegativeInteger, refuseUnknownOptions } from '../option-checks';
import { NameReport } from './name-report';
import { WatchedListings } from './watched-listings';

/** The option names of {@link ManifestCache}; any other is refused. */
const CACHE_OPTIONS: ReadonlySet<string> = new Set(['watchDirectories', 'trustListingsForMs', 'maxWatchedDirectories', 'logger']);

/** How long after its last change a file's digest stays uncached (mtime granularity). */
export const RACY_WINDOW_MS = 2000;

interface CachedDigest {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
  readonly digest: FileDigest;
}

/**
 * Digests keyed by absolute path and validated by (size, mtimeMs, ctimeMs,
 * inode): an unchanged file is never read again. The change time moves with
 * every write and cannot be set back, where the modification time can: a file
 * rewritten in place with its size and modification time kept (`cp -p`,
 * `rsync -t --inplace`, `touch -r`) is read again, so new bytes (SQLite's
 * among them) are never listed under the old digest. A file changed within
 * {@link RACY_WINDOW_MS} of being hashed is not cached, since a second write
 * in the same mtime tick would otherwise go unnoticed.
 */
export class ManifestCache {
  readonly #entries = new Map<string, CachedDigest>();
  /** Watched directory listings, unless watching is off. */
  readonly listings: WatchedListings | undefined;
  /** What the scans of whole roots found wrong with file names (left out of sync), per root. */
  readonly names: NameReport;

  /**
   * @param options - `watchDirectories` (default true): keep an `fs.watch` per
   * scanned directory so an unchanged directory is listed without `lstat`;
   * `trustListingsForMs` (default 60000): re-read every directory at least
   * this often anyway; `maxWatchedDirectories` (default 4096); `logger` (default
   * none): where names left out of sync are warned of (`files.names_skipped`)
   * @throws RangeError for a negative or non-integer number; TypeError for an unknown option or a wrong type (a number given as a string)
   */
  constructor(options: { readonly watchDirectories?: boolean; readonly trustListingsForMs?: number; readonly maxWatchedDirectories?: number; readonly logger?: SyncLogger } = {}) {
    if (typeof options !== 'object' || options === null) throw new TypeError('express-sqlite-sync: new ManifestCache takes an options object, or nothing');
    refuseUnknownOptions(options, CACHE_OPTIONS, 'new ManifestCache');
    const trustForMs = nonNegativeInteger(options.trustListingsForMs, 'trustListingsForMs', 60_000);
    const maxWatchers = nonNegativeInteger(options.maxWatchedDirectories, 'maxWatchedDirectories', 4096);
    const watch = booleanOption(options.watchDirectories, 'watchDirectories', true);
    this.listings = watch ? new WatchedListings({ trustForMs, maxWatchers }) : undefined;
    this.names = new NameReport(options.logger === undefined ? silentLogger : resolveLogger(options.logger));
  }

  /** Stops watching directories (the cache keeps working without). */
  close(): void {
    this.listings?.close();
  }

  /** The cached digest when `stats` still match, else undefined. */
  get(absolute: string, stats: Stats): FileDigest | undefined {
    const cached = this.#entries.get(absolute);
    if (cached === undefined) return undefined;
    if (cached.size !== stats.size || cached.mtimeMs !== stats.mtimeMs || cached.ctimeMs !== stats.ctimeMs || cached.ino !== stats.ino) return undefined;
    return cached.digest;
  }

  /** Remembers a digest computed from a file whose stats were `stats` before reading. */
  set(absolute: string, stats: Stats, digest: FileDigest, now = Date.now()): void {
    if (now - stats.mtimeMs < RACY_WINDOW_MS) {
      this.#entries.delete(absolute);
      return;
    }
    this.#entries.set(absolute, { size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs, ino: stats.ino, digest });
  }

  /** Forgets every entry under `directory` (absolute, with trailing separator) not in `seen`. */
  prune(directory: string, seen: ReadonlySet<string>): void {
    for (const key of this.#entries.keys()) {
      if (key.startsWith(directory) && !seen.has(key)) this.#entries.delete(key);
    }
  }

  /** Number of cached digests. */
  get size(): number {
    return this.#entries.size;
  }
}
