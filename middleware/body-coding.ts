import type { RequestHandler } from 'express';
import { parseCoding } from '../lib/content-coding';
import { SyncError } from '../lib/sync-error';

/** The codings a sync route reads a JSON body in, as a 415 names them in `Accept-Encoding` (RFC 7694). */
export const BODY_CODINGS = 'gzip, br, identity';

/**
 * Middleware for a sync route's JSON body, before its parser: a body under a
 * `Content-Encoding` other than gzip, br or identity (none) is refused with
 * 415 `UNSUPPORTED_ENCODING` naming the ones read, and `Accept-Encoding:
 * gzip, br, identity` (RFC 7694), before a byte of it is read. Express's JSON
 * parser would also inflate `deflate`, which no client of this package sends
 * and docs/PROTOCOL.md does not list: the routes read exactly the codings
 * they answer in. A body the app's own parser already read in front of the
 * router is that parser's.
 * @throws SyncError `UNSUPPORTED_ENCODING` (415)
 */
export function refuseUnreadBodyCoding(): RequestHandler {
  return function refuseUnreadBodyCodingMiddleware(req, res, next) {
    const header = req.headers['content-encoding'];
    if (header === undefined || parseCoding(header) !== undefined || req.readableDidRead || req.readableEnded) {
      next();
      return;
    }
    res.setHeader('Accept-Encoding', BODY_CODINGS);
    throw new SyncError('UNSUPPORTED_ENCODING', 415, `the request body's Content-Encoding ${JSON.stringify(header)} is not one this server reads: send it as gzip, br, or without Content-Encoding (identity)`);
  };
}
