import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { RequestHandler } from 'express';
import type { SyncLogger } from '../lib/logger';
import { callerAddress } from './caller-address';

/** Which way the bytes stopped: an answer its client takes none of, or an upload its sender sends none of. */
export type StalledWay = 'answer' | 'upload';

/**
 * Where a connection stands: the bytes read, the bytes taken by the socket, and the bytes still queued in
 * Node and in libuv. `bytesWritten` counts a write in full as soon as it is queued, so a page or a manifest
 * sent in one write (MBs) would look still while a slow client drains it: the queue shrinking is progress.
 */
function progressOf(socket: Socket): string {
  const handle = (socket as unknown as { readonly _handle?: { readonly writeQueueSize?: unknown } | null })._handle;
  const queued = typeof handle?.writeQueueSize === 'number' ? handle.writeQueueSize : 0;
  return `${socket.bytesRead}:${socket.bytesWritten}:${socket.writableLength}:${queued}`;
}

/** How often a watched connection's byte counts are looked at, at most (a cut comes at most this late). */
const MAX_CHECK_MS = 1000;

/**
 * Cuts the connection once it has moved no bytes for `ms`, until the answer
 * ends: a client that stopped reading an answer, or a sender that stopped
 * sending an upload (gone from the network, a link gone half-open, or hung).
 * Destroying the socket ends the answer's pipeline, which closes its source
 * (a file handle, a snapshot lease), or aborts the upload, whose storage
 * engine removes its temp file: nothing waits for the operating system (or
 * Node's 5-minute `requestTimeout`) to give up on a half-open link. A peer
 * that keeps moving bytes, however slowly, is never cut: each one restarts
 * the wait. A cut is logged once, as a warning (`answer.abandoned` /
 * `upload.abandoned`), on `logger` when given.
 *
 * The wait is this module's own timer over the socket's progress (bytes read,
 * bytes taken, and the write queue draining: see {@link progressOf}), not
 * `socket.setTimeout`: Node skips a socket timeout while the socket's write
 * queue changed since the last check, so a client that stopped reading a long
 * answer was cut after twice `ms`, holding a snapshot that long.
 * @returns a function that stops the watch (the connection is then never cut by it)
 */
export function abandonWhenStalled(req: IncomingMessage, res: ServerResponse, ms: number, logger?: SyncLogger, way: StalledWay = 'answer'): () => void {
  if (!(ms > 0)) return () => {}; // no bound asked
  const socket = req.socket;
  if (res.closed || socket.destroyed) return () => {}; // gone during the work before the answer: nothing to watch, no false warning
  let last = progressOf(socket);
  let quietSince = performance.now(); // not the wall clock: an NTP step must not cut every quiet connection
  const check = (): void => {
    const now = progressOf(socket);
    if (now !== last) {
      last = now;
      quietSince = performance.now();
      return;
    }
    if (performance.now() - quietSince < ms) return;
    clearInterval(timer);
    // The path as the app was asked it (Express's `originalUrl`: the router's mount point included), as `request.refused` logs it.
    const path = ((req as { readonly originalUrl?: string }).originalUrl ?? req.url ?? '').split('?')[0] ?? '';
    const what = way === 'answer' ? 'took' : 'sent';
    logger?.warn({ event: `${way}.abandoned`, method: req.method, path, from: callerAddress(req), stallMs: ms }, `abandoned ${req.method ?? 'GET'} ${path}: the client ${what} no bytes for ${ms} ms`);
    socket.destroy();
  };
  const timer = setInterval(check, Math.max(1, Math.min(MAX_CHECK_MS, Math.floor(ms / 4))));
  timer.unref();
  const stop = (): void => clearInterval(timer);
  res.once('close', stop);
  return stop;
}

/**
 * A body parser (`express.json()`) whose client is cut once it stops sending
 * the body (gone half-open mid-body) for `ms` without a byte, logged once as
 * `upload.abandoned` (see {@link abandonWhenStalled}), instead of holding its
 * socket, and the body so far, for Node's 5-minute `requestTimeout`. The watch
 * ends when the parser has the whole body (or found none): the work that
 * follows (a sync the request starts) may take longer than `ms` without a byte
 * and is never cut for it. After a parser's refusal it goes on until the answer ends.
 * @param ms - the bound, ms (0 or less: none)
 */
export function cutStalledBody(parser: RequestHandler, ms: number, logger?: SyncLogger): RequestHandler {
  return function cutStalledBodyMiddleware(req, res, next) {
    const stop = abandonWhenStalled(req, res, ms, logger, 'upload');
    void parser(req, res, (error?: unknown) => {
      if (error !== undefined) {
        next(error);
        return;
      }
      stop();
      next();
    });
  };
}
