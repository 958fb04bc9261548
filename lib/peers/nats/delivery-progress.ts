/**
 * What a waiting round reads of the consumer's delivery: a wake-up at each
 * message handled ({@link DeliveryProgress.next}), and how long the delivery
 * has been idle ({@link DeliveryProgress.idleMs}).
 */
export class DeliveryProgress {
  #waiters: Array<() => void> = [];
  /** When the delivery last brought a message or ended handling one (ms since the epoch). */
  #activeAt = Date.now();
  /** Whether a message is being handled now. */
  #handling = false;

  /** Handles one message with `work`: the delivery is busy meanwhile, and active when it ends. */
  async handling(work: () => Promise<void>): Promise<void> {
    this.#handling = true;
    this.#activeAt = Date.now();
    try {
      await work();
    } finally {
      this.#handling = false;
      this.#activeAt = Date.now();
    }
  }

  /** A message was handled: the waits under way end. */
  handled(): void {
    for (const notify of this.#waiters.splice(0)) notify();
  }

  /** Resolves at the next message handled (or after `ms`). */
  next(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** How long the delivery has been idle, in ms: 0 while a message is handled or `applying`, else since the last message came or was handled. */
  idleMs(applying: boolean, now = Date.now()): number {
    return this.#handling || applying ? 0 : now - this.#activeAt;
  }
}
