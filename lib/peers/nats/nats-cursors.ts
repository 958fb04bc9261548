import type { ChangeTracker } from '../../data/change-tracker';
import type { NatsLink, StreamFacts } from './nats-link';
import { PublishCursors } from './publish-cursors';
import { HeldSenders } from './held-senders';

/**
 * What reconciling the saved cursors with the stream found: `rewound`, the
 * stream ends before the sequence applied here (it lost its tail);
 * `refilled`, the message at that sequence is not the one applied (the
 * store was put back from an older copy and filled again since);
 * `reidentified`, this database read the stream as another site id;
 * `retokened`, it refused messages as `WRONG_TOKEN` under other sync tokens than it has now.
 */
export type StreamChange = 'same' | 'first-use' | 'recreated' | 'rewound' | 'refilled' | 'reidentified' | 'retokened';

/** Message ids longer than this are not kept with the applied position (ours are ~50 characters). */
const MAX_KEPT_ID = 256;

/**
 * This server's positions in one stream, kept in `_sync_transport_cursors`
 * (the tracker's table; the names are this transport's):
 * - `nats:<stream>:applied`: the stream sequence applied here and the
 *   `Nats-Msg-Id` of the message there (`<seq> <id>`), saved in the
 *   transaction of the page it ends;
 * - `nats:<stream>:published:<site>`: the local seq up to which this site's
 *   changes are in the stream (keyed by site: a new identity publishes anew);
 * - `nats:<stream>:subject:<site>`: the stream sequence of this site's last
 *   message, the expected last subject sequence of its next one;
 * - `nats:<stream>:attempt:<site>`: the `Nats-Msg-Id`s this database sent
 *   since its last saved publication, each with its attempt's nonce
 *   (`<id>#<nonce>`), saved before sending (tells a lost ack or a crash from a clone);
 * - `nats:<stream>:reach:<site>`: how far the published seq went in each of
 *   the stream's last lives (`<local seq>@<created>`, space-separated) before
 *   it was set back (the stream made again, its tail lost);
 * - `nats:<stream>:reader`: the site id this database last read the stream as
 *   (passing over that id's subject as its own);
 * - `nats:<stream>:created`: the stream's creation time, telling a stream
 *   made again (everything is read and published again) from the same one;
 * - `nats:<stream>:refused`: the first stream sequence refused as `WRONG_TOKEN`
 *   and the id of the tokens it was refused under (`<seq> <id>`);
 * - `nats:<stream>:held`: the senders held at a message that waits ({@link HeldSenders}).
 */
export class NatsCursors extends PublishCursors {
  readonly applied: string;
  readonly #created: string;
  readonly #reader: string;
  readonly #site: string;
  readonly #refused: string;
  readonly #tokens: string;
  /** `nats:<stream>:uncovered`: stream sequences crossed without the data (see `StreamCoverageBook`), let go with the stream. */
  readonly uncovered: string;
  /**
   * Bumped each time {@link NatsCursors.reconcile} moves the applied cursor
   * itself (a stream used first, made again, or that lost its tail): a
   * consumer's delivery begun before must not save its position any more.
   */
  epoch = 0;
  /** The senders whose messages wait (`nats:<stream>:held`), reset with the applied position. */
  readonly holds: HeldSenders;

  /**
   * @param site - this server's site id
   * @param tokens - the id of this server's sync tokens ({@link FleetSeal.id})
   */
  constructor(data: ChangeTracker, stream: string, site: string, tokens = '') {
    super(data, stream, site);
    this.applied = `nats:${stream}:applied`;
    this.#created = `nats:${stream}:created`;
    this.#reader = `nats:${stream}:reader`;
    this.#site = site;
    this.#refused = `nats:${stream}:refused`;
    this.#tokens = tokens;
    this.uncovered = `nats:${stream}:uncovered`;
    this.holds = new HeldSenders(data, stream);
  }

