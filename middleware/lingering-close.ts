import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import type { ErrorRequestHandler } from 'express';
import { DEFAULTS } from '../lib/defaults';
import { nonNegativeInteger, refuseUnknownOptions } from '../lib/option-checks';

/** How much of a refused body is read after the answer, before the connection is cut. */
export interface DrainLimits {
  /** Bytes read and discarded after the answer at most. */
  readonly refusedBodyDrainBytes: number;
  /** Milliseconds the connection is kept open after the answer at most. */
  readonly refusedBodyDrainMs: number;
}

/** The keys of {@link DrainLimits}; any other is refused (a misspelt limit must not silently stay its default). */
const DRAIN_KEYS: ReadonlySet<string> = new Set(['refusedBodyDrainBytes', 'refusedBodyDrainMs']);

/** The two drain limits of a larger config (the routes' own), for {@link resolveDrain}. */
export function drainLimitsOf(config: Partial<DrainLimits>): Partial<DrainLimits> {
  return { refusedBodyDrainBytes: config.refusedBodyDrainBytes, refusedBodyDrainMs: config.refusedBodyDrainMs };
}

/**
 * The drain limits, each checked, a missing one its default; any other key is refused.
 * @throws TypeError for drain limits that are not an object, an unknown key, or a limit that is not a number; RangeError for a negative one
 */
export function resolveDrain(drain: unknown, where: string): DrainLimits {
  if (typeof drain !== 'object' || drain === null || Array.isArray(drain)) throw new TypeError(`express-sqlite-sync: ${where}: \`drain\` must be an object { refusedBodyDrainBytes?, refusedBodyDrainMs? }`);
  refuseUnknownOptions(drain, DRAIN_KEYS, where);
  const given = drain as Partial<Record<keyof DrainLimits, unknown>>;
  return {
    refusedBodyDrainBytes: nonNegativeInteger(given.refusedBodyDrainBytes, 'refusedBodyDrainBytes', DEFAULTS.refusedBodyDrainBytes),
    refusedBodyDrainMs: nonNegativeInteger(given.refusedBodyDrainMs, 'refusedBodyDrainMs', DEFAULTS.refusedBodyDrainMs),
  };
}

/** How often a lingering socket's byte count and age are checked. */
const LINGER_POLL_MS = 10;

/**
 * Makes the next close of `socket` a lingering close. An HTTP server that
 * answers early and closes at once, with request bytes still unread, makes
 * the kernel send a TCP reset, and a reset can discard the answer at the
 * client before the client reads it. So, as Apache does, we half-close
 * (FIN after the answer), read and discard what still arrives, and destroy
 * the socket once the client closes or a bound is reached. A refused 1 GB
 * upload therefore costs at most `refusedBodyDrainBytes` more reading, not 1 GB.
 *
 * Node's HTTP server ends a `Connection: close` response with
 * `socket.destroySoon()`; this replaces that method on this one socket.
 */
export function lingerOnClose(socket: Socket, limits: DrainLimits): void {
  socket.destroySoon = function lingeringClose(this: Socket) {
    const startBytes = this.bytesRead;
    const startedAt = Date.now();
    // The HTTP parser may read the socket natively (no 'data' events), so poll its byte count.
    const watch = setInterval(() => {
      if (this.bytesRead - startBytes > limits.refusedBodyDrainBytes || Date.now() - startedAt > limits.refusedBodyDrainMs) this.destroy();
    }, LINGER_POLL_MS);
    watch.unref();
    this.once('end', () => this.destroy());
    this.once('close', () => clearInterval(watch));
    this.end();
    this.resume();
  };
}

/** True when the request has a body (a `Content-Length` above 0, or chunked) that has not arrived to its end. */
function bodyStillComing(req: IncomingMessage): boolean {
  if (req.complete) return false;
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length.trim() !== '' && length.trim() !== '0');
}

/**
 * An error middleware, put before the one that answers: an error answered
 * while the request's body is still coming (a 401 before the body is read, a
 * 404, a 415, a 400 for the query) closes the connection after the answer,
 * with a lingering close bounded by `limits`, as the early 403/413 of uploads
 * and JSON bodies do. Node otherwise reads the rest of the body to keep the
 * connection alive: a caller without the token could make the server read a
 * body of any size, or hold the connection for Node's 5-minute
 * `requestTimeout` by sending a byte now and then. A drain limit not given is
 * its default (`DEFAULTS.refusedBodyDrainBytes`, `refusedBodyDrainMs`).
 * @param drain - `{ refusedBodyDrainBytes?, refusedBodyDrainMs? }`
 * @throws TypeError for drain limits that are not an object, an unknown key in them, or a limit that is not a number; RangeError for a negative one
 */
export function closeAfterUnreadBody(drain: Partial<DrainLimits> = {}): ErrorRequestHandler {
  const limits = resolveDrain(drain, 'closeAfterUnreadBody(drain)');
  return function closeAfterUnreadBodyMiddleware(err: unknown, req, res, next) {
    if (!res.headersSent && bodyStillComing(req)) {
      res.setHeader('Connection', 'close');
      lingerOnClose(req.socket, limits);
    }
    next(err);
  };
}
