import type { FilePolicy } from './file-policy';
import type { ManifestCache } from './manifest-cache';

/**
 * This server's files as sync sees them: the sync roots, the database-file
 * policy and the digest cache. The routes serve them; the sync client keeps
 * them in step with each peer's.
 */
export interface LocalFiles {
  /** Sync roots: name to real directory path (see `resolveSyncRoots`). */
  readonly roots: ReadonlyMap<string, string>;
  /** Decides what is a database file, by name and content. */
  readonly policy: FilePolicy;
  /** Digests by (size, mtime, inode), shared by the scans, the routes and the client. */
  readonly cache: ManifestCache;
}
