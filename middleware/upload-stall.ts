import type { Request, Response } from 'express';

/**
 * Cuts an upload's connection once it has brought no byte for `ms`, until
 * the answer is sent: a peer whose link went half-open (Wi-Fi lost, the
 * sender gone without a FIN) would otherwise hold the request, and its
 * partial temp file, until Node's `requestTimeout` (5 minutes), one more for
 * each retry meanwhile. The cut aborts the request; the storage engine
 * removes the temp file as for any upload cut short.
 */
export function abandonStalledUpload(req: Request, res: Response, ms: number): void {
  const socket = req.socket;
  const onTimeout = (): void => {
    socket.destroy();
  };
  socket.setTimeout(ms);
  socket.on('timeout', onTimeout);
  res.once('close', () => {
    socket.off('timeout', onTimeout);
    if (!socket.destroyed) socket.setTimeout(0);
  });
}
