import type { ErrorRequestHandler, RequestHandler } from 'express';
import { refuseCrossSiteWrites as refuseCrossSiteWritesAs, sendSyncError, SyncError, toSyncError, type SyncLogger } from '../index';

/** Methods that never write. */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses writes a browser sends on behalf of another web site (a form that
 * posts to `/reports/new`, a `fetch` to `/api/events`): the library's rule
 * (Go's `net/http.CrossOriginProtection`), in the app's own words. Same-origin
 * forms, the status page, curl and peers pass.
 */
export function refuseCrossSiteWrites(): RequestHandler {
  return refuseCrossSiteWritesAs({ message: (what) => `refused: this write came from another web site (${what}); nothing was saved. Use this app's own pages.` });
}

/**
 * The JSON API's writes must say they are JSON: a `text/plain` or form body
 * (which a page on another site can send without asking) is refused with
 * 415 before any handler runs. A write without a body (a `DELETE`) passes.
 */
export function requireJsonWrites(): RequestHandler {
  return function jsonOnly(req, _res, next) {
    // req.is: null without a body, false for a body of another type; an empty body is no body.
    if (SAFE_METHODS.has(req.method) || req.headers['content-length'] === '0' || req.is('application/json') !== false) return next();
    next(new SyncError('UNSUPPORTED_MEDIA_TYPE', 415, 'send JSON with `Content-Type: application/json`'));
  };
}

/**
 * The app's own error middleware for its JSON API: every error in the one
 * JSON shape; a 5xx logged with its detail. An error whose answer is already
 * complete (the sync router answers its 5xx itself, then passes it on for
 * the app to see) is only noted, never answered again.
 */
export function apiErrorHandler(logger: SyncLogger): ErrorRequestHandler {
  return function apiErrors(err: unknown, req, res, next) {
    const error = toSyncError(err);
    if (res.writableFinished) return; // answered and logged by the sync router
    if (res.headersSent) return next(err);
    if (error.status >= 500) logger.error({ event: 'request.failed', method: req.method, path: req.originalUrl.split('?')[0], err: error.cause ?? error }, 'API request failed');
    sendSyncError(res, error);
  };
}
