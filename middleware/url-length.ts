import type { RequestHandler } from 'express';
import { SyncError } from '../lib/sync-error';

/**
 * The longest request URL the sync router takes, in bytes: 14 KiB, room for
 * the longest file path (1,024 characters, percent-encoded) and its query,
 * below Node's `maxHeaderSize` (16 KiB with the headers: beyond it Node
 * answers 431 itself).
 */
export const MAX_URL_BYTES = 14 * 1024;

/**
 * Refuses a request whose URL is longer than {@link MAX_URL_BYTES} with 414
 * `URI_TOO_LONG`, before anything reads it.
 */
export function refuseLongUrls(): RequestHandler {
  return (req, _res, next) => {
    const length = Buffer.byteLength(req.originalUrl);
    next(length > MAX_URL_BYTES ? new SyncError('URI_TOO_LONG', 414, `the request URL is ${length} bytes; at most ${MAX_URL_BYTES} are taken`) : undefined);
  };
}
