import { DEFAULTS } from '../../defaults';
import { nextDelayMs } from '../scheduler';
import { wakeableSleep } from './nats-util';

/**
 * The consumer's background loop: runs `round` again and again until closed,
 * after a failure waiting as the scheduler does (100 ms at the least); a wait
 * can be cut short ({@link wake}).
 */
export class ConsumeLoop {
  readonly #round: () => Promise<void>;
  readonly #failed: (error: unknown) => void;
  readonly #closed: () => boolean;
  #loop: Promise<void> | undefined;
  #wake: (() => void) | undefined;

  /**
   * @param round - one run of the consumer (it returns when the consumer stops)
   * @param failed - told each round that threw
   * @param closed - true once the transport is closing: the loop ends
   */
  constructor(round: () => Promise<void>, failed: (error: unknown) => void, closed: () => boolean) {
    this.#round = round;
    this.#failed = failed;
    this.#closed = closed;
  }

  /** Starts the loop, unless it runs. */
  start(): void {
    this.#loop ??= this.#run();
  }

  /** Ends the wait under way, if any: the next round starts now. */
  wake(): void {
    this.#wake?.();
  }

  /** Resolves once the loop has ended (after `closed` turned true), whatever its last round did. */
  async ended(): Promise<void> {
    await this.#loop?.catch(() => undefined);
  }

  async #run(): Promise<void> {
    let failures = 0;
    while (!this.#closed()) {
      try {
        await this.#round();
        failures = 0;
      } catch (error) {
        failures += 1;
        this.#failed(error);
      }
      if (this.#closed()) return;
      await this.#sleep(Math.max(100, nextDelayMs(failures, 0, DEFAULTS.backoff)));
    }
  }

  #sleep(ms: number): Promise<void> {
    const { done, wake } = wakeableSleep(ms);
    this.#wake = wake;
    return done.finally(() => (this.#wake = undefined));
  }
}
