import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SyncLogger } from '../lib/logger';

/** Which way the bytes stopped: an answer its client takes none of, or an upload its sender sends none of. */
export type StalledWay = 'answer' | 'upload';

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
 */
export function abandonWhenStalled(req: IncomingMessage, res: ServerResponse, ms: number, logger?: SyncLogger, way: StalledWay = 'answer'): void {
  const socket = req.socket;
  const onTimeout = (): void => {
    socket.off('timeout', onTimeout);
    const path = (req.url ?? '').split('?')[0] ?? '';
    const what = way === 'answer' ? 'took' : 'sent';
    logger?.warn({ event: `${way}.abandoned`, method: req.method, path, from: socket.remoteAddress, stallMs: ms }, `abandoned ${req.method ?? 'GET'} ${path}: the client ${what} no bytes for ${ms} ms`);
    socket.destroy();
  };
  socket.setTimeout(ms);
  socket.on('timeout', onTimeout);
  res.once('close', () => {
    socket.off('timeout', onTimeout);
    // Node has set a kept-alive socket's keepAliveTimeout before this runs: clear only our own wait.
    if (!socket.destroyed && socket.timeout === ms) socket.setTimeout(0);
  });
}
