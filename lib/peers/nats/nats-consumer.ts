import { DeliverPolicy, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import type { ChangeTracker } from '../../data/change-tracker';
import type { ApplyResult } from '../../data/wire-schema';
import { SyncError } from '../../sync-error';
import type { NatsCursors } from './nats-cursors';
import type { NatsLink } from './nats-link';
import { streamSubjects } from './nats-options';
import { CHAIN_WAIT_MS, PageBatch, type Taken } from './nats-batch';
import { siteOfSubject } from './page-message';
import type { FleetSeal } from './fleet-seal';
import { placeOf, readStreamMessage, type Place } from './stream-message';

/** What the consumer asks of the rest of the transport. */
export interface ConsumerHooks {
  /** Runs before a page is applied (publishes local writes first, so the page's own writes need no sending back). */
  readonly beforeApply: () => Promise<void>;
  /** Catches up over HTTP when the stream cannot serve a message this server needs; resolves true when it did. */
  readonly catchUp: (reason: string) => Promise<boolean>;
  /** Called after each message handled. */
  readonly handled: () => void;
  /** Checks each message's seal (the fleet's sync token). */
  readonly seal: FleetSeal;
}

/** Errors that a later try may get past (after a migration, a clock fix, a catch-up, or an app trigger fixed): the message waits. */
const RETRIED = new Set(['SCHEMA_MISMATCH', 'CLOCK_SKEW', 'INCOMPLETE_ROW', 'APPLY_REFUSED']);

/**
 * Reads the fleet's stream with an ordered consumer from the stream sequence
 * saved here: skips this site's own messages, checks each page's schema
 * fingerprint before parsing it, and applies the pages at hand (see
 * {@link PageBatch}) with the last stream sequence in one transaction. A
 * message the stream no longer has (a purge, a hole) is caught up over HTTP first.
 */
export class NatsConsumer {
  readonly #link: NatsLink;
  readonly #data: ChangeTracker;
  readonly #cursors: NatsCursors;
  readonly #stream: string;
  readonly #hooks: ConsumerHooks;
  #messages: ConsumerMessages | undefined;
  /** Messages taken but not applied yet (applied together when the stream has no more for now, or the batch is full). */
  readonly #batch = new PageBatch();
  #chainTimer: NodeJS.Timeout | undefined;
  #failed: unknown;
  #turn: Promise<void> = Promise.resolve();
  /** The last stream sequence taken (into the batch or applied). */
  #seen = 0;
  /** The cursors' epoch this delivery started in: once they moved on (the stream was made again, or lost its tail), it saves nothing. */
  #epoch = 0;
  #progress: Array<() => void> = [];
  /** The last stream sequence handled (applied or passed over). */
  position: number;
  /** Messages behind the stream's end, as the last delivery said. */
  pending: number | undefined;
  applied = 0;
  rowsApplied = 0;
  conflicts = 0;
  refused = 0;
  lastRefusal: { readonly code: string; readonly message: string } | undefined;

  constructor(link: NatsLink, data: ChangeTracker, cursors: NatsCursors, stream: string, hooks: ConsumerHooks) {
    this.#link = link;
    this.#data = data;
    this.#cursors = cursors;
    this.#stream = stream;
    this.#hooks = hooks;
    this.position = cursors.appliedSeq();
  }

  /**
   * Consumes until the delivery ends (`stop`, a reconnect) or a message cannot be applied yet.
   * @throws SyncError `STREAM_GAP` (409) when messages this server needs are gone and no HTTP peer caught it up; the apply's error for a page that must wait
   */
  async run(): Promise<void> {
    await this.#turn; // a flush of the last delivery, still running
    this.position = this.#cursors.appliedSeq();
    this.#epoch = this.#cursors.epoch;
    this.#seen = this.position;
    this.#batch.drain();
    this.#failed = undefined;
    const { js } = await this.#link.jetstream();
    const consumer = await js.consumers.get(this.#stream, { filter_subjects: streamSubjects(this.#stream), deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: this.position + 1 });
    const messages = await consumer.consume({ max_messages: 64 });
    this.#messages = messages;
    this.#stale(); // the cursors moved on while the delivery was set up: it starts again from them
    try {
      for await (const message of messages) await this.#handle(message);
    } finally {
      clearTimeout(this.#chainTimer);
      this.#messages = undefined;
      await messages.close().catch(() => undefined);
    }
    if (this.#failed !== undefined) throw this.#failed;
  }

  /** Ends the current delivery; `run` returns. */
  stop(): void {
    void this.#messages?.close().catch(() => undefined);
  }

  /** Resolves at the next message handled (or after `ms`). */
  nextProgress(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.#progress.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /**
   * True, and the delivery ends, when the cursors moved on since it started
   * (the stream was made again or lost its tail while a page was applied):
   * what it took is another stream's, and `run` starts again from the cursors.
   */
  #stale(): boolean {
    if (this.#epoch === this.#cursors.epoch) return false;
    this.stop();
    return true;
  }

  async #handle(message: JsMsg): Promise<void> {
    if (message.seq <= this.#seen || this.#stale()) return;
    if (message.seq > this.#seen + 1) {
      await this.#flush();
      await this.#crossGap(message.seq);
    }
    const site = siteOfSubject(message.subject);
    if (site === undefined || site === this.#data.siteId) this.#take(message, undefined);
    else await this.#read(message);
    await this.#flushWhenDue(message.info.pending);
    this.pending = message.info.pending;
    this.#hooks.handled();
    for (const notify of this.#progress.splice(0)) notify();
  }

  async #crossGap(seq: number): Promise<void> {
    const reason = `the stream no longer has messages ${this.position + 1}-${seq - 1} this server has not applied`;
    if (await this.#hooks.catchUp(reason)) return;
    throw new SyncError('STREAM_GAP', 409, `${reason}, and no HTTP peer could catch this server up; add a peer (\`peers\`) that has the data, then sync`);
  }

  /**
   * Reads a peer's message ({@link readStreamMessage}) and takes its page; a
   * message refused for good is reported and passed over, one that must wait
   * throws. Pages taken before it are applied first either way.
   */
  async #read(message: JsMsg): Promise<void> {
    const read = readStreamMessage(message, this.#hooks.seal, this.#data.schema.fingerprint);
    if ('page' in read) {
      this.#take(message, read.page);
      return;
    }
    await this.#flush();
    if (read.waits) throw read.error;
    this.#refuse(placeOf(message), read.error);
  }

  /** Adds a message to the pages waiting to be applied together (`page` undefined: nothing to apply, only the position moves). */
  #take(message: JsMsg, page: unknown): void {
    this.#batch.take(message, page);
    this.#seen = message.seq;
  }

  /**
   * Applies the batch when the stream has no more for now, or the batch is
   * full; a publisher's unfinished chain holds it (bigger batches, and at
   * most `CHAIN_WAIT_MS` when the chain's end does not come).
   */
  async #flushWhenDue(pending: number): Promise<void> {
    if (this.#batch.due(pending)) {
      await this.#flush();
      return;
    }
    if (pending === 0 && this.#chainTimer === undefined) {
      this.#chainTimer = setTimeout(() => {
        this.#chainTimer = undefined;
        this.#flush().catch((error: unknown) => {
          this.#failed = error;
          this.stop();
        });
      }, CHAIN_WAIT_MS);
    }
  }

  /** Applies the pages taken so far (one flush at a time): in one transaction with the last one's stream sequence; one at a time when that fails. */
  #flush(): Promise<void> {
    clearTimeout(this.#chainTimer);
    this.#chainTimer = undefined;
    const batch = this.#batch.drain();
    const run = this.#turn.then(() => this.#flushBatch(batch));
    this.#turn = run.catch(() => undefined);
    return run;
  }

  async #flushBatch(batch: readonly Taken[]): Promise<void> {
    const last = batch.at(-1);
    if (last === undefined || this.#stale()) return;
    const pages = batch.filter((entry) => entry.page !== undefined);
    if (pages.length === 0) {
      this.#cursors.saveApplied(last.seq, last.id);
      this.position = last.seq;
      return;
    }
    await this.#hooks.beforeApply();
    if (this.#stale()) return; // the stream was made again meanwhile: its position is no longer this batch's
    try {
      const results = this.#data.applyChangesetsWithCursor(pages.map((entry) => entry.page), { name: this.#cursors.applied, value: this.#cursors.appliedValue(last.seq, last.id) }, this.#cursors.published);
      results.forEach((result, index) => this.#count(pages[index] as Taken, result));
      this.position = last.seq;
    } catch (error) {
      if (pages.length === 1 && batch.length === 1) await this.#applyAlone(last, error);
      else for (const entry of batch) await this.#applyAlone(entry, undefined);
    }
  }

  /** Applies one page on its own (after its batch failed), deciding what a refusal means. */
  async #applyAlone(entry: Taken, failed: unknown): Promise<void> {
    if (this.#stale()) return;
    let error = failed;
    if (error === undefined) {
      if (entry.page === undefined) {
        this.#cursors.saveApplied(entry.seq, entry.id);
        this.position = entry.seq;
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
    else if (RETRIED.has(error.code)) throw error;
    else this.#refuse(entry, error);
  }

  #applyOne(entry: Taken): void {
    if (this.#stale()) return;
    const [result] = this.#data.applyChangesetsWithCursor([entry.page], { name: this.#cursors.applied, value: this.#cursors.appliedValue(entry.seq, entry.id) }, this.#cursors.published);
    if (result !== undefined) this.#count(entry, result);
    this.position = entry.seq;
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
  }

  /** A message no server of this schema could apply (not a changeset): counted, reported, passed over. */
  #refuse(at: Place, error: SyncError): void {
    if (this.#stale()) return;
    this.noteRefusal(at.seq, at.subject, error);
    this.#cursors.saveApplied(at.seq, at.id);
    this.position = at.seq;
    this.#seen = Math.max(this.#seen, at.seq);
  }
}
