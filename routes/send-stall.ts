import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SyncLogger } from '../lib/logger';

/**
 * Cuts the connection once it has taken no bytes for `ms` (a client that
 * stopped reading: gone from the network, or hung), until the answer ends.
 * Destroying the socket ends the answer's pipeline, which closes its source
 * (a file handle, a snapshot lease): nothing waits for the operating system
 * to give up on a half-open link. A client that keeps taking bytes, however
 * slowly, is never cut: each write it takes restarts the wait. A cut is
 * logged once, as a warning, on `logger` when given.
 */
export function abandonWhenStalled(req: IncomingMessage, res: ServerResponse, ms: number, logger?: SyncLogger): void {
  const socket = req.socket;
  const onTimeout = (): void => {
    socket.off('timeout', onTimeout);
    const path = (req.url ?? '').split('?')[0];
    logger?.warn({ event: 'answer-abandoned', method: req.method, path, from: socket.remoteAddress, stallMs: ms }, `abandoned ${req.method ?? 'GET'} ${path ?? ''}: the client took no bytes for ${ms} ms`);
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
