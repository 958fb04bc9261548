import type { ExchangeCount, ExchangeProgress } from '../transport';
import type { ConsumeLoop } from './consume-loop';
import type { NatsCatchUp } from './nats-catch-up';
import type { NatsConsumer } from './nats-consumer';
import type { NatsFailures } from './nats-failures';
import type { NatsLink } from './nats-link';
import type { NatsPublisher } from './nats-publisher';
import type { PositionWait } from './position-wait';
import { catchUpIncomplete } from './stream-coverage';
import type { StreamReadiness } from './stream-readiness';
import { readToStreamEnd } from './stream-tail';

/** What a NATS round works with: the transport's parts. */
export interface NatsRoundParts {
  readonly link: NatsLink;
  /** The fleet's stream. */
  readonly stream: string;
  readonly consumer: NatsConsumer;
  readonly publisher: NatsPublisher;
  readonly readiness: StreamReadiness;
  readonly loop: ConsumeLoop;
  readonly failures: NatsFailures;
  readonly catchUp: NatsCatchUp;
  readonly wait: PositionWait;
  /**
   * Publishes what is pending, the stream prepared first; a failure is recorded.
   * @param check - check the stream first, in the publisher's turn
   */
  readonly flush: (check?: boolean) => Promise<number>;
}

/**
 * One round of the NATS transport (its `exchange`): publishes what is pending, then waits until the stream is
 * applied up to its last message as it was after publishing (a stream made again meanwhile is started over on).
 * @param moved - what moved since the round began (rows published and applied, conflicts)
 * @param onProgress - told the rows published (`push`), then applied (`pull`) as they move
 * @throws SyncError a clone's `SAME_SITE_ID` met meanwhile, a held sender's error, `CATCH_UP_INCOMPLETE` while lost messages wait for a catch-up; what {@link readToStreamEnd} throws
 */
export async function runRound(parts: NatsRoundParts, moved: () => ExchangeCount, onProgress: ExchangeProgress | undefined): Promise<ExchangeCount> {
  const started = Date.now();
  const failuresBefore = parts.failures.count;
  parts.loop.start();
  parts.consumer.retryHeld(); // held senders are tried again now
  parts.loop.wake(); // a consumer waiting out a backoff tries again now
  await parts.flush(true);
  onProgress?.('push', moved().rowsOut);
  let facts = await parts.readiness.readFacts();
  if (parts.readiness.remade(facts)) {
    // Deleted and made again since it was prepared: start over on it now (publish everything again, read it from its start).
    parts.consumer.stop();
    parts.loop.wake();
    await parts.flush(true);
    facts = await parts.readiness.readFacts();
  }
  // What no message will come to show (a stream emptied, a deleted tail) is crossed as lost.
  await readToStreamEnd({ link: parts.link, stream: parts.stream, consumer: parts.consumer, wait: parts.wait }, facts, failuresBefore, () => {
    const count = moved();
    onProgress?.('pull', count.rowsIn, count.conflicts);
  });
  // A clone's page on this site's subject met while the round waited (after its flush): the round ends with the block, as /status says.
  if (parts.publisher.blocked !== undefined) throw parts.publisher.blocked;
  parts.failures.clear();
  const held = parts.consumer.heldError(); // their senders' messages wait; the others' were applied
  if (held !== undefined) throw held;
  const missing = await parts.catchUp.recheck(started); // lost messages crossed without the data: the round says so until a catch-up brings them
  if (missing !== undefined) throw catchUpIncomplete(parts.stream, missing);
  return moved();
}
