import { randomBytes } from 'node:crypto';
import { SNAPSHOT_SEQ_CURSOR } from '../../data/transport-cursors';
import type { ChangeTracker } from '../../data/change-tracker';
import type { SealedMessage } from './fleet-seal';
import { sentByThisDatabase } from './page-message';

/** How many earlier lives of a stream {@link PublishCursors.noteReach} remembers. */
const KEPT_REACHES = 8;

/**
 * This site's publishing positions in one stream, kept in
 * `_sync_transport_cursors` (see {@link NatsCursors}, which adds the reading
 * positions): `published`, `subject`, `attempt` and `reach`, each keyed by site.
 */
export class PublishCursors {
  protected readonly data: ChangeTracker;
  /** `nats:<stream>:published:<site>`: the local seq up to which this site's changes are in the stream. */
  readonly published: string;
  /** `nats:<stream>:subject:<site>` and `nats:<stream>:attempt:<site>`: this site's last message, and its attempts since. */
  protected readonly publishing: { readonly subject: string; readonly attempt: string };
  /** `nats:<stream>:reach:<site>`: how far the published seq went in each of the last lives of the stream before it was set back ({@link PublishCursors.noteReach}). */
  readonly #reach: string;

  constructor(data: ChangeTracker, stream: string, site: string) {
    this.data = data;
    this.published = `nats:${stream}:published:${site}`;
    this.publishing = { subject: `nats:${stream}:subject:${site}`, attempt: `nats:${stream}:attempt:${site}` };
    this.#reach = `nats:${stream}:reach:${site}`;
  }

  /**
   * Keeps how far this site's published seq went (`localSeq`) in the stream
   * created at `created`, before it is set back below it: the stream made
   * again (then `created` is the old one's), or its tail lost. Its pages up to
   * there were this database's own in that stream, and an older copy of its
   * store put back may bring them again ({@link PublishCursors.reachIn}).
   * The last {@link KEPT_REACHES} streams are kept, each with its highest seq.
   */
  noteReach(created: string, localSeq: number): void {
    if (localSeq <= this.reachIn(created)) return;
    const entries = this.#reachEntries().filter(([at]) => at !== created);
    this.data.saveTransportCursor(this.#reach, [...entries, [created, localSeq] as const].slice(-KEPT_REACHES).map(([at, seq]) => `${seq}@${at}`).join(' '));
  }

  /** How far this site's published seq went in the stream created at `created` before it was set back; 0 when it never was. */
  reachIn(created: string | undefined): number {
    return this.#reachEntries().find(([at]) => at === created)?.[1] ?? 0;
  }

  #reachEntries(): (readonly [string, number])[] {
    return (this.data.transportCursor(this.#reach) ?? '')
      .split(' ')
      .filter((entry) => entry.includes('@'))
      .map((entry) => [entry.slice(entry.indexOf('@') + 1), Number(entry.slice(0, entry.indexOf('@'))) || 0] as const);
  }

  /**
   * The local seq published up to. Before this site's first publication it is
   * the end of the snapshot the database started from, if any: those rows
   * were the sender's, already on their way, and are not published again.
   */
  publishedSeq(): number {
    return Number(this.data.transportCursor(this.published) ?? this.data.transportCursor(SNAPSHOT_SEQ_CURSOR) ?? 0);
  }

  /** The local seq this site's publishing starts after: the end of the snapshot the database started from, or 0. */
  startSeq(): number {
    return Number(this.data.transportCursor(SNAPSHOT_SEQ_CURSOR) ?? 0);
  }

  /** The stream sequence of this site's last message, as saved; undefined when it never published. */
  subjectSeq(): number | undefined {
    const value = this.data.transportCursor(this.publishing.subject);
    return value === undefined ? undefined : Number(value);
  }

  /** The `Nats-Msg-Id`s of this site's publish attempts since its last saved publication, each saved before it was sent. */
  attempts(): readonly string[] {
    return this.#attemptEntries().map((entry) => entry.split('#')[0] ?? '');
  }

  /** The `Ess-Attempt` nonces of those attempts (entries saved before nonces were kept have none). */
  attemptNonces(): readonly string[] {
    return this.#attemptEntries().flatMap((entry) => entry.split('#').slice(1, 2));
  }

  /**
   * True when a message on this site's subject is one of this database's own
   * attempts: its id is an attempt's, and its `Ess-Attempt` nonce is too (or
   * it holds the very `body` being sent, or it has no nonce: an older
   * version's). A clone's page that covers the same seqs has the same id, not the nonce.
   */
  ownAttempt(msgId: string | undefined, message: SealedMessage | null, body: Uint8Array = new Uint8Array()): boolean {
    return this.attempts().includes(msgId ?? '') && sentByThisDatabase(message, this.attemptNonces(), body);
  }

  #attemptEntries(): string[] {
    return (this.data.transportCursor(this.publishing.attempt) ?? '').split(' ').filter((id) => id !== '');
  }

  /**
   * Saves the id of a message about to be published, with its attempt's
   * random nonce (the last 16 are kept): when its ack is lost, or a crash
   * cuts the save, the stream's message is recognised as this site's own by
   * them, and a message with the same id that another process (a clone) sent is not.
   * @returns the nonce, for the message's `Ess-Attempt` header
   */
  saveAttempt(msgId: string): string {
    const nonce = randomBytes(8).toString('hex');
    this.data.saveTransportCursor(this.publishing.attempt, [...this.#attemptEntries(), `${msgId}#${nonce}`].slice(-16).join(' '));
    return nonce;
  }

  /** Saves a publication: the local seq now in the stream and the message's stream sequence (which settles every attempt before it). */
  savePublished(localSeq: number, subjectSeq: number | undefined): void {
    this.data.saveTransportCursor(this.published, String(localSeq));
    if (subjectSeq === undefined) return;
    this.data.saveTransportCursor(this.publishing.subject, String(subjectSeq));
    this.data.saveTransportCursor(this.publishing.attempt, undefined);
  }

}
