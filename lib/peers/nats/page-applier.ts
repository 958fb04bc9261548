import type { ChangeTracker } from '../../data/change-tracker';
import type { TransportCursor } from '../../data/transport-cursors';
import type { ApplyResult } from '../../data/wire-schema';
import { SyncError } from '../../sync-error';
import { SchemaRefusalError } from '../../data/schema-refusal';
import type { NatsCursors } from './nats-cursors';
import type { Taken } from './nats-batch';
import { waitingAt, type Place } from './stream-message';

/** What the applier asks of the consumer it applies for. */
export interface ApplierHooks {
  /** Runs before pages are applied (publishes local writes first, so the pages' own writes need no sending back). */
  readonly beforeApply: () => Promise<void>;
  /** Catches up over HTTP when a page changes rows this server never saw; resolves true when it did. */
  readonly catchUp: (reason: string) => Promise<boolean>;
  /** True when the cursors moved on since the delivery started (the stream was made again): nothing is applied or saved then. */
  readonly stale: () => boolean;
  /** The applied position moved to `seq` (a page applied, or a message passed over). */
  readonly moved: (seq: number) => void;
  /** A page of this sender must wait (the error says why): the sender is held, its later messages wait behind it. */
  readonly hold: (at: Place, why: SyncError) => void;
  /** True while a sender is held in this delivery: its pages are not tried. */
  readonly held: (subject: string) => boolean;
  /** A stream message was refused and passed over (for the log). */
  readonly refused?: (refusal: Refusal) => void;
}

/**
 * Where a message applied or passed over is marked: the applied position (the
 * stream read in order), or a held sender's own place ({@link HeldSenders}).
 */
export interface Marker {
  /** The cursor saved in the transaction that applies the page at `at`. */
  readonly cursor: (at: Place) => TransportCursor;
  /** The message at `at` is handled (`saved`: by its page's transaction; otherwise it is saved now). */
  readonly passed: (at: Place, saved: boolean) => void;
}

/** What an applier counted since start, and the one way to count a refusal from outside (the publisher's). */
export interface ApplyTally {
  /** Pages applied. */
  readonly applied: number;
  /** Rows in the pages applied. */
  readonly rowsApplied: number;
  /** Conflicts the pages applied reported. */
  readonly conflicts: number;
  /** Messages refused (passed over). */
  readonly refused: number;
  /** The last message refused (passed over), for `/status`. */
  readonly lastRefusal: { readonly code: string; readonly message: string } | undefined;
  /** Counts and reports a refused stream message (as `lastRefusal` on `/status`); the position is not moved. */
  noteRefusal(seq: number, subject: string, error: SyncError): void;
}

/** A stream message refused and passed over: where it was, the code, and the message `/status` shows. */
export interface Refusal {
  readonly seq: number;
  readonly subject: string;
  readonly code: string;
  readonly message: string;
}

/**
 * Errors that a later try may get past (after a migration, a clock fix, a
 * catch-up, or an app trigger fixed): the page's sender is held, its later
 * messages wait behind it; the other senders' go on.
 */
const HELD = new Set(['SCHEMA_MISMATCH', 'CLOCK_SKEW', 'INCOMPLETE_ROW', 'APPLY_REFUSED']);
/** Errors of this server's own making (a migration run while it ran, the app's open transaction): every message waits. */
const LOCAL = new Set(['SCHEMA_CHANGED', 'IN_TRANSACTION']);

/**
 * Applies the pages a consumer took from the stream: a batch in one
 * transaction with the last message's stream sequence; when that fails, one
 * page at a time, deciding what each refusal means (caught up over HTTP,
 * its sender held, every message waits, or passed over and reported). Counts
 * what it applied and refused.
 */
export class PageApplier implements ApplyTally {
  readonly #data: ChangeTracker;
  readonly #cursors: NatsCursors;
  readonly #hooks: ApplierHooks;
  /** The stream read in order: the applied position. */
  readonly inOrder: Marker;
  applied = 0;
  rowsApplied = 0;
  conflicts = 0;
  refused = 0;
  lastRefusal: { readonly code: string; readonly message: string } | undefined;
  /** The cursors' epoch when {@link lastRefusal} was made. */
  #refusalEpoch = 0;

  constructor(data: ChangeTracker, cursors: NatsCursors, hooks: ApplierHooks) {
    this.#data = data;
    this.#cursors = cursors;
    this.#hooks = hooks;
    // While a sender is held, the applied sequence stays below its message: the others' are marked as `ahead` of it.
    this.inOrder = {
      cursor: (at) => (cursors.holds.empty ? { name: cursors.applied, value: cursors.appliedValue(at.seq, at.id) } : cursors.holds.cursorAhead(at.seq, at.id)),
      passed: (at, saved) => {
        if (!cursors.holds.empty) cursors.holds.movedAhead(at.seq, at.id, saved);
        else if (!saved) cursors.saveApplied(at.seq, at.id);
        hooks.moved(at.seq);
      },
    };
  }

