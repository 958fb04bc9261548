import { ConsumeLoop } from './consume-loop';
import { PublishTicker } from './publish-ticker';
import { FleetSeal } from './fleet-seal';
import type { ChangeTracker } from '../../data/change-tracker';
import type { SyncLogger } from '../../logger';
import { SyncError } from '../../sync-error';
import type { ChangeTransport, ExchangeCount, ExchangeProgress, TransportStatus } from '../transport';
import { NatsConsumer } from './nats-consumer';
import { NatsCursors } from './nats-cursors';
import { NatsLink } from './nats-link';
import { subjectOf, type NatsConfig } from './nats-options';
import { NatsPublisher } from './nats-publisher';
import { SealedRange } from './sealed-range';
import { natsTransportStatus } from './nats-status';
import { NatsCatchUp } from './nats-catch-up';
import { StreamCoverageBook, type CatchUpOutcome, type StreamCoverage } from './stream-coverage';
import { StreamReadiness } from './stream-readiness';
import { movedSince, type PositionWait } from './position-wait';
import { runRound, type NatsRoundParts } from './nats-round';
import { NatsFailures } from './nats-failures';
import { CHAIN_WAIT_MS } from './nats-batch';

/** The least time a still, idle delivery runs before a round restarts it: longer than a chain's wait ({@link CHAIN_WAIT_MS}) for the pages it holds. */
const RESTART_FLOOR_MS = 2 * CHAIN_WAIT_MS + 1000;

/** What the NATS transport needs besides its options. */
export interface NatsTransportParts {
  /** This server's data. */
  readonly data: ChangeTracker;
  /** How long a NATS request, or an exchange without progress, may take (`peerTimeoutMs`). */
  readonly peerTimeoutMs: number;
  /** Catches this server up over HTTP when the stream lost what it needs: whether a peer's round succeeded, and what those peers hold of the streams. */
  readonly catchUp?: (reason: string) => Promise<CatchUpOutcome>;
  /** The fleet's sync tokens: the first seals this server's messages, any one accepts a message. @defaultValue none: nothing sealed or checked */
  readonly tokens?: readonly string[];
  /** Where a stream message refused and passed over is logged (`nats.refused`, warn). @defaultValue none: only `/status` tells */
  readonly logger?: SyncLogger;
}

/**
 * The NATS JetStream transport: one stream per fleet, one subject per site
 * (`ess.<stream>.<site>`). A publisher puts this server's pages on its
 * subject; an ordered consumer applies everybody else's, each page with its
 * stream sequence in one transaction. Both run in the background once
 * started (new local writes are looked for every `publishIntervalMs`), and
 * `exchange` publishes what is pending and waits until the stream is read to its end.
 */
export class NatsTransport implements ChangeTransport {
  readonly kind = 'nats' as const;
  readonly name: string;
  readonly #config: NatsConfig;
  readonly #parts: NatsTransportParts;
  readonly #link: NatsLink;
  readonly #cursors: NatsCursors;
  readonly #publisher: NatsPublisher;
  readonly #consumer: NatsConsumer;
  readonly #subject: string;
  readonly #stream: StreamReadiness;
  readonly #loop: ConsumeLoop;
  readonly #ticker: PublishTicker;
  #closed = false;
  readonly #failures: NatsFailures;
  readonly #catchUp: NatsCatchUp;
  readonly #book: StreamCoverageBook;
  readonly #positionWait: PositionWait;
  /** What a round works with ({@link runRound}). */
  readonly #round: NatsRoundParts;
  /** The totals the rounds so far reported: a round reports what moved since, the background loops' pages and conflicts between rounds included. */
  #reported: ExchangeCount = { rowsIn: 0, rowsOut: 0, conflicts: 0 };

