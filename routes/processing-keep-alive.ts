import type { Request, Response } from 'express';
import { PROCESSING_ASKED, PROCESSING_HEADER } from '../lib/processing-asked';

/**
 * Awaits `work` (a snapshot being built, before the answer's headers can be
 * known) while sending `102 Processing` every `intervalMs`: an interim
 * answer, read and passed over by HTTP/1.1 clients (Node's `http`, fetch),
 * whose bytes keep a client's timeout that counts time without a byte
 * (`peerTimeoutMs`) from running out while this server works. A peer that
 * died or was cut off sends none, so it is still given up after that
 * timeout. Nothing is sent to a client that did not ask for it
 * ({@link PROCESSING_HEADER}), to an HTTP/1.0 client (it knows no interim
 * answers), once the headers are sent, or on a closed connection.
 * @param intervalMs - ms between two interim answers; 0 sends none
 * @returns what `work` resolves with
 * @throws what `work` rejects with
 */
export async function whileSendingProcessing<T>(req: Request, res: Response, work: Promise<T>, intervalMs: number): Promise<T> {
  const http11 = req.httpVersionMajor > 1 || (req.httpVersionMajor === 1 && req.httpVersionMinor >= 1);
  // Only to a client that asked: others may take a 1xx other than 100 for the final answer (nginx as a proxy), or
  // give up after a few (Go's client, so Caddy as a proxy, after 5: a build of a few seconds).
  if (!http11 || intervalMs <= 0 || req.get(PROCESSING_HEADER) !== PROCESSING_ASKED) return work;
  const timer = setInterval(() => {
    if (!res.headersSent && !res.destroyed && !req.socket.destroyed) res.writeProcessing();
  }, intervalMs);
  try {
    return await work;
  } finally {
    clearInterval(timer);
  }
}
