import type { RequestHandler } from 'express';
import { DEFAULTS } from '../lib/defaults';
import { SyncError } from '../lib/sync-error';
import { lingerOnClose, type DrainLimits } from './lingering-close';

/** True when the body is sent as is (no `Content-Encoding`, or `identity`): its declared length is its decoded length. */
function sentAsIs(coding: string | undefined): boolean {
  return coding === undefined || coding.trim() === '' || coding.trim().toLowerCase() === 'identity';
}

/**
 * Refuses, before a byte of it is read, a JSON body whose declared
 * `Content-Length` is over `limit`: 413 `BODY_TOO_LARGE` with `Connection:
 * close` and a lingering close bounded by `drain`. Without it, express.json()
 * reads a refused body to its end before answering (a 1 GB push cost 1 GB of
 * reading for its 413). A compressed body (its limit counts inflated bytes),
 * one without a declared length, or one an app parser in front already read,
 * goes on to the route's parser, which still bounds it. A drain limit not
 * given is its default (`DEFAULTS.refusedBodyDrainBytes`, `refusedBodyDrainMs`).
 */
export function refuseDeclaredOverLimit(limit: number, drain: Partial<DrainLimits> = {}): RequestHandler {
  const limits: DrainLimits = {
    refusedBodyDrainBytes: drain.refusedBodyDrainBytes ?? DEFAULTS.refusedBodyDrainBytes,
    refusedBodyDrainMs: drain.refusedBodyDrainMs ?? DEFAULTS.refusedBodyDrainMs,
  };
  return function refuseDeclaredOverLimitMiddleware(req, res, next) {
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared <= limit || !sentAsIs(req.headers['content-encoding']) || req.readableDidRead || req.readableEnded) {
      next();
      return;
    }
    res.setHeader('Connection', 'close');
    lingerOnClose(req.socket, limits);
    next(new SyncError('BODY_TOO_LARGE', 413, `the request body (${declared} bytes) is larger than the limit of ${limit} bytes`));
  };
}