  /** The creation time of the stream these cursors are for, undefined before it was read. */
  createdAt(): string | undefined {
    return this.data.transportCursor(this.#created);
  }

  /** Keeps the first stream message refused as `WRONG_TOKEN` under this server's tokens (read again once they change). */
  noteWrongToken(streamSeq: number): void {
    if (this.data.transportCursor(this.#refused) === undefined) this.data.saveTransportCursor(this.#refused, `${streamSeq} ${this.#tokens}`);
  }

  /** The stream sequence applied here. */
  appliedSeq(): number {
    return Number.parseInt(this.data.transportCursor(this.applied) ?? '0', 10) || 0;
  }

  /** How far the stream is read in order: the applied sequence, or past it the other senders' messages applied while some are held. */
  readSeq(): number {
    return this.holds.ahead?.seq ?? this.appliedSeq();
  }

  /**
   * Lets go of held senders whose messages are all applied now, then moves the
   * applied sequence up to what is all applied (saved in that order: a crash
   * between leaves it lower, and what is read again changes nothing).
   */
  releaseHolds(subjects?: Iterable<string>): void {
    const ahead = this.holds.ahead;
    this.holds.release(subjects);
    if (ahead === undefined) return;
    const low = this.holds.lowest(ahead.seq);
    if (low > this.appliedSeq()) this.saveApplied(low, low === ahead.seq && this.holds.empty ? ahead.id : undefined);
  }

  /** The `Nats-Msg-Id` of the message at the applied sequence, when it had one (saved since 0.x; older cursors have none). */
  appliedId(): string | undefined {
    const value = this.data.transportCursor(this.applied) ?? '';
    const space = value.indexOf(' ');
    return space < 0 ? undefined : value.slice(space + 1);
  }

  /** The applied cursor's value for the message at `streamSeq` with id `msgId`. */
  appliedValue(streamSeq: number, msgId: string | undefined): string {
    return msgId === undefined || msgId.length > MAX_KEPT_ID ? String(streamSeq) : `${streamSeq} ${msgId}`;
  }

  /** Saves the stream sequence reached by messages that carried nothing to apply (this site's own), with the id of the last. */
  saveApplied(streamSeq: number, msgId?: string): void {
    this.data.saveTransportCursor(this.applied, this.appliedValue(streamSeq, msgId));
  }

  /**
   * {@link NatsCursors.reconcile}, after reading the id of the stream's
   * message at the applied sequence and, while senders are held, at the
   * sequence read up to past them (`ahead`): each when its id was kept and
   * the stream still holds that sequence.
   */
  async reconcileWith(link: Pick<NatsLink, 'messageIdAt'>, facts: StreamFacts): Promise<StreamChange> {
    const idAt = async (seq: number, kept: string | undefined): Promise<{ readonly id: string | undefined } | undefined> => {
      const checked = kept !== undefined && seq >= facts.firstSeq && seq <= facts.lastSeq && this.data.transportCursor(this.#created) === facts.created;
      const id = checked ? await link.messageIdAt(seq) : null;
      return id === null ? undefined : { id };
    };
    const ahead = this.holds.ahead;
    return this.reconcile(facts, await idAt(this.appliedSeq(), this.appliedId()), ahead === undefined ? undefined : await idAt(ahead.seq, ahead.id));
  }

  /**
   * Compares the saved cursors with the stream as it is now. A stream made
   * again (another creation time) is read and published from the start; a
   * stream whose last sequence is below the one applied here lost its tail
   * (its messages are read again from its start, since some may have been published anew at
   * sequences this server had passed; publishers that lost messages publish them again).
   * A message at the applied sequence other than the one applied
   * (`atApplied`: its id, when it was read) means the store was put back from an older copy and
   * filled again: where the copy ended is unknown, so the stream is read again
   * from its first message (applying a page twice changes nothing), and
   * publishers publish again what their subject lost. So does another message
   * at the sequence read up to past held senders (`atAhead`): the messages
   * the other senders put at the sequences up to it were never read here. A database that read
   * the stream as another site id (it took a new one since: `new-site-id`,
   * `restore`, or by itself) is `reidentified`: it passed over that id's
   * subject as its own, where a copy of it may have published, so it reads
   * the stream again from its first message.
   */
  reconcile(facts: StreamFacts, atApplied?: { readonly id: string | undefined }, atAhead?: { readonly id: string | undefined }): StreamChange {
    const epoch = this.epoch;
    const change = this.#reconcile(facts, atApplied, atAhead);
    if (this.epoch !== epoch) {
      // Everything after the applied position is read again, in order: held senders are tried then, as any.
      this.holds.reload();
      this.holds.release();
    }
    return change;
  }

  #reconcile(facts: StreamFacts, atApplied: { readonly id: string | undefined } | undefined, atAhead: { readonly id: string | undefined } | undefined): StreamChange {
    const reader = this.data.transportCursor(this.#reader);
    if (reader !== this.#site) this.data.saveTransportCursor(this.#reader, this.#site);
    const created = this.data.transportCursor(this.#created);
    if (created !== facts.created) {
      // A stream made again: read from its start. What this site published is weighed by the publisher
      // against its subject in the new stream (it may have published there already, before it noticed).
      // How far it went in the old one is kept: an older copy of the store put back brings its pages again.
      if (created !== undefined) this.noteReach(created, this.publishedSeq());
      const names = created === undefined ? [this.applied, this.published, this.publishing.subject, this.publishing.attempt, this.#refused, this.uncovered, this.holds.name] : [this.applied, this.#refused, this.uncovered, this.holds.name];
      for (const name of names) this.data.saveTransportCursor(name, undefined);
      this.data.saveTransportCursor(this.#created, facts.created);
      this.epoch += 1;
      return created === undefined ? 'first-use' : 'recreated';
    }
    if (this.readSeq() > facts.lastSeq) {
      // Lost its tail, and perhaps filled again part of the way since (a store put back from a
      // copy): the messages up to its end may not be the ones applied here, so all are read again.
      this.saveApplied(Math.max(0, facts.firstSeq - 1));
      this.epoch += 1;
      return 'rewound';
    }
    if ((atApplied !== undefined && atApplied.id !== this.appliedId()) || (atAhead !== undefined && atAhead.id !== this.holds.ahead?.id)) {
      this.saveApplied(Math.max(0, facts.firstSeq - 1));
      this.epoch += 1;
      return 'refilled';
    }
    if (reader !== undefined && reader !== this.#site && this.appliedSeq() >= facts.firstSeq) {
      this.saveApplied(facts.firstSeq - 1);
      this.epoch += 1;
      return 'reidentified';
    }
    return this.#retokened();
  }

  /**
   * Messages refused as `WRONG_TOKEN` under other tokens than this server has
   * now (its token was wrong, and was fixed): read again from the first one
   * (what was applied since is applied again, which changes nothing).
   */
  #retokened(): StreamChange {
    const [seq, tokens] = (this.data.transportCursor(this.#refused) ?? '').split(' ');
    if (seq === undefined || seq === '' || tokens === this.#tokens) return 'same';
    this.data.saveTransportCursor(this.#refused, undefined);
    this.saveApplied(Math.max(0, Math.min(this.appliedSeq(), Number(seq) - 1)));
    this.epoch += 1;
    return 'retokened';
  }
}
