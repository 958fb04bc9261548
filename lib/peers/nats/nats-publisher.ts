import type { ChangeTracker } from '../../data/change-tracker';
import type { SyncError } from '../../sync-error';
import type { NatsCursors, StreamChange } from './nats-cursors';
import { OVER_STREAM_MAX_MSG_SIZE, WRONG_LAST_SEQUENCE, type LastOnSubject, type NatsLink, type StreamFacts } from './nats-link';
import { ATTEMPT_HEADER, type PageMessage } from './page-message';
import { adoptedEnd, cloneByContent, cloneError, earlierOwnPage, storedUnderId, type SubjectParts } from './subject-checks';
import type { FleetSeal, SealedMessage } from './fleet-seal';
import { OutgoingPages, type OutgoingPage } from './outgoing-pages';
import { rewindPublished } from './published-rewind';
import type { Reseal, SealedRange } from './sealed-range';

/**
 * Publishes this server's changes on its own subject, page by page from the
 * local seq saved as published: a page is one `readChanges` window, never cut
 * inside one seq, sized to `maxMessageBytes`. Each message carries
 * `Nats-Msg-Id` `<site>:<firstSeq>-<lastSeq>` (a page published twice is
 * stored once) and `Nats-Expected-Last-Subject-Sequence`, so a second process
 * publishing as the same site (a copied database) is caught: it stops, and says why.
 */
export class NatsPublisher {
  readonly #link: NatsLink;
  readonly #data: ChangeTracker;
  readonly #cursors: NatsCursors;
  readonly #subject: string;
  readonly #seal: FleetSeal;
  readonly #pages: OutgoingPages;
  #expected = 0;
  /** The subject sequence up to which this site's messages are known for its own (published here) or were checked by content. */
  #vetted = 0;
  #turn: Promise<unknown> = Promise.resolve();
  readonly #sealed: SealedRange;
  /** Called when this site's messages, sealed under a token it no longer holds, are to be published again. */
  onResealed: ((reseal: Reseal) => void) | undefined;
  /** Called for a message on this site's subject not sealed with the fleet's token: passed over, reported. */
  onRefused: ((seq: number, error: SyncError) => void) | undefined;
  /** Set when a clone was caught: nothing is published any more. */
  blocked: SyncError | undefined;
  messages = 0;
  rows = 0;

  /**
   * @param seal - seals each message with the fleet's sync token
   * @param sealed - which token sealed this site's messages (those sealed under one it no longer holds are published again)
   */
  constructor(link: NatsLink, data: ChangeTracker, cursors: NatsCursors, subject: string, maxMessageBytes: number, seal: FleetSeal, sealed: SealedRange) {
    this.#seal = seal;
    this.#sealed = sealed;
    this.#link = link;
    this.#data = data;
    this.#cursors = cursors;
    this.#subject = subject;
    this.#pages = new OutgoingPages(link, data, subject, maxMessageBytes, seal);
  }

  /** True when local writes wait to be published (a cheap read). */
  pending(): boolean {
    return this.blocked === undefined && this.#data.capturedSeq() > this.#cursors.publishedSeq();
  }

  /**
   * Reads this site's last message in the stream and checks it against what
   * was saved: the same; or the message this database last sent, whose save
   * a crash cut (adopted); or a message not sealed with the fleet's token, or
   * a replay of a window already published (passed over); or its own page from an
   * earlier life of this stream, an older copy of the store put back after its published
   * seq was set back ({@link earlierOwnPage}: adopted); or a sealed one
   * this database never sent (a clone: publishing stops); or an older one: the stream lost its tail, and
   * those pages are published again, or the operator let them go ({@link rewindPublished}).
   * Messages sealed under a token this server no longer holds (it was wrong,
   * and was fixed) are published again ({@link SealedRange}).
   * It runs in the publisher's turn, after any publish in flight: a check
   * that read the subject before a publish landed must not take it back.
   * @throws SyncError `SAME_SITE_ID` (409) for a clone
   */
  prepare(change: StreamChange = 'same'): Promise<void> {
    const run = this.#turn.then(async () => this.#prepareNow(await this.#link.ensureStream(), change));
    this.#turn = run.catch(() => undefined);
    return run;
  }