  /**
   * Applies a batch (messages with nothing to apply, or of a sender held, only move the mark past them).
   * @throws SyncError for a page that makes every message wait (the mark stays before it), or a 5xx
   */
  async apply(batch: readonly Taken[], marker: Marker = this.inOrder): Promise<void> {
    const last = batch.at(-1);
    if (last === undefined || this.#hooks.stale()) return;
    const pages = batch.filter((entry) => entry.page !== undefined && !this.#hooks.held(entry.subject));
    if (pages.length === 0) return marker.passed(last, false);
    await this.#hooks.beforeApply();
    if (this.#hooks.stale()) return; // the stream was made again meanwhile: its position is no longer this batch's
    let failed: unknown;
    if (pages.length === batch.filter((entry) => entry.page !== undefined).length) {
      try {
        const results = this.#data.applyChangesetsWithCursor(pages.map((entry) => entry.page), marker.cursor(last), this.#cursors.published);
        results.forEach((result, index) => this.#count(pages[index] as Taken, result));
        return marker.passed(last, true);
      } catch (error) {
        failed = error;
      }
    }
    let marked = false;
    if (pages.length === 1 && batch.length === 1) marked = await this.#applyAlone(last, marker, failed);
    else for (const entry of batch) marked = await this.#applyAlone(entry, marker, undefined);
    if (!marked && !this.#hooks.stale()) marker.passed(last, false); // past a held sender's message: its place keeps it
  }

  /**
   * Applies one page on its own (after its batch failed), deciding what a refusal means.
   * @returns true when its mark was saved (applied or passed over)
   */
  async #applyAlone(entry: Taken, marker: Marker, failed: unknown): Promise<boolean> {
    if (this.#hooks.stale() || entry.page === undefined || this.#hooks.held(entry.subject)) return false;
    let error = failed;
    if (error === undefined) {
      try {
        return this.#applyOne(entry, marker);
      } catch (caught) {
        error = caught;
      }
    }
    if (!(error instanceof SyncError) || error.status >= 500) throw error;
    let waiting: SyncError = error;
    if (waiting.code === 'INCOMPLETE_ROW' && (await this.#hooks.catchUp(`stream message ${entry.seq} changes rows this server has never seen`))) {
      try {
        return this.#applyOne(entry, marker);
      } catch (again) {
        // Caught up, and the rows are still missing (no HTTP peer had them): the sender is held like any page that must wait.
        if (!(again instanceof SyncError) || again.status >= 500 || !HELD.has(again.code)) throw again;
        waiting = again;
      }
    }
    if (LOCAL.has(waiting.code)) throw waitingAt(entry, waiting, 'all');
    // A value this server's own schema refuses (its sender stored it) applies once the schema is fixed: held, as APPLY_REFUSED.
    if (!HELD.has(waiting.code) && !(waiting instanceof SchemaRefusalError)) return this.refuse(entry, waiting, marker);
    this.#hooks.hold(entry, waitingAt(entry, waiting));
    return false;
  }

  #applyOne(entry: Taken, marker: Marker): boolean {
    if (this.#hooks.stale()) return false;
    const [result] = this.#data.applyChangesetsWithCursor([entry.page], marker.cursor(entry), this.#cursors.published);
    if (result !== undefined) this.#count(entry, result);
    marker.passed(entry, true);
    return true;
  }

  #count(entry: Taken, result: ApplyResult): void {
    this.applied += 1;
    this.rowsApplied += entry.rows || result.received;
    this.conflicts += result.conflicts.length;
  }

  /**
   * Forgets the last refusal shown on `/status` when it was made before the cursors last moved on (the
   * count stays): the messages are read again, and one still refused is told again. One made since (the
   * publisher's start check of its subject, run after the move) stays.
   */
  forgetOlderRefusal(): void {
    if (this.#refusalEpoch !== this.#cursors.epoch) this.lastRefusal = undefined;
  }

  /** Counts and reports a refused stream message (as `lastRefusal` on `/status`); the position is not moved. */
  noteRefusal(seq: number, subject: string, error: SyncError): void {
    this.#refusalEpoch = this.#cursors.epoch;
    this.refused += 1;
    this.lastRefusal = { code: error.code, message: `stream message ${seq} (${subject}) refused: ${error.message}` };
    this.#hooks.refused?.({ seq, subject, ...this.lastRefusal });
  }

  /**
   * A message whose changes came another way (caught up over HTTP): passed over, not counted as refused.
   * @returns false when the delivery went stale, and nothing was done
   */
  passOver(at: Place, marker: Marker = this.inOrder): boolean {
    if (this.#hooks.stale()) return false;
    marker.passed(at, false);
    return true;
  }

  /**
   * A message no server of this schema could apply (not a changeset): counted, reported, passed over.
   * @returns false when the delivery went stale, and nothing was done
   */
  refuse(at: Place, error: SyncError, marker: Marker = this.inOrder): boolean {
    if (this.#hooks.stale()) return false;
    this.noteRefusal(at.seq, at.subject, error);
    if (error.code === 'WRONG_TOKEN') this.#cursors.noteWrongToken(at.seq);
    marker.passed(at, false);
    return true;
  }
}
