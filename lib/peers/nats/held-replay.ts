import { DEFAULTS } from '../../defaults';
import { SyncError } from '../../sync-error';
import { nextDelayMs } from '../scheduler';
import type { HeldSenders } from './held-senders';
import type { NatsCursors } from './nats-cursors';
import type { Marker } from './page-applier';
import type { Place } from './stream-message';

/**
 * One delivery's view of the held senders ({@link HeldSenders}): a delivery
 * starts at the lowest held place, reads again the part of the stream below
 * the applied position (the replay) trying each held sender's messages in
 * order, and at the applied position lets go of the senders that no longer
 * wait. A sender whose message waits again (or for the first time) is
 * blocked for the rest of the delivery: its later messages are not tried.
 * Blocked senders are tried again by a new delivery, after a backoff or when
 * a round asks ({@link HeldReplay.retry}).
 */
export class HeldReplay {
  readonly #cursors: NatsCursors;
  readonly #holds: HeldSenders;
  readonly #blocked = new Map<string, SyncError>();
  /** The applied position the replay runs up to (0: no replay under way). */
  #replayTo = 0;
  /** How far the replay (or the one a round asked for) has read. */
  #reached = 0;
  /** A round asked for a replay the next delivery has not started yet. */
  #asked = false;
  #timer: NodeJS.Timeout | undefined;
  #tries = 0;
  /** The marker of a held sender's messages: its own place, saved with each page applied. */
  readonly marker: Marker;

  constructor(cursors: NatsCursors) {
    this.#cursors = cursors;
    const holds = cursors.holds;
    this.#holds = holds;
    this.marker = {
      cursor: (at) => holds.cursorPast(at.subject, at.seq),
      passed: (at, saved) => {
        if (!this.#blocked.has(at.subject)) holds.passed(at.subject, at.seq, saved);
      },
    };
  }

  /**
   * A new delivery: where it starts (after the returned sequence), the applied sequence;
   * held senders' messages are tried again up to `ahead` ({@link NatsCursors.readSeq}).
   */
  begin(): number {
    this.#blocked.clear();
    this.#asked = false;
    this.#holds.reload();
    const start = this.#holds.lowest(this.#cursors.appliedSeq());
    this.#replayTo = this.#holds.ahead?.seq ?? 0;
    this.#reached = start;
    return start;
  }

  /** True while the message at `seq` is in the replay (below or at the applied position the delivery started from). */
  replays(seq: number): boolean {
    return seq <= this.#replayTo;
  }

  /** True when a message of the replay is a held sender's to try now (past its place, the sender not blocked). */
  tries(place: Place): boolean {
    const after = this.#holds.after(place.subject);
    return after !== undefined && place.seq > after && !this.#blocked.has(place.subject);
  }

  /** The replay read the message at `seq`. */
  read(seq: number): void {
    this.#reached = Math.max(this.#reached, seq);
  }

  /** The replay reached the applied position: senders whose messages were all applied are let go; the blocked ones are tried again later. */
  end(): void {
    if (this.#replayTo === 0) return;
    this.#replayTo = 0;
    this.#cursors.releaseHolds(this.#holds.waiting().map((held) => held.subject).filter((subject) => !this.#blocked.has(subject)));
    if (this.#holds.empty) this.#tries = 0;
  }

  /** Lets go of every held sender (what they had to apply came another way: a catch-up over HTTP). */
  releaseAll(): void {
    this.#blocked.clear();
    this.#cursors.releaseHolds();
    this.#tries = 0;
  }

  /** True while a sender is held and blocked in this delivery: its messages are not tried. */
  blocked(subject: string): boolean {
    return this.#blocked.has(subject) && this.#holds.after(subject) !== undefined;
  }

  /**
   * Blocks a sender whose page at `at` waits (kept at once; `position`: how far the stream is applied now); `stop` ends the delivery
   * once the backoff passed, so a new one tries it again.
   */
  block(at: Place, why: SyncError, position: number, stop: () => void): void {
    this.#blocked.set(at.subject, why);
    this.#holds.hold(at.subject, at.seq, why, position);
    if (this.#timer !== undefined) return;
    this.#tries += 1;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (!this.#holds.empty) stop(); // the next delivery starts at the held senders' place
    }, nextDelayMs(this.#tries, 0, DEFAULTS.backoff)).unref();
  }

  /**
   * Asks for the held senders to be tried again (the caller ends the delivery when this says so).
   * @param applied - the applied position now
   * @returns true when a sender is held
   */
  retry(applied: number): boolean {
    if (this.#holds.empty) return false;
    this.#asked = true;
    this.#reached = this.#holds.lowest(applied);
    return true;
  }

  /** How far the stream is handled, held senders' messages included: below `position` while a replay is under way or asked for. */
  reached(position: number): number {
    return this.#asked || this.#replayTo > 0 ? Math.min(this.#reached, position) : position;
  }

  /** Why the held senders wait, as the last tries said (`undefined` when none is, or none was tried since start). */
  error(): SyncError | undefined {
    const known = this.#holds.waiting().filter((held) => held.why !== undefined);
    const [first] = known;
    if (first?.why === undefined) return undefined;
    if (known.length === 1) return first.why;
    const others = known.slice(1).map((held) => held.subject);
    return new SyncError(first.why.code, first.why.status, `${first.why.message} (${others.length} other sender${others.length === 1 ? '' : 's'} wait too: ${others.join(', ')})`, { cause: first.why });
  }

  /** Ends the backoff under way (the transport stops). */
  close(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }
}
