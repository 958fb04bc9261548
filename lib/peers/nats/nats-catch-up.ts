import type { SyncError } from '../../sync-error';
import type { NatsStatus } from '../transport';
import { catchUpIncomplete, type CatchUpOutcome, type StreamCoverageBook, type UncoveredRange } from './stream-coverage';

/** How a catch-up for stream messages ended: brought by a peer that holds them, by peers that may not, or no peer's round succeeded. */
export type CatchUpVerdict = 'complete' | 'incomplete' | 'failed';

/** What a {@link NatsCatchUp} needs besides the catch-up itself. */
export interface NatsCatchUpParts {
  /** The stream's name, for the messages. */
  readonly stream: string;
  /** What this server crossed without the data, and what it holds. */
  readonly book: StreamCoverageBook;
  /** Told when messages were passed over though no peer that caught this server up held them (`CATCH_UP_INCOMPLETE`). */
  readonly incomplete: (error: SyncError, range: UncoveredRange) => void;
}

/**
 * The catch-up over HTTP a NATS transport runs when the stream lost messages
 * this server needs: whether one is under way, and how the last one ended.
 * A peer's round that succeeded brings what that peer holds, which is not
 * always what the stream lost (a peer that never read it, or lost the same
 * messages): for lost messages it counts only when a peer that caught this
 * server up answered that it holds the stream that far ({@link StreamCoverageBook}).
 */
export class NatsCatchUp {
  /** Set while a catch-up is under way, or failed and waits to be tried again; `null` otherwise. */
  current: NatsStatus['catchUp'] = null;
  /** The last catch-up that ended; `null` before the first. `ok` is false for one that could not bring the lost messages. */
  last: NatsStatus['lastCatchUp'] = null;
  /** When the last catch-up ended (ms since the epoch), 0 before the first. */
  endedAt = 0;
  readonly #run: ((reason: string) => Promise<CatchUpOutcome>) | undefined;
  readonly #parts: NatsCatchUpParts;

  /** @param run - catches this server up over HTTP (none: no HTTP peer to do it) */
  constructor(run: ((reason: string) => Promise<CatchUpOutcome>) | undefined, parts: NatsCatchUpParts) {
    this.#run = run;
    this.#parts = parts;
  }

  /** Runs a catch-up; resolves true when a peer's round succeeded. */
  async run(reason: string): Promise<boolean> {
    return (await this.#catchUp(reason, undefined)).ok;
  }

  /**
   * Runs a catch-up for stream messages this server cannot apply (`range`:
   * lost, or of a schema it left); resolves `failed` when no peer's round
   * succeeded. When none of those peers holds the messages, the range is kept
   * (`/status` says `CATCH_UP_INCOMPLETE` until a later catch-up brings it):
   * `incomplete`, and the stream is read on all the same.
   */
  async runForGap(reason: string, range: UncoveredRange): Promise<CatchUpVerdict> {
    const outcome = await this.#catchUp(reason, range);
    if (!outcome.ok) return 'failed';
    if (this.#complete(outcome, range)) return 'complete';
    this.passedWithout(range);
    return 'incomplete';
  }

  /** Stream messages passed over though no peer that caught this server up holds them: kept and told (`CATCH_UP_INCOMPLETE`). */
  passedWithout(range: UncoveredRange): void {
    const merged = this.#parts.book.note(range);
    this.#parts.incomplete(catchUpIncomplete(this.#parts.stream, merged), merged);
  }

  /**
   * Tries again to bring what was crossed without the data.
   * @param since - ms since the epoch: a catch-up that ended after it is enough, none is run again @defaultValue always run one
   * @returns the range still missing, undefined when nothing is (any more)
   */
  async recheck(since = Number.POSITIVE_INFINITY): Promise<UncoveredRange | undefined> {
    const missing = this.#parts.book.uncovered();
    if (missing === undefined || this.endedAt > since) return missing;
    const outcome = await this.#catchUp(`the stream lost messages ${missing.from}-${missing.to} before this server read them, and no peer that caught it up held them: catching up again`, missing);
    return this.#complete(outcome, missing) ? undefined : missing;
  }

  async #catchUp(reason: string, range: UncoveredRange | undefined): Promise<CatchUpOutcome> {
    this.current = { reason, since: new Date().toISOString(), via: this.#run === undefined ? 'none' : 'http' };
    const outcome = (await this.#run?.(reason).catch(() => undefined)) ?? { ok: false, coverage: [] };
    this.endedAt = Date.now();
    this.last = { reason, at: new Date(this.endedAt).toISOString(), ok: outcome.ok && (range === undefined || this.#parts.book.vouched(outcome.coverage, range.to)) };
    if (outcome.ok) this.current = null;
    const missing = this.#parts.book.uncovered();
    if (outcome.ok && missing !== undefined && this.#parts.book.vouched(outcome.coverage, missing.to)) this.#parts.book.clear();
    return outcome;
  }

  #complete(outcome: CatchUpOutcome, range: UncoveredRange): boolean {
    return outcome.ok && this.#parts.book.vouched(outcome.coverage, range.to);
  }
}
