import type { ConsumerMessages, JsMsg } from '@nats-io/jetstream';
import type { ChangeTracker } from '../../data/change-tracker';
import type { SyncError } from '../../sync-error';
import type { NatsCursors } from './nats-cursors';
import type { NatsLink } from './nats-link';
import { ApplyTurns } from './apply-turns';
import { siteOfSubject } from './page-message';
import { placeOf, type Place } from './stream-message';
import { ObsoleteSchemaPages } from './obsolete-schema';
import { PageApplier, type ApplyTally } from './page-applier';
import { crossGap, type ConsumerHooks } from './consumer-hooks';
import { HeldReplay } from './held-replay';
import { DeliveryProgress } from './delivery-progress';
import { openDelivery } from './open-delivery';
import { readPeerMessage, type PeerMessageParts } from './peer-message-read';

/**
 * Reads the fleet's stream with an ordered consumer from the stream sequence
 * saved here: skips this site's own messages (a clone's on its subject
 * stops the publisher: `SAME_SITE_ID`), checks each page's schema
 * fingerprint before parsing it, and applies the pages at hand (see
 * {@link PageBatch}; {@link PageApplier}) with the last stream sequence in one transaction. A
 * message the stream no longer has (a purge, a hole) is caught up over HTTP first.
 */
export class NatsConsumer {
  readonly #link: NatsLink;
  readonly #data: ChangeTracker;
  readonly #cursors: NatsCursors;
  readonly #stream: string;
  readonly #hooks: ConsumerHooks;
  readonly #applier: PageApplier;
  readonly #obsolete: ObsoleteSchemaPages;
  readonly #held: HeldReplay;
  /** What reading a peer's message works with ({@link readPeerMessage}). */
  readonly #reader: PeerMessageParts;
  #messages: ConsumerMessages | undefined;
  /** Messages taken but not applied yet, and the applies one at a time. */
  readonly #turns: ApplyTurns;
  #failed: unknown;
  /** The last stream sequence taken (into the batch or applied). */
  #seen = 0;
  /** The cursors' epoch this delivery started in: once they moved on (the stream was made again, or lost its tail), it saves nothing. */
  #epoch = 0;
  readonly #progress = new DeliveryProgress();
  /** How many times {@link stop} was asked: one asked while a delivery was being set up (nothing to end yet) ends it once it is made. */
  #stops = 0;
  /** The last stream sequence handled (applied or passed over). */
  position: number;
  /** Messages behind the stream's end, as the last delivery said. */
  pending: number | undefined;

