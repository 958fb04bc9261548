import type { ChangeTracker } from '../../data/change-tracker';
import type { ApplyResult } from '../../data/wire-schema';
import { SyncError } from '../../sync-error';
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
  /** A stream message was refused and passed over (for the log). */
  readonly refused?: (refusal: Refusal) => void;
}

/** A stream message refused and passed over: where it was, the code, and the message `/status` shows. */
export interface Refusal {
  readonly seq: number;
  readonly subject: string;
  readonly code: string;
  readonly message: string;
}

/**
 * Errors that a later try may get past (after a migration, a restart after one run while the server ran, a clock
 * fix, a catch-up, or an app trigger fixed): the message waits.
 */
const RETRIED = new Set(['SCHEMA_MISMATCH', 'SCHEMA_CHANGED', 'CLOCK_SKEW', 'INCOMPLETE_ROW', 'APPLY_REFUSED', 'IN_TRANSACTION']);

/**
 * Applies the pages a consumer took from the stream: a batch in one
 * transaction with the last message's stream sequence; when that fails, one
 * page at a time, deciding what each refusal means (caught up over HTTP,
 * waits, or passed over and reported). Counts what it applied and refused.
 */
export class PageApplier {
  readonly #data: ChangeTracker;
  readonly #cursors: NatsCursors;
  readonly #hooks: ApplierHooks;
  applied = 0;
  rowsApplied = 0;
  conflicts = 0;
  refused = 0;
  lastRefusal: { readonly code: string; readonly message: string } | undefined;

  constructor(data: ChangeTracker, cursors: NatsCursors, hooks: ApplierHooks) {
    this.#data = data;
    this.#cursors = cursors;
    this.#hooks = hooks;
  }

  /**
   * Applies a batch (messages with nothing to apply only move the position).
   * @throws SyncError for a page that must wait (the position stays before it), or a 5xx
   */
  async apply(batch: readonly Taken[]): Promise<void> {
    const last = batch.at(-1);
    if (last === undefined || this.#hooks.stale()) return;
    const pages = batch.filter((entry) => entry.page !== undefined);
    if (pages.length === 0) {
      this.#cursors.saveApplied(last.seq, last.id);
      this.#hooks.moved(last.seq);
      return;
    }
    await this.#hooks.beforeApply();
    if (this.#hooks.stale()) return; // the stream was made again meanwhile: its position is no longer this batch's
    try {
      const results = this.#data.applyChangesetsWithCursor(pages.map((entry) => entry.page), { name: this.#cursors.applied, value: this.#cursors.appliedValue(last.seq, last.id) }, this.#cursors.published);
      results.forEach((result, index) => this.#count(pages[index] as Taken, result));
      this.#hooks.moved(last.seq);
    } catch (error) {
      if (pages.length === 1 && batch.length === 1) await this.#applyAlone(last, error);
      else for (const entry of batch) await this.#applyAlone(entry, undefined);
    }
  }

  /** Applies one page on its own (after its batch failed), deciding what a refusal means. */
  async #applyAlone(entry: Taken, failed: unknown): Promise<void> {
    if (this.#hooks.stale()) return;
    let error = failed;
    if (error === undefined) {
      if (entry.page === undefined) {
        this.#cursors.saveApplied(entry.seq, entry.id);
        this.#hooks.moved(entry.seq);
        return;
      }
      try {
        this.#applyOne(entry);
        return;
      } catch (caught) {
        error = caught;
      }
    }
    if (!(error instanceof SyncError) || error.status >= 500) throw error;
    if (error.code === 'INCOMPLETE_ROW' && (await this.#hooks.catchUp(`stream message ${entry.seq} changes rows this server has never seen`))) this.#applyOne(entry);
    else if (RETRIED.has(error.code)) throw waitingAt(entry, error);
    else this.refuse(entry, error);
  }

  #applyOne(entry: Taken): void {
    if (this.#hooks.stale()) return;
    const [result] = this.#data.applyChangesetsWithCursor([entry.page], { name: this.#cursors.applied, value: this.#cursors.appliedValue(entry.seq, entry.id) }, this.#cursors.published);
    if (result !== undefined) this.#count(entry, result);
    this.#hooks.moved(entry.seq);
  }

  #count(entry: Taken, result: ApplyResult): void {
    this.applied += 1;
    this.rowsApplied += entry.rows || result.received;
    this.conflicts += result.conflicts.length;
  }

  /** Counts and reports a refused stream message (as `lastRefusal` on `/status`); the position is not moved. */
  noteRefusal(seq: number, subject: string, error: SyncError): void {
    this.refused += 1;
    this.lastRefusal = { code: error.code, message: `stream message ${seq} (${subject}) refused: ${error.message}` };
    this.#hooks.refused?.({ seq, subject, ...this.lastRefusal });
  }

  /**
   * A message whose changes came another way (caught up over HTTP): passed over, not counted as refused.
   * @returns false when the delivery went stale, and nothing was done
   */
  passOver(at: Place): boolean {
    if (this.#hooks.stale()) return false;
    this.#cursors.saveApplied(at.seq, at.id);
    this.#hooks.moved(at.seq);
    return true;
  }

  /**
   * A message no server of this schema could apply (not a changeset): counted, reported, passed over.
   * @returns false when the delivery went stale, and nothing was done
   */
  refuse(at: Place, error: SyncError): boolean {
    if (this.#hooks.stale()) return false;
    this.noteRefusal(at.seq, at.subject, error);
    if (error.code === 'WRONG_TOKEN') this.#cursors.noteWrongToken(at.seq);
    this.#cursors.saveApplied(at.seq, at.id);
    this.#hooks.moved(at.seq);
    return true;
  }
}
