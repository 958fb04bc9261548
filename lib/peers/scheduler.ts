/** Backoff settings for a peer whose sync failed. */
export interface BackoffOptions {
  /** Delay after the first failure, in ms. */
  readonly baseMs: number;
  /** Longest delay, in ms; raised to the periodic interval when that is longer (see `nextDelayMs`). */
  readonly maxMs: number;
}

/**
 * The delay before the next sync of a peer: `intervalMs` after a success;
 * after `failures` consecutive failures, exponential backoff with "equal
 * jitter" (half fixed, half random), so peers that failed together do not
 * retry in lockstep. The first retries come sooner than the next periodic
 * round (flaky Wi-Fi heals fast); the delays grow up to `maxMs`, or up to
 * `intervalMs` when it is longer: a peer down for long is never tried more
 * than twice per interval (hours apart, not every minute).
 */
export function nextDelayMs(failures: number, intervalMs: number, backoff: BackoffOptions, random: () => number = Math.random): number {
  if (failures === 0) return intervalMs;
  const exponential = Math.min(Math.max(backoff.maxMs, intervalMs), backoff.baseMs * 2 ** Math.min(failures - 1, 30));
  return Math.round(exponential / 2 + (random() * exponential) / 2);
}

/**
 * Longest interval `start()` accepts, in ms (2^31 − 1, about 24.8 days): Node's
 * timers fire after 1 ms for a longer delay, which would sync without pause.
 */
export const MAX_SYNC_INTERVAL_MS = 2_147_483_647;

/**
 * Refuses an interval periodic syncs cannot run at.
 * @throws RangeError when `intervalMs` is not a positive integer or is above {@link MAX_SYNC_INTERVAL_MS}
 */
export function checkIntervalMs(intervalMs: number): void {
  if (!Number.isSafeInteger(intervalMs) || intervalMs <= 0 || intervalMs > MAX_SYNC_INTERVAL_MS) {
    throw new RangeError(`intervalMs must be a positive integer of at most ${MAX_SYNC_INTERVAL_MS} (about 24.8 days, Node's longest timer), got ${intervalMs}`);
  }
}

/** What the scheduler knows of one peer. */
export interface PeerSchedule<Result> {
  /** True while a sync with this peer runs. */
  running: boolean;
  /** Consecutive failed syncs. */
  failures: number;
  /**
   * Consecutive failed syncs that back off (see `SchedulerOptions.backsOff`): the backoff's step. A failure that does
   * not back off (the peer answered) ends the streak, as a success does; `failures` still counts it.
   */
  backoffFailures: number;
  /** When the last sync ended well (ms since the epoch). */
  lastSuccessAt: number | undefined;
  /** The last failure's message, cleared by a success. */
  lastError: string | undefined;
  /** The last result, successful or not. */
  lastResult: Result | undefined;
  /** When the next periodic sync is due (ms since the epoch); undefined while one runs (planned when it ends) or none is planned. */
  nextRunAt: number | undefined;
}

/** Options of {@link SyncScheduler}. */
export interface SchedulerOptions<Result> {
  /** Peer keys (URLs). */
  readonly peers: readonly string[];
  /** Syncs one peer; a thrown error counts as a failure. */
  readonly runOnce: (peer: string) => Promise<Result>;
  /** Tells whether a result (that did not throw) is a failure. */
  readonly isFailure: (result: Result) => string | undefined;
  /**
   * Tells whether a failed result backs off (retried after 1 s, 2 s, … as the backoff says); one that does not is
   * counted and shown as a failure but the next sync comes at the interval, as after a success (a failure that does
   * not heal by retrying, while the rest of the sync went through). A thrown error always backs off.
   * @defaultValue every failure backs off
   */
  readonly backsOff?: (result: Result, peer: string) => boolean;
  /** Backoff after failures. */
  readonly backoff: BackoffOptions;
  /** Random source for jitter (tests pass their own). */
  readonly random?: () => number;
  /** When each peer's last sync ended well before this process started (ms since the epoch), if remembered. */
  readonly lastSuccessAt?: (peer: string) => number | undefined;
  /** Called after each sync once its outcome is recorded and the next one scheduled (for logs). */
  readonly onSettled?: (peer: string, schedule: Readonly<PeerSchedule<Result>>) => void;
}

/**
 * Runs syncs per peer: at most one at a time per peer, peers independent of
 * each other (a peer that is down never stalls the others), periodic with
 * backoff and jitter after failures, on demand at any time, and a `stop()`
 * that waits for running syncs.
 */
export class SyncScheduler<Result> {
  readonly #options: SchedulerOptions<Result>;
  readonly #state = new Map<string, PeerSchedule<Result>>();
  readonly #running = new Map<string, Promise<Result>>();
  /** Per peer, the run asked for while one was running: it starts when that one ends. */
  readonly #next = new Map<string, Promise<Result>>();
  #stopped = false;
  readonly #timers = new Map<string, NodeJS.Timeout>();
  #intervalMs: number | undefined;

