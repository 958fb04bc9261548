import type Database from 'better-sqlite3';

/**
 * The page cache a capturing connection gets at least: 32 MiB. SQLite's
 * default is 2 MiB; a write transaction that outgrows the cache spills dirty
 * pages to the WAL in its middle and writes them again as it goes on, and the
 * capture log adds about one page per 70 captured rows, so without this a bulk
 * import of 100k rows took 2.6× its untracked time, and 1.3× with it.
 * Memory is only taken as pages are used.
 */
export const MIN_CAPTURE_CACHE_BYTES = 32 * 1024 * 1024;

/** The connection's page cache budget in bytes (`cache_size` is pages when positive, KiB when negative). */
export function pageCacheBytes(db: Database.Database): number {
  const size = Number(db.pragma('cache_size', { simple: true }));
  if (size < 0) return -size * 1024;
  return size * Number(db.pragma('page_size', { simple: true }));
}

/** Raises the connection's page cache to {@link MIN_CAPTURE_CACHE_BYTES} unless the app set a larger one. */
export function ensureCaptureCache(db: Database.Database): void {
  if (pageCacheBytes(db) >= MIN_CAPTURE_CACHE_BYTES) return;
  db.pragma(`cache_size = -${MIN_CAPTURE_CACHE_BYTES / 1024}`);
}
