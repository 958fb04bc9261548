import type { DrainLimits } from '../middleware/lingering-close';
import type { FilePolicy } from '../lib/files/file-policy';
import type { ManifestCache } from '../lib/files/manifest-cache';

/** What the file routes need, resolved once by the router factory. */
export interface FilesConfig {
  /** Sync roots: name to real directory path. */
  readonly roots: ReadonlyMap<string, string>;
  /** Root receiving uploads sent without `?path=`. */
  readonly uploadRoot: string;
  /** The database-file policy. */
  readonly policy: FilePolicy;
  /** Digest cache shared by checksums and downloads. */
  readonly cache: ManifestCache;
  /** Largest upload accepted, in bytes. */
  readonly maxUploadBytes: number;
  /** How much of a refused upload body is read after the early answer. */
  readonly drain: DrainLimits;
}
