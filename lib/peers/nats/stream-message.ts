import type { JsMsg } from '@nats-io/jetstream';
import { SyncError } from '../../sync-error';
import { wrongToken, type FleetSeal } from './fleet-seal';
import type { Taken } from './nats-batch';
import { MSG_ID_HEADER, SCHEMA_HEADER } from './page-message';

/** Where a message stands in the stream: its sequence, subject and `Nats-Msg-Id`. */
export type Place = Pick<Taken, 'seq' | 'subject' | 'id'>;

/** The place of a message taken from the stream. */
export function placeOf(message: JsMsg): Place {
  return { seq: message.seq, subject: message.subject, id: message.headers?.get(MSG_ID_HEADER) || undefined };
}

/**
 * What a peer's stream message holds: its page, parsed; or an error, which
 * either refuses it for good (`waits` false: passed over and reported) or
 * makes it wait (`waits` true: tried again later, e.g. after a migration).
 */
export type StreamMessageRead = { readonly page: unknown } | { readonly error: SyncError; readonly waits: boolean };

/**
 * What waits with a message that must wait: `sender`, its sender's later
 * messages (the cause is the message's: a schema, a clock, an app trigger;
 * the other senders' messages go on); `all`, every later message (the cause
 * is this server's: a migration while running, an open transaction).
 */
export type WaitScope = 'sender' | 'all';

/**
 * A message that must wait, named with where it is and who sent it, and
 * what waits with it ({@link WaitScope}). A `CLOCK_SKEW` says the clocks stay
 * as written (a sender whose clock was fixed since does not release it).
 */
export function waitingAt(at: Place, error: SyncError, scope: WaitScope = 'sender'): SyncError {
  const clocks = error.code === 'CLOCK_SKEW' ? '. Clocks already written stay as they are: it is applied once real time reaches them, or sooner with a larger `maxClockSkewMs` on this server' : '';
  const withIt = scope === 'all' ? 'every later message waits with it (the stream is applied in order)' : "its sender's later messages wait behind it (a sender's messages are applied in order; the other senders' messages go on)";
  return new SyncError(error.code, error.status, `stream message ${at.seq} (${at.subject}) waits, and ${withIt}: ${error.message}${clocks}`, { cause: error });
}

const OTHER_FLEET =
  'a server of another fleet (another sync token) publishes to this stream, one of yours has another token, or someone holding only the NATS credentials published or replayed it; give each fleet its own stream (SYNC_NATS_STREAM, transport.nats.stream) or the same SYNC_TOKEN on every server';

/**
 * Checks a peer's message: its seal (over its subject, headers and body)
 * before any header is trusted (`WRONG_TOKEN`, refused), then its schema
 * fingerprint (`SCHEMA_MISMATCH`, waits), then parses its body
 * (`INVALID_CHANGESET` when it is not JSON, refused).
 */
export function readStreamMessage(message: JsMsg, seal: FleetSeal, fingerprint: string): StreamMessageRead {
  if (!seal.accepts(message)) return { error: wrongToken(OTHER_FLEET), waits: false };
  const theirs = message.headers?.get(SCHEMA_HEADER);
  if (theirs !== fingerprint) {
    const detail = `it was written with tracked schema ${theirs || 'none'}, this server has ${fingerprint}; migrate every server to the same schema`;
    return { error: waitingAt(placeOf(message), new SyncError('SCHEMA_MISMATCH', 409, detail)), waits: true };
  }
  try {
    return { page: JSON.parse(Buffer.from(message.data).toString('utf8')) as unknown };
  } catch {
    return { error: new SyncError('INVALID_CHANGESET', 400, 'the message is not JSON'), waits: false };
  }
}
