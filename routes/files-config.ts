import type { LocalFiles } from '../lib/files/local-files';
import type { DrainLimits } from '../middleware/lingering-close';

/** What the file routes read: this server's files and the upload limits, resolved once by the router factory. */
export interface FileRoutesConfig extends LocalFiles, DrainLimits {
  /** Root receiving uploads sent without `?path=`. */
  readonly uploadRoot: string;
  /** Largest upload accepted, in bytes. */
  readonly maxUploadBytes: number;
}