  /** @param options - peers, the sync function and the backoff */
  constructor(options: SchedulerOptions<Result>) {
    this.#options = options;
    for (const peer of options.peers) {
      this.#state.set(peer, { running: false, failures: 0, backoffFailures: 0, lastSuccessAt: options.lastSuccessAt?.(peer), lastError: undefined, lastResult: undefined, nextRunAt: undefined });
    }
  }

  /** The interval of periodic syncs while started; undefined before `start` and after `stop`. */
  get intervalMs(): number | undefined {
    return this.#intervalMs;
  }

  /**
   * Starts periodic syncs of every peer, the first one now.
   * @throws RangeError when `intervalMs` is not a positive integer or is above {@link MAX_SYNC_INTERVAL_MS}
   */
  start(intervalMs: number): void {
    checkIntervalMs(intervalMs);
    this.#intervalMs = intervalMs;
    this.#stopped = false;
    for (const peer of this.#state.keys()) this.#schedule(peer, 0);
  }

  /** Stops periodic syncs and waits for the running ones to end. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#intervalMs = undefined;
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    for (const state of this.#state.values()) state.nextRunAt = undefined;
    await Promise.allSettled([...this.#running.values(), ...this.#next.values()]);
  }

  /**
   * Syncs one peer now. When a sync with it is already running, waits for
   * that one, then runs one more (it may have read the peer before what was
   * written meanwhile: "sync now" must include it); the requests that arrive
   * during one run share that next one. Once stopped, it gives the running
   * one's result instead.
   * @throws RangeError for a peer the scheduler does not know
   */
  syncNow(peer: string): Promise<Result> {
    if (!this.#state.has(peer)) throw new RangeError(`unknown peer ${peer}`);
    const running = this.#running.get(peer);
    if (running === undefined) return this.#run(peer);
    let next = this.#next.get(peer);
    if (next === undefined) {
      next = running
        .catch(() => undefined)
        .then(() => {
          this.#next.delete(peer);
          return this.#stopped ? running : (this.#running.get(peer) ?? this.#run(peer));
        });
      this.#next.set(peer, next);
    }
    return next;
  }

  /** Syncs every peer now, concurrently; one peer's failure does not stop the others. */
  async syncAll(): Promise<Array<PromiseSettledResult<Result>>> {
    return Promise.allSettled([...this.#state.keys()].map((peer) => this.syncNow(peer)));
  }

  /** A snapshot of every peer's schedule. */
  status(): ReadonlyMap<string, Readonly<PeerSchedule<Result>>> {
    return new Map([...this.#state].map(([peer, state]) => [peer, { ...state }]));
  }

  #schedule(peer: string, delayMs: number): void {
    const state = this.#state.get(peer);
    if (this.#intervalMs === undefined || state === undefined) return;
    clearTimeout(this.#timers.get(peer));
    state.nextRunAt = Date.now() + delayMs;
    this.#timers.set(
      peer,
      setTimeout(() => {
        this.#timers.delete(peer);
        // A periodic round due while one runs (asked for by hand) is that one: it asks for no second.
        if (!this.#running.has(peer)) void this.#run(peer).catch(() => undefined);
      }, delayMs),
    );
  }

  #run(peer: string): Promise<Result> {
    const state = this.#state.get(peer) as PeerSchedule<Result>;
    state.running = true;
    state.nextRunAt = undefined; // the next one is planned when this one ends (a timer due meanwhile is this round)
    const run = this.#options
      .runOnce(peer)
      .then(
        (result) => {
          state.lastResult = result;
          const failure = this.#options.isFailure(result);
          this.#record(state, failure, failure !== undefined && (this.#options.backsOff?.(result, peer) ?? true));
          return result;
        },
        (error: unknown) => {
          this.#record(state, error instanceof Error ? error.message : String(error), true);
          throw error;
        },
      )
      .finally(() => {
        state.running = false;
        this.#running.delete(peer);
        if (this.#intervalMs !== undefined) this.#schedule(peer, nextDelayMs(state.backoffFailures, this.#intervalMs, this.#options.backoff, this.#options.random));
        else state.nextRunAt = undefined;
        this.#options.onSettled?.(peer, { ...state });
      });
    this.#running.set(peer, run);
    return run;
  }

  #record(state: PeerSchedule<Result>, failure: string | undefined, backsOff: boolean): void {
    state.backoffFailures = backsOff ? state.backoffFailures + 1 : 0;
    if (failure === undefined) {
      state.failures = 0;
      state.lastSuccessAt = Date.now();
      state.lastError = undefined;
    } else {
      state.failures += 1;
      state.lastError = failure;
    }
  }
}
