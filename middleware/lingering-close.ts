import type { Socket } from 'node:net';

/** How much of a refused body is read after the answer, before the connection is cut. */
export interface DrainLimits {
  /** Bytes read and discarded after the answer at most. */
  readonly refusedBodyDrainBytes: number;
  /** Milliseconds the connection is kept open after the answer at most. */
  readonly refusedBodyDrainMs: number;
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
