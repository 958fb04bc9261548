import { DeliverPolicy, type ConsumerMessages } from '@nats-io/jetstream';
import { nuid } from '@nats-io/transport-node';
import type { NatsLink } from './nats-link';
import { streamSubjects } from './nats-options';

/** How many messages a pull of the delivery asks for. */
const PULL_BATCH = 64;

/**
 * Opens a delivery of the fleet's stream from `startSeq`: an ordered consumer on every site's subject, read by pulls
 * that wait `pullExpiresMs` (the client's 30 s when undefined).
 *
 * Making the consumer takes two JetStream requests (the stream's info, then the consumer's creation), sent as
 * the transport's other requests are ({@link NatsLink.request}): a delivery set up while the connection is down
 * (ended by a held sender's backoff, a round's retry of the held senders or a still delivery's restart) was
 * never answered, the client dropping what it buffered at its next dial, so the delivery stood still for
 * `requestTimeoutMs` and rounds ended `NATS_TIMEOUT` meanwhile; at the reconnect it is now sent again. Every
 * copy names the consumer alike (one name prefix per delivery): a copy that went out after all makes no second
 * consumer, JetStream answering the creation of the same name and config with the consumer it made.
 * The pulls need no such help: the client pulls again by itself at a reconnect (and the transport ends the
 * delivery there anyway).
 * @throws the link's errors: `NATS_UNREACHABLE` (the connection lost while a request waited), `NATS_CLOSED`; the client's (a stream not found, a timeout)
 */
export async function openDelivery(link: NatsLink, stream: string, startSeq: number, pullExpiresMs: number | undefined): Promise<ConsumerMessages> {
  const { js } = await link.jetstream();
  const prefix = nuid.next();
  const consumer = await link.request(() => js.consumers.get(stream, { name_prefix: prefix, filter_subjects: streamSubjects(stream), deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: startSeq }));
  return consumer.consume({ max_messages: PULL_BATCH, expires: pullExpiresMs });
}