  /** Nothing connects until `start` or `exchange`. */
  constructor(config: NatsConfig, parts: NatsTransportParts) {
    this.#config = config;
    this.#parts = parts;
    this.name = `nats:${config.stream}`;
    this.#subject = subjectOf(config.stream, parts.data.siteId);
    this.#link = new NatsLink(config);
    this.#link.onReconnect = () => this.#reconnected();
    this.#link.onConnect = () => this.#reconnected(false); // a first connection (by the publisher, the consumer or a round): the others go on now
    this.#failures = new NatsFailures(config, this.#link);
    const seal = new FleetSeal(parts.tokens ?? []);
    this.#cursors = new NatsCursors(parts.data, config.stream, parts.data.siteId, seal.id);
    this.#book = new StreamCoverageBook(parts.data, config.stream, this.#cursors);
    this.#catchUp = new NatsCatchUp(parts.catchUp, {
      stream: config.stream,
      book: this.#book,
      incomplete: (error, { from, to }) => parts.logger?.warn({ event: 'nats.catch_up_incomplete', transport: this.name, code: error.code, from, to }, error.message),
    });
    const sealed = new SealedRange(parts.data, config.stream, parts.data.siteId, seal);
    this.#publisher = new NatsPublisher(this.#link, parts.data, this.#cursors, this.#subject, config.maxMessageBytes, seal, sealed);
    this.#publisher.onResealed = ({ from, upTo }) =>
      parts.logger?.info({ event: 'nats.resealed', transport: this.name, from, upTo }, `this server's changes ${from + 1}-${upTo} were sealed under a sync token it no longer has (the fleet refused them as WRONG_TOKEN): they are published again under its token now`);
    this.#consumer = new NatsConsumer(this.#link, parts.data, this.#cursors, config.stream, {
      seal,
      beforeApply: () => this.#publishBeforeApply(),
      catchUp: (reason) => this.#catchUp.run(reason),
      catchUpGap: (reason, range) => this.#catchUp.runForGap(reason, range),
      passedWithout: (range) => this.#catchUp.passedWithout(range),
      handled: () => this.#failures.clear(),
      ownMessage: (seq, message) => this.#publisher.noticeOwnSubject(seq, message),
      refused: ({ seq, subject, code, message }) => parts.logger?.warn({ event: 'nats.refused', transport: this.name, seq, subject, code }, message),
      pullExpiresMs: Math.min(30_000, Math.max(10_000, 3 * config.requestTimeoutMs)),
    });
    this.#publisher.onRefused = (seq, error) => this.#consumer.tally.noteRefusal(seq, this.#subject, error);
    this.#positionWait = {
      consumer: this.#consumer,
      stream: config.stream,
      timeoutMs: parts.peerTimeoutMs,
      restartMs: Math.max(RESTART_FLOOR_MS, config.requestTimeoutMs),
      restart: () => {
        this.#consumer.stop(); // its loop prepares again and reads on from the saved position
        this.#loop.wake();
      },
      failedSince: (since) => this.#failures.since(since),
      closed: () => this.#closed,
    };
    this.#stream = new StreamReadiness(this.#link, this.#cursors, this.#consumer, this.#publisher);
    this.#ticker = new PublishTicker(
      {
        look: async () => (this.#publisher.pending() ? this.#flush() : 0),
        after: () => this.#refreshFacts().catch((error: unknown) => this.#refreshFailed(error)),
        failed: (error) => this.#fail(error),
        closed: () => this.#closed,
      },
      config.publishIntervalMs,
    );
    this.#loop = new ConsumeLoop(
      async () => {
        await this.#stream.prepare();
        await this.#consumer.run();
      },
      (error) => this.#fail(error),
      () => this.#closed,
    );
    this.#round = {
      link: this.#link, stream: config.stream, consumer: this.#consumer, publisher: this.#publisher, readiness: this.#stream,
      loop: this.#loop, failures: this.#failures, catchUp: this.#catchUp, wait: this.#positionWait, flush: (check) => this.#flush(check),
    };
  }

  /** Connects, then publishes new local writes as they come and applies the stream as it grows. */
  start(): void {
    if (this.#closed) return;
    this.#loop.start();
    this.#ticker.start();
  }

  /** A stream made again since the facts were last read ({@link StreamReadiness.refresh}): the consumer and the publisher start over now. */
  async #refreshFacts(): Promise<void> {
    if (!(await this.#stream.refresh())) return;
    this.#consumer.stop(); // its loop prepares again, from the reset position
    this.#loop.wake();
    this.#ticker.schedule(0);
  }

  /** A stream an operator made unfit for the fleet (`NATS_STREAM`): the consumer stops (its loop prepares again, and says why); other failures are the link's, told elsewhere. */
  #refreshFailed(error: unknown): void {
    if (!(error instanceof SyncError) || error.code !== 'NATS_STREAM') return;
    this.#consumer.stop();
    this.#fail(error);
  }

  /**
   * After a reconnect: the consumer starts again from the saved position (its loop woken from a backoff), and a publisher waiting out a backoff looks now.
   * @param restart - false at a first connection: the loop and the publisher go on, no delivery had begun
   */
  #reconnected(restart = true): void {
    if (restart) this.#consumer.stop();
    this.#loop.wake();
    this.#ticker.reconnected();
  }

  /**
   * Publishes what is pending, then waits until the stream is applied up to
   * its last message (as it was after publishing). `onProgress` is told the
   * rows published (`push`) and applied (`pull`, with the conflicts) as they
   * move, and once more when the exchange fails: a failed round reports what
   * it moved before the failure, as an HTTP round does.
   * @throws SyncError `NATS_UNREACHABLE` (also as soon as the link is lost while the round waits), `SAME_SITE_ID`, `STREAM_GAP`, a held sender's `SCHEMA_MISMATCH`, `CLOCK_SKEW`, `APPLY_REFUSED`, …; `NATS_TIMEOUT` (504) when nothing moved for `peerTimeoutMs`; `STOPPED` when `close` abandoned it
   */
  async exchange(onProgress?: ExchangeProgress): Promise<ExchangeCount> {
    const open = !this.#closed;
    const from = this.#reported;
    const moved = movedSince(this.#publisher, this.#consumer, from);
    let live = true; // a round ended by the link's loss goes on in the background: it tells no more
    const tell: ExchangeProgress = (phase, rows, conflicts) => void (live && onProgress?.(phase, rows, conflicts));
    try {
      return this.#reportedUpTo(from, await this.#link.whileLinked(runRound(this.#round, moved, tell)));
    } catch (error) {
      live = false;
      const count = this.#reportedUpTo(from, moved());
      onProgress?.('push', count.rowsOut, count.conflicts);
      onProgress?.('pull', count.rowsIn, count.conflicts);
      // Stopped while it ran: abandoned, as the sync client's stop() abandons an HTTP round (not a NATS failure).
      if (open && this.#closed) throw new SyncError('STOPPED', 503, 'the sync client is stopping: the NATS round was abandoned (what was applied or published stays so; the next sync resumes from there)', { cause: error });
      const failure = this.#failures.describe(error);
      this.#fail(failure);
      throw failure;
    }
  }

  /** Marks what a round reports (`count`, counted from `from`) as reported: the next round counts from there. */
  #reportedUpTo(from: ExchangeCount, count: ExchangeCount): ExchangeCount {
    this.#reported = { rowsIn: from.rowsIn + count.rowsIn, rowsOut: from.rowsOut + count.rowsOut, conflicts: from.conflicts + count.conflicts };
    return count;
  }

  /** @param check - check the stream first, in the publisher's turn (an operator may have edited it since it was prepared) */
  async #flush(check = false): Promise<number> {
    await this.#stream.prepare();
    try {
      return await this.#publisher.flush(check ? () => this.#stream.check() : undefined);
    } catch (error) {
      this.#fail(error);
      throw error;
    }
  }

  /** Publishes local writes before a page is applied, so the page's own writes need not go back out. */
  async #publishBeforeApply(): Promise<void> {
    if (this.#publisher.pending()) await this.#flush().catch(() => undefined);
  }

  #fail(error: unknown): void {
    this.#failures.record(error);
  }

  /** What this server holds of the stream (answered in `GET /data/info`); undefined before it read it. */
  coverage(): StreamCoverage | undefined {
    return this.#book.coverage();
  }

  /** Connection state, stream position and lag, what was published and applied. */
  status(): TransportStatus {
    const sources = { name: this.name, config: this.#config, subject: this.#subject, data: this.#parts.data, link: this.#link, consumer: this.#consumer };
    return natsTransportStatus({ ...sources, publisher: this.#publisher, cursors: this.#cursors, catchUp: this.#catchUp, facts: this.#stream.facts, closed: this.#closed, lastError: this.#failures.last, uncovered: this.#book.uncovered() });
  }

  /** Stops publishing and consuming, and closes the connection. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#ticker.close();
    this.#consumer.close();
    this.#loop.wake();
    await this.#link.close();
    await this.#loop.ended();
  }
}
