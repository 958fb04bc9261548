import { SNAPSHOT_SEQ_CURSOR } from '../../data/transport-cursors';
import type { ChangeTracker } from '../../data/change-tracker';
import type { StreamFacts } from './nats-link';

/** What reconciling the saved cursors with the stream found. */
export type StreamChange = 'same' | 'first-use' | 'recreated' | 'rewound';

/**
 * This server's positions in one stream, kept in `_sync_transport_cursors`
 * (the tracker's table; the names are this transport's):
 * - `nats:<stream>:applied`: the stream sequence applied here, saved in the
 *   transaction of the page it ends;
 * - `nats:<stream>:published:<site>`: the local seq up to which this site's
 *   changes are in the stream (keyed by site: a new identity publishes anew);
 * - `nats:<stream>:subject:<site>`: the stream sequence of this site's last
 *   message, the expected last subject sequence of its next one;
 * - `nats:<stream>:attempt:<site>`: the `Nats-Msg-Id`s this database sent
 *   since its last saved publication, each saved before sending (tells a
 *   lost ack or a crash from a clone);
 * - `nats:<stream>:created`: the stream's creation time, telling a stream
 *   made again (everything is read and published again) from the same one.
 */
export class NatsCursors {
  readonly #data: ChangeTracker;
  readonly applied: string;
  readonly published: string;
  readonly #subject: string;
  readonly #attempt: string;
  readonly #created: string;
  /**
   * Bumped each time {@link NatsCursors.reconcile} moves the applied cursor
   * itself (a stream used first, made again, or that lost its tail): a
   * consumer's delivery begun before must not save its position any more.
   */
  epoch = 0;

  /** @param site - this server's site id */
  constructor(data: ChangeTracker, stream: string, site: string) {
    this.#data = data;
    this.applied = `nats:${stream}:applied`;
    this.published = `nats:${stream}:published:${site}`;
    this.#subject = `nats:${stream}:subject:${site}`;
    this.#attempt = `nats:${stream}:attempt:${site}`;
    this.#created = `nats:${stream}:created`;
  }

  #number(name: string): number {
    return Number(this.#data.transportCursor(name) ?? 0);
  }

  /** The stream sequence applied here. */
  appliedSeq(): number {
    return this.#number(this.applied);
  }

  /**
   * The local seq published up to. Before this site's first publication it is
   * the end of the snapshot the database started from, if any: those rows
   * were the sender's, already on their way, and are not published again.
   */
  publishedSeq(): number {
    return Number(this.#data.transportCursor(this.published) ?? this.#data.transportCursor(SNAPSHOT_SEQ_CURSOR) ?? 0);
  }

  /** The stream sequence of this site's last message, as saved; undefined when it never published. */
  subjectSeq(): number | undefined {
    const value = this.#data.transportCursor(this.#subject);
    return value === undefined ? undefined : Number(value);
  }

  /** The `Nats-Msg-Id`s of this site's publish attempts since its last saved publication, each saved before it was sent. */
  attempts(): readonly string[] {
    return (this.#data.transportCursor(this.#attempt) ?? '').split(' ').filter((id) => id !== '');
  }

  /**
   * Saves the id of a message about to be published (the last 16 are kept):
   * when its ack is lost, or a crash cuts the save, the stream's last
   * message is recognised as this site's own by it.
   */
  saveAttempt(msgId: string): void {
    this.#data.saveTransportCursor(this.#attempt, [...this.attempts(), msgId].slice(-16).join(' '));
  }

  /** Saves a publication: the local seq now in the stream and the message's stream sequence (which settles every attempt before it). */
  savePublished(localSeq: number, subjectSeq: number | undefined): void {
    this.#data.saveTransportCursor(this.published, String(localSeq));
    if (subjectSeq === undefined) return;
    this.#data.saveTransportCursor(this.#subject, String(subjectSeq));
    this.#data.saveTransportCursor(this.#attempt, undefined);
  }

  /** Saves the stream sequence reached by messages that carried nothing to apply (this site's own). */
  saveApplied(streamSeq: number): void {
    this.#data.saveTransportCursor(this.applied, String(streamSeq));
  }

  /**
   * Compares the saved cursors with the stream as it is now. A stream made
   * again (another creation time) is read and published from the start; a
   * stream whose last sequence is below the one applied here lost its tail
   * (the cursor goes back to it, and publishers that lost messages publish them again).
   */
  reconcile(facts: StreamFacts): StreamChange {
    const created = this.#data.transportCursor(this.#created);
    if (created !== facts.created) {
      // A stream made again: read from its start. What this site published is weighed by the publisher
      // against its subject in the new stream (it may have published there already, before it noticed).
      const names = created === undefined ? [this.applied, this.published, this.#subject, this.#attempt] : [this.applied];
      for (const name of names) this.#data.saveTransportCursor(name, undefined);
      this.#data.saveTransportCursor(this.#created, facts.created);
      this.epoch += 1;
      return created === undefined ? 'first-use' : 'recreated';
    }
    if (this.appliedSeq() > facts.lastSeq) {
      this.saveApplied(facts.lastSeq);
      this.epoch += 1;
      return 'rewound';
    }
    return 'same';
  }
}
