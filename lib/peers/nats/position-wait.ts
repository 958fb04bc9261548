import { SyncError } from '../../sync-error';
import type { ExchangeCount } from '../transport';
import type { NatsConsumer } from './nats-consumer';
import type { NatsPublisher } from './nats-publisher';

/** What waiting for the consumer's position reads. */
export interface PositionWait {
  readonly consumer: Pick<NatsConsumer, 'reached' | 'nextProgress' | 'idleMs'>;
  readonly stream: string;
  /** How long the position may stay still (`peerTimeoutMs`). */
  readonly timeoutMs: number;
  /** After how long a still position, the delivery idle meanwhile, restarts the delivery (`requestTimeoutMs`, at least 5 s), and again after as long. */
  readonly restartMs: number;
  /** Restarts the consumer's delivery from its saved position: a pull the server lost (a nats-server restarted just then) is otherwise noticed only after two missed heartbeats. */
  readonly restart: () => void;
  /** A failure the transport recorded after `since` (its count of failures then), if any. */
  readonly failedSince: (since: number) => SyncError | undefined;
  readonly closed: () => boolean;
}

/**
 * Waits until the consumer has handled the stream up to `target` (held senders' messages read again included).
 * A position that stays still for `restartMs` while the delivery is idle (no message came, no apply ran:
 * a pull the server lost) restarts the delivery (again after as long), until `timeoutMs`.
 * @param started - the transport's count of failures when the exchange began: a failure recorded since ends the wait with it
 * @param progressed - called each time the position moved
 * @throws SyncError the recorded failure; `NATS_CLOSED` (503) once the transport is stopped; `NATS_TIMEOUT` (504) when the position stayed still for `timeoutMs`
 */
export async function waitForPosition(wait: PositionWait, target: number, started: number, progressed: () => void): Promise<void> {
  const { consumer } = wait;
  let seen = consumer.reached;
  let lastMove = Date.now();
  let lastRestart = lastMove;
  while (consumer.reached < target) {
    const failed = wait.failedSince(started);
    if (failed !== undefined) throw failed;
    if (wait.closed()) throw new SyncError('NATS_CLOSED', 503, 'the NATS transport is stopped');
    if (consumer.reached !== seen) {
      seen = consumer.reached;
      lastMove = Date.now();
      progressed();
    } else if (Date.now() - lastMove > wait.timeoutMs) {
      throw new SyncError('NATS_TIMEOUT', 504, `the stream ${wait.stream} was not read past ${seen} (of ${target}) for ${wait.timeoutMs} ms`);
    } else if (Date.now() - Math.max(lastMove, lastRestart) > wait.restartMs && consumer.idleMs() > wait.restartMs) {
      lastRestart = Date.now();
      wait.restart();
    }
    await consumer.nextProgress(50);
  }
}

/** The running totals of rows published and applied, and conflicts recorded, as they stand now. */
export function countedSoFar(publisher: Pick<NatsPublisher, 'rows'>, consumer: Pick<NatsConsumer, 'tally'>): ExchangeCount {
  return { rowsIn: consumer.tally.rowsApplied, rowsOut: publisher.rows, conflicts: consumer.tally.conflicts };
}

/**
 * What moved since the totals were `from` (as {@link countedSoFar} gave them; default: now): rows published and
 * applied, and conflicts recorded, by an exchange or by the background loops meanwhile.
 */
export function movedSince(publisher: Pick<NatsPublisher, 'rows'>, consumer: Pick<NatsConsumer, 'tally'>, from = countedSoFar(publisher, consumer)): () => ExchangeCount {
  const { tally } = consumer;
  return () => ({ rowsIn: tally.rowsApplied - from.rowsIn, rowsOut: publisher.rows - from.rowsOut, conflicts: tally.conflicts - from.conflicts });
}
