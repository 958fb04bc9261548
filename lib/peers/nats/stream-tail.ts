import type { NextMsgRequest, SeqMsgRequest } from '@nats-io/jetstream';
import type { NatsConsumer } from './nats-consumer';
import type { NatsLink, StreamFacts } from './nats-link';
import { streamSubjects } from './nats-options';
import { waitForPosition, type PositionWait } from './position-wait';

/** What a round reads the stream to its end with. */
export interface StreamEndParts {
  readonly link: Pick<NatsLink, 'jetstream' | 'request' | 'messageAt'>;
  readonly stream: string;
  readonly consumer: Pick<NatsConsumer, 'reached' | 'crossEmptied' | 'heldSenders'>;
  readonly wait: PositionWait;
}

/**
 * The sequence of the stream's last message still stored after `from`, up to `facts.lastSeq`; `from` when none is.
 * The stream's last sequence stays where it was when its last messages are deleted (`nats stream rmm`, a
 * purge of one subject, publishes an account's storage limit refused: nats-server 2.9 counts them as
 * deleted), so no message will come at it. Found by halving with JetStream's "next message at or after
 * a sequence" (about log2 of the span requests), only when the message at the last sequence is gone.
 */
export async function lastStoredSeq(parts: Pick<StreamEndParts, 'link' | 'stream'>, facts: StreamFacts, from: number): Promise<number> {
  const { link, stream } = parts;
  if (from >= facts.lastSeq || (await link.messageAt(facts.lastSeq)) !== null) return facts.lastSeq;
  const { jsm } = await link.jetstream();
  let low = from; // stored, or where the search starts
  let high = facts.lastSeq; // nothing stored from here on
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    // STREAM.MSG.GET takes next_by_subj (nats-server 2.9 and later), though the client types only the direct get's.
    const query: SeqMsgRequest & NextMsgRequest = { seq: middle, next_by_subj: streamSubjects(stream) };
    const next = await link.request(() => jsm.streams.getMessage(stream, query));
    if (next === null || next.seq >= high) high = middle;
    else low = next.seq;
  }
  return low;
}

/** Whether a held sender still has a message stored up to `end` (its held page, still in the stream: not lost). */
async function heldStillStored(parts: Pick<StreamEndParts, 'link' | 'stream' | 'consumer'>, end: number): Promise<boolean> {
  const { link, stream, consumer } = parts;
  const held = consumer.heldSenders();
  if (held.length === 0) return false;
  const { jsm } = await link.jetstream();
  for (const { subject, after } of held) {
    const query: SeqMsgRequest & NextMsgRequest = { seq: after + 1, next_by_subj: subject };
    const next = await link.request(() => jsm.streams.getMessage(stream, query));
    if (next !== null && next.seq <= end) return true;
  }
  return false;
}

/**
 * Waits until the consumer has read the stream up to its end as the round found it (`facts`). What no message will
 * come to show is crossed as lost (caught up over HTTP, or `STREAM_GAP`): a stream with no message left (purged,
 * aged out), and a tail of deleted messages after the last one stored: the round waited for a message at the last
 * sequence that never comes, and failed `NATS_TIMEOUT` after `peerTimeoutMs`, every round. The tail is not crossed
 * while a held sender (also one held meanwhile) still has a message stored up to the last one: crossing from the
 * applied position would call it lost, so the round ends with why the sender waits; a held sender whose messages
 * were all in the deleted tail lost them, and they are crossed.
 * @param started - the transport's count of failures when the round began ({@link waitForPosition})
 * @throws SyncError `STREAM_GAP` when no HTTP peer caught this server up; what {@link waitForPosition} throws
 */
export async function readToStreamEnd(parts: StreamEndParts, facts: StreamFacts, started: number, progressed: () => void): Promise<void> {
  const { consumer } = parts;
  if (facts.firstSeq > facts.lastSeq) await consumer.crossEmptied(facts.lastSeq);
  const end = await lastStoredSeq(parts, facts, consumer.reached);
  await waitForPosition(parts.wait, end, started, progressed);
  if (end < facts.lastSeq && !(await heldStillStored(parts, end))) await consumer.crossEmptied(facts.lastSeq);
}
