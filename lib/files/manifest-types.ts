import type { FilePolicy } from './file-policy';
import type { ManifestCache } from './manifest-cache';

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

/** What `scanManifest` needs besides the directory. */
export interface ManifestScanOptions {
  /** Decides which files are databases (left out). */
  readonly policy: FilePolicy;
  /** Digest cache (and watched listings) shared between scans. */
  readonly cache: ManifestCache;
  /** The root's name: a path whose client path (`<root>/<path>`) is longer than any route takes is left out. */
  readonly rootName?: string;
}
