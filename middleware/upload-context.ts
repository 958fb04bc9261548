import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { ResolvedSyncPath } from '../lib/files/safe-path';
import type { SyncError } from '../lib/sync-error';

/**
 * What one upload request shares between the guard, multer's file filter and
 * the storage engine: where the file goes, who owns the file stream now, and
 * how to end the request early.
 */
export interface UploadContext {
  /** The resolved destination, known from `?path=` or from the original file name. */
  target: ResolvedSyncPath | undefined;
  /** The file stream while the storage engine reads it. */
  activeStream: Readable | undefined;
  /** Settles when the storage engine has finished or cleaned up. */
  storageIdle: Promise<void>;
  /** Ends the request now with `error` (once), after the storage engine has cleaned up. */
  fail(error: unknown): void;
  /** True once the request has been answered: nothing more may be stored. */
  readonly settled: boolean;
  /**
   * The 413 for a body declared larger than the limit, held until the file's
   * name is known (it is in the first part's headers): a database is refused
   * with 403 whatever its size.
   */
  tooLarge: SyncError | undefined;
}

const contexts = new WeakMap<IncomingMessage, UploadContext>();

/** Attaches an upload context to a request. */
export function setUploadContext(req: IncomingMessage, context: UploadContext): void {
  contexts.set(req, context);
}

/**
 * The upload context of a request.
 * @throws Error when the request did not pass through the upload guard
 */
export function getUploadContext(req: IncomingMessage): UploadContext {
  const context = contexts.get(req);
  if (context === undefined) throw new Error('express-sqlite-sync: the upload storage engine runs only behind uploadGuard()');
  return context;
}
