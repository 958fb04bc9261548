import type { SyncError } from '../../sync-error';

/** How many times {@link LinkWaits.request} sends a request again at a reconnect. */
const MAX_RESENDS = 5;

/** What {@link LinkWaits.request} reads when the reconnect came before the answer. */
const RECONNECTED: unique symbol = Symbol('reconnected');

/**
 * The waits for NATS answers that the connection's events end: a loss ends
 * every wait under way ({@link LinkWaits.whileLinked}); a reconnect sends
 * again a request that was sent while the connection was down ({@link LinkWaits.request}).
 */
export class LinkWaits {
  /** The waits under way, each ended when the connection is lost. */
  readonly #lost = new Set<(error: SyncError) => void>();
  /** Told at the next reconnect: requests sent while the connection was down. */
  readonly #reconnects = new Set<() => void>();

  /** The connection was lost: every wait under way ends with `error`. */
  lost(error: SyncError): void {
    for (const end of [...this.#lost]) end(error);
  }

  /** The client reconnected: requests sent while it was down are sent again. */
  reconnected(): void {
    for (const told of [...this.#reconnects]) told();
  }

  /**
   * `work`, or the loss's failure as soon as the connection is lost while it runs: the client keeps
   * a request through a reconnect, and a server that went away never answers it, so its wait would
   * last `requestTimeoutMs`. A loss before the call does not count. `work` goes on.
   */
  async whileLinked<T>(work: Promise<T>): Promise<T> {
    let end: (error: SyncError) => void = () => undefined;
    const lost = new Promise<never>((_resolve, reject) => (end = reject));
    this.#lost.add(end);
    try {
      return await Promise.race([work, lost]);
    } finally {
      this.#lost.delete(end);
    }
  }

  /**
   * Sends an idempotent request (a publish with its message id, a stream's info, a message read, a consumer made under one name) and
   * waits for its answer ({@link whileLinked}). One sent while the connection is down (`connected()`
   * false) is never answered: the client (@nats-io/transport-node 3.4) drops what it buffered at each
   * dial, so it waited `requestTimeoutMs`, and the first round after every nats-server restart failed
   * with `NATS_TIMEOUT`. At the reconnect it is sent again (at most {@link MAX_RESENDS} times, for a
   * connection that drops again before the copy went out); a copy that went out as well is answered
   * as a duplicate (its message id) or by the publisher's check of the subject's last message.
   */
  async request<T>(connected: () => boolean, send: () => Promise<T>): Promise<T> {
    for (let resends = 0; resends < MAX_RESENDS && !connected(); resends += 1) {
      const first = send();
      first.catch(() => undefined); // raced below; once the reconnect wins, its timeout must not go unhandled
      let told: () => void = () => undefined;
      const reconnected = new Promise<typeof RECONNECTED>((resolve) => (told = () => resolve(RECONNECTED)));
      this.#reconnects.add(told);
      try {
        const answer = await this.whileLinked(Promise.race([first, reconnected]));
        if (answer !== RECONNECTED) return answer;
      } finally {
        this.#reconnects.delete(told);
      }
    }
    return this.whileLinked(send());
  }
}