  constructor(link: NatsLink, data: ChangeTracker, cursors: NatsCursors, stream: string, hooks: ConsumerHooks) {
    this.#link = link;
    this.#data = data;
    this.#cursors = cursors;
    this.#stream = stream;
    this.#hooks = hooks;
    this.position = cursors.readSeq();
    this.#held = new HeldReplay(cursors);
    this.#applier = new PageApplier(data, cursors, {
      beforeApply: hooks.beforeApply,
      catchUp: hooks.catchUp,
      stale: () => this.#stale(),
      moved: (seq) => (this.position = seq),
      hold: (at, why) => this.#hold(at, why),
      held: (subject) => this.#held.blocked(subject),
      refused: hooks.refused,
    });
    this.#turns = new ApplyTurns(
      (batch) => this.#applier.apply(batch),
      (error) => {
        this.#failed = error;
        this.stop();
      },
    );
    this.#obsolete = new ObsoleteSchemaPages(link, { seal: hooks.seal, fingerprint: () => data.schema.fingerprint, catchUp: hooks.catchUpGap, passedWithout: hooks.passedWithout });
    this.#reader = {
      seal: hooks.seal, data, applier: this.#applier, turns: this.#turns, obsolete: this.#obsolete,
      take: (message, page) => this.#take(message, page),
      hold: (at, why) => this.#hold(at, why),
      passed: (seq) => (this.#seen = Math.max(this.#seen, seq)),
    };
  }

  /** What was applied and refused since start (counts for `/status` and rounds). */
  get tally(): ApplyTally {
    return this.#applier;
  }

  /**
   * Consumes until the delivery ends (`stop`, a reconnect) or a message cannot be applied yet.
   * @throws SyncError `STREAM_GAP` (409) when messages this server needs are gone and no HTTP peer caught it up; the apply's error for a page that must wait
   */
  async run(): Promise<void> {
    await this.#turns.idle(); // a flush of the last delivery, still running
    this.position = this.#cursors.readSeq();
    // The cursors moved on (the stream made again, its tail lost, the token fixed): the stream is read again, and a refusal still there is told again.
    if (this.#epoch !== this.#cursors.epoch) this.#applier.forgetOlderRefusal();
    this.#epoch = this.#cursors.epoch;
    const stops = this.#stops;
    this.#seen = this.#held.begin(); // held senders' messages are read again from their place
    this.#failed = undefined;
    const messages = await openDelivery(this.#link, this.#stream, this.#seen + 1, this.#hooks.pullExpiresMs); // its requests are sent again at a reconnect
    this.#messages = messages;
    // Stopped while it was set up (a round asked for the held senders' replay after this one began its own, a reconnect): it starts again.
    if (this.#stops !== stops) this.stop();
    this.#stale(); // the cursors moved on while the delivery was set up: it starts again from them
    try {
      for await (const message of messages) await this.#handle(message);
    } finally {
      this.#turns.cancelWait();
      this.#messages = undefined;
      await messages.close().catch(() => undefined);
    }
    if (this.#failed !== undefined) throw this.#failed;
  }

  /** Ends the current delivery, or the one being set up as soon as it is made; `run` returns. */
  stop(): void {
    this.#stops += 1;
    void this.#messages?.close().catch(() => undefined);
  }

  /** Ends the current delivery and the held senders' backoff (the transport stops). */
  close(): void {
    this.#held.close();
    this.stop();
  }

  /** How far the stream is handled, held senders' messages included (a round waits for it). */
  get reached(): number {
    return this.#held.reached(this.position);
  }

  /** Why held senders' messages wait (their sender's later ones wait behind them); undefined when none does. */
  heldError(): SyncError | undefined {
    return this.#held.error();
  }

  /** The held senders' subjects, and up to which stream sequence each one's messages are applied. */
  heldSenders(): ReadonlyArray<{ readonly subject: string; readonly after: number }> {
    return this.#cursors.holds.waiting();
  }

  /** Tries the held senders again now (a new delivery reads from their place); false when none is held. */
  retryHeld(): boolean {
    if (!this.#held.retry(this.position)) return false;
    this.stop();
    return true;
  }

  /**
   * How long the delivery has been idle, in ms: 0 while a message is handled or an apply runs,
   * else the time since the last message came or was handled. A still position while it is idle
   * is a pull the server lost, not a slow apply or a batch filling.
   */
  idleMs(now = Date.now()): number {
    return this.#progress.idleMs(this.#turns.applying, now);
  }

  /** Resolves at the next message handled (or after `ms`). */
  nextProgress(ms: number): Promise<void> {
    return this.#progress.next(ms);
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

  #handle(message: JsMsg): Promise<void> {
    return this.#progress.handling(() => this.#handleNow(message));
  }

  async #handleNow(message: JsMsg): Promise<void> {
    if (message.seq <= this.#seen || this.#stale()) return;
    if (message.seq > this.#seen + 1) {
      await this.#turns.flush();
      await crossGap(this.#hooks, this.#seen + 1, message.seq - 1);
    }
    if (this.#held.replays(message.seq)) await this.#replay(message);
    else await this.#inOrder(message);
    await this.#turns.flushWhenDue(message.info.pending);
    this.pending = message.info.pending;
    this.#hooks.handled();
    this.#progress.handled();
  }

  async #inOrder(message: JsMsg): Promise<void> {
    this.#held.end();
    const site = siteOfSubject(message.subject);
    // This site's own message (the publisher checks it is no clone's), or a held sender's (its place keeps it): only the position moves.
    if (site === this.#data.siteId) await this.#hooks.ownMessage?.(message.seq, { subject: message.subject, headers: message.headers, data: message.data });
    if (site === this.#data.siteId || this.#held.blocked(message.subject)) this.#take(message, undefined);
    else await readPeerMessage(this.#reader, message); // a subject that is no site's is read too: no server publishes there, so it is junk, refused and reported
  }

  /** A message below the applied position, read again for a held sender: tried when it is that sender's next one. */
  async #replay(message: JsMsg): Promise<void> {
    this.#seen = message.seq;
    if (this.#held.tries(placeOf(message))) await this.#turns.inTurn(() => readPeerMessage(this.#reader, message, this.#held.marker));
    this.#held.read(message.seq);
    if (message.seq >= this.position) this.#held.end();
  }

  /** A sender's page waits: the sender is held (kept before the position passes it), its later messages wait behind it; the others go on. */
  #hold(at: Place, why: SyncError): void {
    this.#held.block(at, why, this.position, () => this.stop());
  }

  /**
   * Crosses what a stream with no message left lost (purged, aged out), or its deleted tail once the rest is read, up to
   * its last sequence: no message will come to show the gap, so it is caught
   * up over HTTP now (in the applier's turn), and the position moves to it.
   * @throws SyncError `STREAM_GAP` (409) when no HTTP peer caught this server up
   */
  crossEmptied(lastSeq: number): Promise<void> {
    return this.#turns.inTurn(async () => {
      const epoch = this.#cursors.epoch;
      const from = this.#cursors.holds.empty ? Math.max(this.position, this.#seen) : this.#cursors.appliedSeq();
      if (from >= lastSeq) return;
      await crossGap(this.#hooks, from + 1, lastSeq);
      if (epoch !== this.#cursors.epoch) return; // the stream was made again meanwhile
      this.#held.releaseAll(); // what held senders had there came over HTTP
      if (this.position >= lastSeq) return; // a message moved it
      this.#cursors.saveApplied(lastSeq);
      this.position = lastSeq;
      this.#seen = Math.max(this.#seen, lastSeq);
    });
  }

  /** Adds a message to the pages waiting to be applied together (`page` undefined: nothing to apply, only the position moves). */
  #take(message: JsMsg, page: unknown): void {
    this.#turns.take(message, page);
    this.#seen = message.seq;
  }
}
