import { SyncError } from '../../sync-error';
import type { NatsConsumer } from './nats-consumer';
import type { NatsCursors } from './nats-cursors';
import type { NatsLink, StreamFacts } from './nats-link';
import type { NatsPublisher } from './nats-publisher';

/** How often a connected transport reads the stream's facts again (its lag; a stream deleted or made again). */
const FACTS_REFRESH_MS = 2000;

/**
 * Whether the transport's view of the stream holds for the connection it
 * has: once per connection, the stream's facts are checked against the
 * saved cursors and this site's last message ({@link StreamReadiness.prepare});
 * every few seconds while connected they are read again, so the lag stays
 * true and a stream deleted or made again is noticed.
 */
export class StreamReadiness {
  readonly #link: NatsLink;
  readonly #cursors: NatsCursors;
  readonly #consumer: NatsConsumer;
  readonly #publisher: NatsPublisher;
  /** The link's generation the stream was last prepared for (-1: prepare again). */
  #ready = -1;
  #preparing: Promise<void> | undefined;
  #facts: StreamFacts | undefined;
  /** When the facts were last read by {@link StreamReadiness.refresh}. */
  #factsAt = 0;

  constructor(link: NatsLink, cursors: NatsCursors, consumer: NatsConsumer, publisher: NatsPublisher) {
    this.#link = link;
    this.#cursors = cursors;
    this.#consumer = consumer;
    this.#publisher = publisher;
  }

  /** The stream's facts as last read, undefined before the first read. */
  get facts(): StreamFacts | undefined {
    return this.#facts;
  }

  /**
   * Once per connection: the stream's facts against the saved cursors (the
   * consumer starts from what they say), and this site's last message.
   * @throws the link's errors (`NATS_UNREACHABLE`, `NATS_CLOSED`, …); the publisher's `SAME_SITE_ID`
   */
  prepare(): Promise<void> {
    if (this.#ready === this.#link.generation) return Promise.resolve();
    this.#preparing ??= (async () => {
      await this.#link.connection();
      const generation = this.#link.generation;
      const facts = await this.#link.ensureStream();
      const change = await this.#cursors.reconcileWith(this.#link, facts);
      this.#consumer.position = this.#cursors.readSeq();
      await this.#publisher.prepare(change);
      this.#facts = facts;
      this.#ready = generation;
    })().finally(() => (this.#preparing = undefined));
    return this.#preparing;
  }

  /** Reads the stream's facts now (creating the stream when it is missing), and keeps them. */
  async readFacts(): Promise<StreamFacts> {
    const facts = await this.#checked();
    this.#facts = facts;
    return facts;
  }

  /**
   * True, and the stream must be prepared again, when `facts` are of a
   * stream made again since the cursors last read it (deleted by hand and
   * created anew by a server's round): a round then starts over on it at
   * once rather than at the next refresh.
   */
  remade(facts: StreamFacts): boolean {
    const known = this.#cursors.createdAt();
    if (known === undefined || known === facts.created) return false;
    this.#ready = -1;
    return true;
  }

  /**
   * Checks that the stream can still carry the fleet (an operator may have
   * edited it since it was prepared), without keeping its facts.
   * @throws SyncError `NATS_STREAM` for a stream that cannot (it is prepared again before the next use)
   */
  async check(): Promise<void> {
    await this.#checked();
  }

  async #checked(): Promise<StreamFacts> {
    try {
      return await this.#link.ensureStream();
    } catch (error) {
      if (error instanceof SyncError && error.code === 'NATS_STREAM') this.#ready = -1; // nothing goes on until it is fit again
      throw error;
    }
  }

  /**
   * Every few seconds while connected and prepared: reads the stream's facts
   * again. A stream made again (another `created`) must be prepared again:
   * the cursors start over, this server publishes its changes again and
   * reads the new stream from its start.
   * @returns true when the stream was made again (the next `prepare` does the work)
   */
  async refresh(): Promise<boolean> {
    const now = Date.now();
    if (now - this.#factsAt < FACTS_REFRESH_MS || this.#ready !== this.#link.generation || this.#link.state !== 'connected') return false;
    this.#factsAt = now;
    const before = this.#facts;
    const facts = await this.readFacts();
    if (before === undefined || before.created === facts.created) return false;
    this.#ready = -1;
    return true;
  }
}
