import type { Request, RequestHandler, Response } from 'express';
import { positiveInteger } from '../lib/option-checks';
import { SyncError } from '../lib/sync-error';
import { lingerOnClose, resolveDrain, type DrainLimits } from './lingering-close';

function tooLarge(size: string, limit: number): SyncError {
  return new SyncError('BODY_TOO_LARGE', 413, `the request body (${size}) is larger than the limit of ${limit} bytes`);
}

/** Answers at once with `Connection: close`; the rest of the body is read for a bounded time, then the connection is cut. */
function refuseNow(req: Request, res: Response, limits: DrainLimits): void {
  res.setHeader('Connection', 'close');
  lingerOnClose(req.socket, limits);
}

/**
 * Wraps a body parser (`express.json({ limit })`, or `express.urlencoded`) so that a body
 * whose bytes as sent are over `limit` is refused with 413 `BODY_TOO_LARGE` at once, with
 * `Connection: close` and a lingering close bounded by `drain`: before a byte
 * of it is read when its `Content-Length` says so, or as soon as it grows past
 * `limit` (a chunked body). Left alone, the parser reads a refused body to its
 * end before answering (a 1 GB push cost 1 GB of reading for its 413); its own
 * late call is then dropped. A compressed body counts twice: its bytes as sent
 * here (compressed JSON is never larger than the JSON, so one larger is junk:
 * 200 MiB of empty deflate blocks around a small page), its inflated bytes by
 * the parser, which stops inflating past the limit and then reads what is
 * left, now bounded by this count. A body an app parser in front already read is the parser's.
 * A drain limit not given is its default (`DEFAULTS.refusedBodyDrainBytes`, `refusedBodyDrainMs`).
 * The refusal goes to `next(error)`: an error middleware (`syncErrorHandler`) answers it as JSON.
 * @param parser - the body parser, built with the same limit: `express.json({ limit })`
 * @param limit - bytes, a positive integer
 * @param drain - `{ refusedBodyDrainBytes?, refusedBodyDrainMs? }`
 * @throws TypeError for a parser that is not a function, an unknown key in `drain`, a limit or drain limit that is not a number; RangeError for a limit below 1 or a negative drain limit
 */
export function boundedJsonBody(parser: RequestHandler, limit: number, drain: Partial<DrainLimits> = {}): RequestHandler {
  if (typeof parser !== 'function') throw new TypeError('express-sqlite-sync: boundedJsonBody(parser, limit): `parser` must be a body parser such as express.json({ limit })');
  if ((limit as unknown) === undefined) throw new TypeError('express-sqlite-sync: boundedJsonBody(parser, limit): `limit` is required, the bytes the parser takes');
  positiveInteger(limit, 'limit', limit);
  const limits = resolveDrain(drain, 'boundedJsonBody(parser, limit, drain)');
  return function boundedJsonBodyMiddleware(req, res, next) {
    if (req.readableDidRead || req.readableEnded) {
      void parser(req, res, next);
      return;
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > limit) {
      refuseNow(req, res, limits);
      next(tooLarge(`${declared} bytes`, limit));
      return;
    }
    let refused = false;
    let seen = 0;
    const count = (chunk: Buffer): void => {
      seen += chunk.length;
      if (seen <= limit || refused) return;
      refused = true;
      req.off('data', count);
      refuseNow(req, res, limits);
      next(tooLarge(`over ${limit} bytes so far`, limit));
    };
    req.on('data', count);
    void parser(req, res, (err?: unknown) => {
      req.off('data', count);
      if (!refused) next(err);
    });
  };
}