  /** @param change - what reconciling the cursors with the stream found ({@link NatsCursors.reconcile}) */
  async #prepareNow(facts: StreamFacts, change: StreamChange = 'same'): Promise<void> {
    const recreated = change === 'recreated' || change === 'refilled' || change === 'rewound';
    const last = await this.#link.lastOnSubject(this.#subject);
    const lastSeq = last?.seq ?? 0;
    const saved = this.#cursors.subjectSeq() ?? 0;
    if (lastSeq < this.#vetted) this.#vetted = 0; // a stream made again, or a lost tail: its sequences are new
    if (lastSeq > saved) this.#adopt(last, `the stream holds message ${lastSeq} (${last?.msgId ?? 'no id'}) this database never sent`, facts.created);
    if (lastSeq < saved || recreated) await rewindPublished({ link: this.#link, subject: this.#subject, seal: this.#seal, cursors: this.#cursors, data: this.#data }, facts, last, saved, change, recreated);
    const reseal = this.#sealed.reconcile(this.#cursors.publishedSeq(), this.#cursors.startSeq(), (from) => this.#cursors.savePublished(from, undefined));
    if (reseal !== undefined) this.onResealed?.(reseal);
    this.#expected = lastSeq;
  }

  /**
   * The consumer met `message` on this site's own subject at stream sequence
   * `seq`, in the publisher's turn (after a flush in flight: its pages are
   * known once their ack came). One beyond the last this publisher knows of
   * makes it check the subject as at start: its own (a lost ack, a save a
   * crash cut) is taken in; one whose window goes beyond what it published is
   * a clone's. One it did not publish is also read ({@link cloneByContent}): a
   * change under this site's id its database lacks is a clone's too. A clone
   * blocks publishing at once (`blocked`, `SAME_SITE_ID` on `/status` and in
   * every round). Never rejects: the consumer reads on (the other sites'
   * pages still apply); a check the link cut is made at the next message or start.
   */
  async noticeOwnSubject(seq: number, message: SealedMessage): Promise<void> {
    if (seq <= this.#vetted || this.blocked !== undefined) return;
    const run = this.#turn.then(async () => {
      if (seq > this.#expected && this.blocked === undefined) await this.#prepareNow(await this.#link.ensureStream());
      if (seq <= this.#vetted || this.blocked !== undefined) return;
      this.#vetted = seq;
      const clone = cloneByContent(this.#seal, this.#data, seq, message);
      if (clone !== undefined) this.#block(clone);
    });
    this.#turn = run.catch(() => undefined);
    await run.catch(() => undefined);
  }

  /**
   * Publishes everything not published yet; one flush at a time.
   * @param before - runs first, in this flush's turn (a check of the stream: when it throws, nothing is published)
   * @returns rows published
   * @throws SyncError `SAME_SITE_ID` for a clone; NATS errors (the next flush resumes from the saved seq); what `before` throws
   */
  flush(before?: () => Promise<void>): Promise<number> {
    const run = this.#turn.then(async () => {
      await before?.();
      return this.#flushNow();
    });
    this.#turn = run.catch(() => undefined);
    return run;
  }

  /**
   * Publishes page after page ({@link OutgoingPages}) from the saved seq. The next page is read
   * while the current one's ack is on its way (the read is synchronous, so
   * the message is let out first).
   */
  async #flushNow(): Promise<number> {
    let rows = 0;
    if (this.blocked !== undefined) throw this.blocked;
    if (this.#data.capturedSeq() <= this.#cursors.publishedSeq()) return rows;
    let current: OutgoingPage | undefined = this.#read(this.#cursors.publishedSeq());
    while (current !== undefined) {
      const { message, next, more }: OutgoingPage = current;
      if (message === undefined) {
        this.#cursors.savePublished(next, undefined);
        current = more ? this.#read(next) : undefined;
        continue;
      }
      const publishing = this.#publish(message, next);
      publishing.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile
      await new Promise((resolve) => setImmediate(resolve));
      const following = more ? this.#read(next) : undefined;
      if (await publishing) {
        rows += message.rows;
        current = following;
      } else current = this.#read(this.#cursors.publishedSeq()); // the subject changed: read again from the saved seq
    }
    return rows;
  }

  /** The page after local seq `since`, with a new message id when it was published before under another token. */
  #read(since: number): OutgoingPage {
    return this.#pages.read(since, this.#sealed.tagFor(since));
  }

  /** Publishes one page; false when the subject was not as expected and the page must be read again. */
  async #publish(message: PageMessage, next: number): Promise<boolean> {
    const { js } = await this.#link.jetstream();
    let seq: number;
    message.headers.set(ATTEMPT_HEADER, this.#cursors.saveAttempt(message.msgId));
    try {
      // The link's loss ends the wait for the ack (a lost ack is taken in by the next flush: #landedAnyway).
      const ack = await this.#link.request(() => js.publish(this.#subject, message.body, { msgID: message.msgId, headers: message.headers, expect: { lastSubjectSequence: this.#expected } }));
      if (ack.duplicate) await this.#checkDuplicate(message, ack.seq);
      seq = ack.seq;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === OVER_STREAM_MAX_MSG_SIZE && !(await this.#fitsStreamNow(message))) return false;
      if (code !== WRONG_LAST_SEQUENCE) throw error;
      const landed = await this.#landedAnyway(message);
      if (landed === undefined) return false;
      seq = landed;
    }
    this.#expected = seq;
    this.#vetted = Math.max(this.#vetted, seq);
    this.#cursors.savePublished(next, seq);
    this.messages += 1;
    this.rows += message.rows;
    return true;
  }

  /**
   * After the stream refused a message as larger than its `max_msg_size`: reads
   * the stream's limit again (an operator set or lowered it since the page was
   * read). False when the page no longer fits: it is read again, sized to it
   * (or refused as `ROW_TOO_LARGE` when one row alone is larger).
   */
  async #fitsStreamNow(message: PageMessage): Promise<boolean> {
    await this.#link.ensureStream();
    return this.#pages.fits(message);
  }

  /** JetStream answered the page's id as a duplicate ({@link storedUnderId}); a clone's blocks publishing. */
  async #checkDuplicate(message: PageMessage, seq: number): Promise<void> {
    const clone = await storedUnderId(this.#parts(), message, seq);
    if (clone !== undefined) throw this.#block(clone);
  }

  /**
   * After a failed expectation: the subject's last message is this very page
   * when an earlier attempt landed (its answer was lost). Otherwise the
   * subject is checked again as at start: fewer messages (purged, or a lost
   * tail) are taken in, and the page read again; another process's message
   * is a clone.
   * @throws SyncError `SAME_SITE_ID` (409) for a clone
   */
  async #landedAnyway(message: PageMessage): Promise<number | undefined> {
    const last = await this.#link.lastOnSubject(this.#subject);
    if (last !== undefined && last.msgId === message.msgId && this.#seal.accepts(last.message) && this.#cursors.ownAttempt(last.msgId, last.message, message.body)) return last.seq;
    if ((last?.seq ?? 0) > this.#expected) this.#adopt(last, `expected its last message at ${this.#expected}, the stream has ${last?.seq ?? 'none'} (${last?.msgId ?? 'no id'})`, (await this.#link.ensureStream()).created);
    else await this.#prepareNow(await this.#link.ensureStream());
    return undefined;
  }

  /** Takes in the subject's last message, read from the stream created at `created`, when it is no clone's ({@link adoptedEnd}). */
  #adopt(last: LastOnSubject | undefined, detail: string, created: string): void {
    const end = last === undefined ? undefined : adoptedEnd(this.#parts(created), last, (seq, error) => this.onRefused?.(seq, error));
    if (last === undefined || end === undefined) throw this.#block(detail);
    const clone = cloneByContent(this.#seal, this.#data, last.seq, last.message);
    if (clone !== undefined) throw this.#block(clone);
    this.#cursors.savePublished(end, last.seq);
    this.#expected = last.seq;
  }

  /** @param created - the creation time of the stream the subject was read from (without it, no earlier page is vouched for) */
  #parts(created?: string): SubjectParts {
    return { link: this.#link, subject: this.#subject, seal: this.#seal, cursors: this.#cursors, earlierOwn: (msgId, message) => created !== undefined && earlierOwnPage(this.#seal, this.#cursors, this.#data, msgId, message, created) };
  }

  /** Stops publishing for good: a clone publishes as this site. */
  #block(detail: string): SyncError {
    this.blocked = cloneError(this.#subject, detail, this.#data.databaseFile);
    return this.blocked;
  }
}
