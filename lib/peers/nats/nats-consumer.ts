import { DeliverPolicy, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import type { ChangeTracker } from '../../data/change-tracker';
import { SyncError } from '../../sync-error';
import type { NatsCursors } from './nats-cursors';
import type { NatsLink } from './nats-link';
import { streamSubjects } from './nats-options';
import { ROWS_HEADER, SCHEMA_HEADER, siteOfSubject } from './page-message';

/** What the consumer asks of the rest of the transport. */
export interface ConsumerHooks {
  /** Runs before a page is applied (publishes local writes first, so the page's own writes need no sending back). */
  readonly beforeApply: () => Promise<void>;
  /** Catches up over HTTP when the stream cannot serve a message this server needs; resolves true when it did. */
  readonly catchUp: (reason: string) => Promise<boolean>;
  /** Called after each message handled. */
  readonly handled: () => void;
}

/** Errors that a later try may get past (after a migration, a clock fix or a catch-up): the message waits. */
const RETRIED = new Set(['SCHEMA_MISMATCH', 'CLOCK_SKEW', 'INCOMPLETE_ROW']);

/**
 * Reads the fleet's stream with an ordered consumer from the stream
 * sequence saved here, in stream order: skips this site's own messages,
 * checks each page's schema fingerprint before parsing it, and applies it
 * with its stream sequence in one transaction. A message the stream no
 * longer has (its first sequence passed this server's cursor, or a hole)
 * is caught up over HTTP before reading on.
 */
export class NatsConsumer {
  readonly #link: NatsLink;
  readonly #data: ChangeTracker;
  readonly #cursors: NatsCursors;
  readonly #stream: string;
  readonly #hooks: ConsumerHooks;
  #messages: ConsumerMessages | undefined;
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
    this.position = this.#cursors.appliedSeq();
    const { js } = await this.#link.jetstream();
    const consumer = await js.consumers.get(this.#stream, { filter_subjects: streamSubjects(this.#stream), deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: this.position + 1 });
    const messages = await consumer.consume({ max_messages: 64 });
    this.#messages = messages;
    try {
      for await (const message of messages) await this.#handle(message);
    } finally {
      this.#messages = undefined;
      await messages.close().catch(() => undefined);
    }
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

  async #handle(message: JsMsg): Promise<void> {
    if (message.seq <= this.position) return;
    if (message.seq > this.position + 1) await this.#crossGap(message.seq);
    const site = siteOfSubject(message.subject);
    if (site === undefined || site === this.#data.siteId) this.#pass(message);
    else await this.#apply(message);
    this.pending = message.info.pending;
    this.#hooks.handled();
    for (const notify of this.#progress.splice(0)) notify();
  }

  async #crossGap(seq: number): Promise<void> {
    const reason = `the stream no longer has messages ${this.position + 1}-${seq - 1} this server has not applied`;
    if (await this.#hooks.catchUp(reason)) return;
    throw new SyncError('STREAM_GAP', 409, `${reason}, and no HTTP peer could catch this server up; add a peer (\`peers\`) that has the data, then sync`);
  }

  /** Passes over a message with nothing to apply; the position is saved when the stream has no more for now. */
  #pass(message: JsMsg): void {
    this.position = message.seq;
    if (message.info.pending === 0) this.#cursors.saveApplied(message.seq);
  }

  async #apply(message: JsMsg): Promise<void> {
    const fingerprint = message.headers?.get(SCHEMA_HEADER);
    if (fingerprint !== this.#data.schema.fingerprint) {
      const theirs = fingerprint || 'none';
      throw new SyncError('SCHEMA_MISMATCH', 409, `stream message ${message.seq} (${message.subject}) was written with tracked schema ${theirs}, this server has ${this.#data.schema.fingerprint}; migrate every server to the same schema`);
    }
    await this.#hooks.beforeApply();
    try {
      this.#applyNow(message);
    } catch (error) {
      if (!(error instanceof SyncError) || error.status >= 500) throw error;
      if (error.code === 'INCOMPLETE_ROW' && (await this.#hooks.catchUp(`stream message ${message.seq} changes rows this server has never seen`))) this.#applyNow(message);
      else if (RETRIED.has(error.code)) throw error;
      else this.#refuse(message, error);
    }
  }

  #applyNow(message: JsMsg): void {
    let page: unknown;
    try {
      page = JSON.parse(Buffer.from(message.data).toString('utf8'));
    } catch {
      throw new SyncError('INVALID_CHANGESET', 400, 'the message is not JSON');
    }
    const result = this.#data.applyChangesetWithCursor(page, { name: this.#cursors.applied, value: String(message.seq) }, this.#cursors.published);
    this.position = message.seq;
    this.applied += 1;
    this.rowsApplied += Number(message.headers?.get(ROWS_HEADER) ?? 0) || result.received;
    this.conflicts += result.conflicts.length;
  }

  /** A message no server of this schema could apply (not a changeset): counted, reported, passed over. */
  #refuse(message: JsMsg, error: SyncError): void {
    this.refused += 1;
    this.lastRefusal = { code: error.code, message: `stream message ${message.seq} (${message.subject}) refused: ${error.message}` };
    this.#cursors.saveApplied(message.seq);
    this.position = message.seq;
  }
}
