import type { Request, RequestHandler } from 'express';
import { SyncError } from '../lib/sync-error';

/** What {@link BODY_ALREADY_READ_MESSAGE} tells the app's developer to do. */
export const BODY_ALREADY_READ_MESSAGE =
  'a body parser of the app read the request body before the sync router: mount the sync router before app.use(express.json()/raw()/text()), or limit the parser to the app\'s own paths';

/** True when the request declares a body (a length over 0, or chunked). */
export function declaresBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/** True when someone has read (or started reading) the request stream. */
function streamConsumed(req: Request): boolean {
  return req.readableEnded || req.readableDidRead;
}

/**
 * Whether middleware of the app in front of the router has read this
 * request's body, so that the router cannot read it any more: `req.body`
 * holds raw bytes or text (`express.raw()`, `express.text()`), or the stream
 * was read and `req.body` holds nothing. With `parsedIsFine`, a value another
 * parser already decoded (a global `express.json()`) counts as not read: the
 * JSON routes use it as is.
 */
export function bodyReadBefore(req: Request, parsedIsFine: boolean): boolean {
  if (!declaresBody(req)) return false;
  const body: unknown = req.body;
  if (Buffer.isBuffer(body) || typeof body === 'string') return true;
  if (!streamConsumed(req)) return false;
  return !parsedIsFine || body === undefined;
}

/**
 * The refusal of a body the app read before the router.
 * @throws SyncError `BODY_ALREADY_READ` (500: the app's setup, not the client's fault)
 */
export function refuseBodyReadBefore(req: Request, parsedIsFine: boolean): void {
  if (bodyReadBefore(req, parsedIsFine)) throw new SyncError('BODY_ALREADY_READ', 500, BODY_ALREADY_READ_MESSAGE);
}

/**
 * Middleware for a JSON route, before its own parser: refuses (500
 * `BODY_ALREADY_READ`) a body that an app parser in front of the router read
 * as bytes or text, or read without leaving a value; a JSON value parsed by
 * the app's `express.json()` passes.
 */
export function refuseJsonBodyReadBefore(): RequestHandler {
  return function refuseJsonBodyReadBeforeMiddleware(req, _res, next) {
    refuseBodyReadBefore(req, true);
    next();
  };
}
