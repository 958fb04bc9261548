import type { ChangeTracker } from '../../data/change-tracker';
import { SyncError } from '../../sync-error';
import type { NatsCursors } from './nats-cursors';

/**
 * How far a server holds what a fleet's stream carried: every change of the
 * stream's messages up to `seq`, in the stream made at `created`. A server
 * answers it in `GET /data/info` (`nats`), so a peer that catches up over
 * HTTP after the stream lost messages can tell a catch-up that brought them
 * from one that could not.
 */
export interface StreamCoverage {
  readonly stream: string;
  readonly created: string;
  readonly seq: number;
}

/** How a catch-up over HTTP ended: whether a peer's round succeeded, and what each such peer said it holds of the streams. */
export interface CatchUpOutcome {
  readonly ok: boolean;
  readonly coverage: readonly StreamCoverage[];
}

/** Stream sequences this server passed (they were lost) although no peer that caught it up held them. */
export interface UncoveredRange {
  readonly from: number;
  readonly to: number;
}

/**
 * The stream sequences this server crossed without the data, kept in
 * `_sync_transport_cursors` (`nats:<stream>:uncovered`, `<from> <to>`) until a
 * later catch-up brings them; and what this server can answer of its own
 * coverage (its applied position, or just before what it lacks).
 */
export class StreamCoverageBook {
  readonly #data: ChangeTracker;
  readonly #stream: string;
  readonly #cursors: NatsCursors;

  constructor(data: ChangeTracker, stream: string, cursors: NatsCursors) {
    this.#data = data;
    this.#stream = stream;
    this.#cursors = cursors;
  }

  /** What this server holds of the stream; undefined before it read it. */
  coverage(): StreamCoverage | undefined {
    const created = this.#cursors.createdAt();
    if (created === undefined) return undefined;
    const missing = this.uncovered();
    const applied = this.#cursors.appliedSeq(); // may be below what it lacks: a stream read again from its start
    return { stream: this.#stream, created, seq: missing === undefined ? applied : Math.min(applied, missing.from - 1) };
  }

  /** True when one of the peers' answers holds this stream (as made now) up to `to`. */
  vouched(coverage: readonly StreamCoverage[], to: number): boolean {
    const created = this.#cursors.createdAt();
    return coverage.some((entry) => entry.stream === this.#stream && entry.created === created && entry.seq >= to);
  }

  /** The sequences crossed without the data, undefined when none. */
  uncovered(): UncoveredRange | undefined {
    const [from, to] = (this.#data.transportCursor(this.#cursors.uncovered) ?? '').split(' ').map(Number);
    return from === undefined || to === undefined || !(from > 0) || !(to >= from) ? undefined : { from, to };
  }

  /** Adds sequences crossed without the data (one range, from the first to the last such). */
  note(range: UncoveredRange): UncoveredRange {
    const before = this.uncovered();
    const merged = before === undefined ? range : { from: Math.min(before.from, range.from), to: Math.max(before.to, range.to) };
    this.#data.saveTransportCursor(this.#cursors.uncovered, `${merged.from} ${merged.to}`);
    return merged;
  }

  /** A catch-up brought what was missing. */
  clear(): void {
    this.#data.saveTransportCursor(this.#cursors.uncovered, undefined);
  }
}

/** The `CATCH_UP_INCOMPLETE` error of a server that passed stream messages over without a peer that held them. */
export function catchUpIncomplete(stream: string, range: UncoveredRange): SyncError {
  return new SyncError(
    'CATCH_UP_INCOMPLETE',
    409,
    `this server could not apply messages ${range.from}-${range.to} of the stream ${stream} (they were lost before it read them, or written with a schema it has left) and no HTTP peer that caught it up holds them (none answered that it read the stream that far): rows written then may be missing here. The stream is read on after them; give this server a peer (\`peers\`) that holds them (a server on this stream that read them, or the servers that wrote them), then sync`,
  );
}
