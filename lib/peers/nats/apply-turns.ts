import type { JsMsg } from '@nats-io/jetstream';
import { CHAIN_WAIT_MS, PageBatch, type Taken } from './nats-batch';

/**
 * The consumer's applies, one at a time: the messages taken but not applied
 * yet ({@link PageBatch}), applied together when the stream has no more for
 * now or the batch is full, a publisher's unfinished chain holding them (at
 * most `CHAIN_WAIT_MS`); and any other work that must not run beside an apply.
 */
export class ApplyTurns {
  readonly #apply: (batch: readonly Taken[]) => Promise<void>;
  readonly #failed: (error: unknown) => void;
  readonly #batch = new PageBatch();
  #chainTimer: NodeJS.Timeout | undefined;
  #turn: Promise<void> = Promise.resolve();
  /** Works running in their turn now. */
  #running = 0;

  /**
   * @param apply - applies a batch, oldest first
   * @param failed - told when a batch applied after its chain's wait failed (no caller awaits it)
   */
  constructor(apply: (batch: readonly Taken[]) => Promise<void>, failed: (error: unknown) => void) {
    this.#apply = apply;
    this.#failed = failed;
  }

  /** Resolves once the applies under way are done (whatever they did), and starts with an empty batch. */
  async idle(): Promise<void> {
    await this.#turn;
    this.#batch.drain();
  }

  /** Adds a message to the pages waiting to be applied together (`page` undefined: nothing to apply, only the position moves). */
  take(message: JsMsg, page: unknown): void {
    this.#batch.take(message, page);
  }

  /** Applies the batch when due, given the messages the stream still has for this consumer; else waits for a chain's end, at most `CHAIN_WAIT_MS`. */
  async flushWhenDue(pending: number): Promise<void> {
    if (this.#batch.due(pending)) {
      await this.flush();
      return;
    }
    if (pending === 0 && this.#chainTimer === undefined) {
      this.#chainTimer = setTimeout(() => {
        this.#chainTimer = undefined;
        this.flush().catch(this.#failed);
      }, CHAIN_WAIT_MS);
    }
  }

  /** Applies the pages taken so far (one flush at a time): in one transaction with the last one's stream sequence; one at a time when that fails. */
  flush(): Promise<void> {
    this.cancelWait();
    const batch = this.#batch.drain();
    return this.inTurn(() => this.#apply(batch));
  }

  /** Ends a chain's wait under way (the delivery ends). */
  cancelWait(): void {
    clearTimeout(this.#chainTimer);
    this.#chainTimer = undefined;
  }

  /** Whether an apply (or other work in its turn) runs now. */
  get applying(): boolean {
    return this.#running > 0;
  }

  /** Runs `work` after the applies under way (one at a time). */
  inTurn(work: () => Promise<void>): Promise<void> {
    const run = this.#turn.then(async () => {
      this.#running += 1;
      try {
        await work();
      } finally {
        this.#running -= 1;
      }
    });
    this.#turn = run.catch(() => undefined);
    return run;
  }
}
