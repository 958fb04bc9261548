import type { ChangeTracker } from '../../data/change-tracker';
import type { NatsHeldSender, TransportStatus } from '../transport';
import type { NatsConsumer } from './nats-consumer';
import type { NatsCursors } from './nats-cursors';
import type { NatsLink, StreamFacts } from './nats-link';
import type { NatsConfig } from './nats-options';
import type { NatsPublisher } from './nats-publisher';
import type { NatsCatchUp } from './nats-catch-up';
import { catchUpIncomplete, type UncoveredRange } from './stream-coverage';
import { errorOf, withoutCredentials } from './nats-util';

/** What a NATS transport's status is read from. */
export interface NatsStatusSources {
  readonly name: string;
  readonly config: NatsConfig;
  readonly subject: string;
  readonly data: ChangeTracker;
  readonly link: NatsLink;
  readonly consumer: NatsConsumer;
  readonly publisher: NatsPublisher;
  readonly cursors: NatsCursors;
  readonly catchUp: NatsCatchUp;
  readonly facts: StreamFacts | undefined;
  readonly closed: boolean;
  readonly lastError: { readonly code: string; readonly message: string } | undefined;
  /** Stream sequences crossed without the data (`CATCH_UP_INCOMPLETE` until a catch-up brings them). */
  readonly uncovered: UncoveredRange | undefined;
}

/**
 * Connection state, stream position and lag, what was published and applied
 * (`/status` `transports`); what is not known is `null`, so every field is in the JSON.
 */
export function natsTransportStatus(from: NatsStatusSources): TransportStatus {
  const { consumer, publisher, facts, config } = from;
  const streamLastSeq = Math.max(facts?.lastSeq ?? 0, consumer.position + (consumer.pending ?? 0));
  const heldSenders = from.cursors.holds.report();
  const waiting = consumer.heldError();
  const held = waiting === undefined ? savedHold(heldSenders) : errorOf(waiting); // after a restart: the reason its last try kept, until its next try
  const lastError = publisher.blocked ? errorOf(publisher.blocked) : from.lastError === undefined ? (incompleteness(from) ?? held ?? consumer.tally.lastRefusal ?? null) : { code: from.lastError.code, message: from.lastError.message };
  const failing = publisher.blocked !== undefined || from.catchUp.current !== null || from.lastError !== undefined || from.uncovered !== undefined || heldSenders.length > 0;
  const publishedSeq = from.cursors.publishedSeq();
  const position = from.cursors.holds.empty ? consumer.position : from.cursors.appliedSeq(); // all applied up to it: a held sender's message is not
  return {
    kind: 'nats',
    name: from.name,
    state: from.closed ? 'stopped' : failing ? 'failing' : from.link.state,
    position,
    lag: facts === undefined ? null : Math.max(0, streamLastSeq - position),
    lastError,
    nats: {
      servers: config.servers.map(withoutCredentials),
      connectedTo: from.link.server === undefined ? null : withoutCredentials(from.link.server),
      stream: config.stream,
      subject: from.subject,
      streamFirstSeq: facts?.firstSeq ?? null,
      streamLastSeq: facts === undefined ? null : streamLastSeq,
      appliedSeq: position,
      publishedSeq,
      unpublished: Math.max(0, from.data.capturedSeq() - publishedSeq),
      messagesPublished: publisher.messages,
      messagesApplied: consumer.tally.applied,
      messagesRefused: consumer.tally.refused,
      catchUp: from.catchUp.current,
      lastCatchUp: from.catchUp.last,
      held: heldSenders,
    },
  };
}

/** The first held sender whose reason is known, as a `lastError`. */
function savedHold(held: readonly NatsHeldSender[]): { code: string; message: string } | undefined {
  const known = held.find((sender) => sender.code !== null);
  return known?.code == null ? undefined : { code: known.code, message: known.message };
}

function incompleteness(from: NatsStatusSources): { code: string; message: string } | undefined {
  return from.uncovered === undefined ? undefined : errorOf(catchUpIncomplete(from.config.stream, from.uncovered));
}
