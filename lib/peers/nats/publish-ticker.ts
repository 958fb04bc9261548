import { DEFAULTS } from '../../defaults';
import { nextDelayMs } from '../scheduler';

/** What a {@link PublishTicker} does at each look. */
export interface TickerWork {
  /** Publishes the local writes waiting, if any (a failure is told to `failed`, and the next look waits longer). */
  readonly look: () => Promise<unknown>;
  /** Runs after each look, whatever it did (the stream's facts read again). */
  readonly after: () => Promise<void>;
  /** Told each look that failed. */
  readonly failed: (error: unknown) => void;
  /** True once the transport is closing: no look is scheduled any more. */
  readonly closed: () => boolean;
}

/**
 * The transport's look for new local writes every `intervalMs`; after a
 * failure (NATS unreachable) the next waits as the scheduler does: 1 s, 2 s,
 * … a minute. A look that throws (the app closed its database before stop())
 * is a failed look, never an uncaught exception in its timer.
 */
export class PublishTicker {
  readonly #work: TickerWork;
  readonly #intervalMs: number;
  #timer: NodeJS.Timeout | undefined;
  #started = false;
  #failures = 0;

  constructor(work: TickerWork, intervalMs: number) {
    this.#work = work;
    this.#intervalMs = intervalMs;
  }

  /** Starts looking (the first look now), unless it was started. */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.schedule(0);
  }

  /** Looks after `delayMs` (instead of the look scheduled). */
  schedule(delayMs: number): void {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.#tick(), delayMs).unref();
  }

  /** After a reconnect: a look waiting out a backoff happens now. */
  reconnected(): void {
    this.#failures = 0;
    if (this.#started && this.#timer !== undefined) this.schedule(0);
  }

  /** No more looks. */
  close(): void {
    clearTimeout(this.#timer);
  }

  #tick(): void {
    this.#timer = undefined;
    if (this.#work.closed()) return;
    const looked = Promise.resolve().then(this.#work.look);
    const publishing = looked.then(
      () => 0,
      (error: unknown) => {
        this.#work.failed(error);
        return this.#failures + 1;
      },
    );
    void publishing.then(async (failures) => {
      await this.#work.after();
      this.#failures = failures;
      const delay = failures === 0 ? this.#intervalMs : nextDelayMs(failures, this.#intervalMs, DEFAULTS.backoff);
      if (!this.#work.closed() && this.#timer === undefined) this.schedule(delay);
    });
  }
}
