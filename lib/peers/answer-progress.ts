import type http from 'node:http';

/**
 * Fewest bytes of an answer that count as progress in one `peerTimeoutMs`:
 * an answer that brings less (a link that drips a byte at a time) is as good
 * as silent, and is abandoned as a silent one is (1 KiB, 34 bytes a second
 * at the default 30 s: slower than any link a sync can use).
 */
export const MIN_ANSWER_BYTES_PER_TIMEOUT = 1024;

/**
 * Abandons `response` (destroyed with the error `describe` builds) once a
 * whole `timeoutMs` passes with some bytes of it but fewer than `minBytes`
 * (usually {@link MIN_ANSWER_BYTES_PER_TIMEOUT}; 0 checks nothing; none at
 * all is the socket's own timeout, set beside this): a peer on a link that drips would
 * otherwise hold its round, and every other peer's file sync waiting behind
 * it, for hours. Counted on the socket, without reading the answer (its
 * reader keeps its pace); a window in which the event loop was held (a page
 * applied) is not counted, as no byte could be read in it.
 */
export function abandonStalledAnswer(response: http.IncomingMessage, timeoutMs: number, minBytes: number, describe: (bytes: number) => Error): void {
  if (minBytes <= 0) return;
  const { socket } = response;
  let counted = socket.bytesRead;
  let checkedAt = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    const bytes = socket.bytesRead - counted;
    const held = now - checkedAt > timeoutMs * 1.5;
    counted = socket.bytesRead;
    checkedAt = now;
    if (!held && bytes > 0 && bytes < minBytes && !response.complete) response.destroy(describe(bytes));
  }, timeoutMs);
  timer.unref();
  response.once('close', () => clearInterval(timer));
}
