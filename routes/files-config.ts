import type { SyncLogger } from '../lib/logger';
import type { LocalFiles } from '../lib/files/local-files';
import type { DrainLimits } from '../middleware/lingering-close';

/** What the file routes read: this server's files and the upload limits, resolved once by the router factory. */
export interface FileRoutesConfig extends LocalFiles, DrainLimits {
  /** Root receiving uploads sent without `?path=`. */
  readonly uploadRoot: string;
  /** Largest upload accepted, in bytes. */
  readonly maxUploadBytes: number;
  /** Ms a download (or a manifest) may take no byte before its connection is cut and its file closed. @defaultValue `DEFAULTS.sendStallMs` (60000) */
  readonly sendStallMs?: number;
  /** Where an abandoned download or manifest is logged. */
  readonly logger?: SyncLogger;
}
