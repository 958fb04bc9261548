import { createHash, createHmac, timingSafeEqual, type Hmac } from 'node:crypto';
import type { MsgHdrs } from '@nats-io/transport-node';
import { SyncError } from '../../sync-error';
import { MORE_HEADER, MSG_ID_HEADER, NEXT_HEADER, ROWS_HEADER, SCHEMA_HEADER, SINCE_HEADER } from './page-message';

/** Header: the message's HMAC-SHA256 under the fleet's sync token (hex), over its subject, the headers a receiver acts on, and its body. */
export const SEAL_HEADER = 'Ess-Seal';

/** The headers a receiver acts on, in the order they are sealed (after the subject, before the body). */
export const SEALED_HEADERS: readonly string[] = [MSG_ID_HEADER, SCHEMA_HEADER, SINCE_HEADER, NEXT_HEADER, ROWS_HEADER, MORE_HEADER];

/** Names what the seal covers and starts it, so a seal of another shape (the body alone) never matches. */
const SEAL_PREFIX = 'ess-seal/2\n';

/** What a seal covers: a message as published or as read from the stream. */
export interface SealedMessage {
  readonly subject: string;
  readonly headers: MsgHdrs | undefined;
  readonly data: Uint8Array;
}

/**
 * Seals stream messages with the fleet's sync token, as HTTP requests carry
 * it: anyone who can publish to the NATS server (another fleet on the same
 * stream name, a client with the NATS credentials) cannot write rows into
 * this fleet without the token, nor move a sealed message to another
 * subject or change a header a receiver acts on. A message is sealed with the
 * first token and accepted under any of them (rotation, as over HTTP).
 * Without tokens (a fleet run with `allowUnauthenticatedPeers`) nothing is
 * sealed or checked.
 */
export class FleetSeal {
  readonly #tokens: readonly string[];

  /**
   * Names the set of tokens without showing them (16 hex characters of a
   * SHA-256 over them, in any order): a server that runs with other tokens
   * than when it refused a message as `WRONG_TOKEN` reads it again.
   */
  readonly id: string;

  /**
   * Names the token that seals (the first), without showing it (16 hex
   * characters of a SHA-256, kept only in this server's database); undefined
   * without tokens. A server whose messages were sealed under a token it no
   * longer holds publishes them again under this one.
   */
  readonly sealer: string | undefined;

  /** @param tokens - the sync tokens; the first one seals */
  constructor(tokens: readonly string[]) {
    this.#tokens = tokens;
    this.id = createHash('sha256').update(JSON.stringify(['ess-token-set', ...[...tokens].sort()])).digest('hex').slice(0, 16);
    this.sealer = tokens[0] === undefined ? undefined : sealerId(tokens[0]);
  }

  /** True when one of this server's tokens is the one named `sealer` ({@link FleetSeal.sealer}): a message it sealed is accepted here. */
  holds(sealer: string): boolean {
    return this.#tokens.some((token) => sealerId(token) === sealer);
  }

  /** The seal of a message (its `Ess-Seal` header, when any, is not part of it), or undefined without a token. */
  seal(message: SealedMessage): string | undefined {
    const token = this.#tokens[0];
    return token === undefined ? undefined : sealWith(token, message);
  }

  /** True when the message's `Ess-Seal` is its seal under one of the tokens (always, without tokens). */
  accepts(message: SealedMessage): boolean {
    if (this.#tokens.length === 0) return true;
    const seal = message.headers?.get(SEAL_HEADER) ?? '';
    if (!/^[0-9a-f]{64}$/.test(seal)) return false;
    const given = Buffer.from(seal, 'hex');
    let ok = false;
    for (const token of this.#tokens) ok = timingSafeEqual(given, Buffer.from(sealWith(token, message), 'hex')) || ok;
    return ok;
  }
}

/**
 * The `WRONG_TOKEN` refusal of a message not sealed with the fleet's token.
 * @param where - who may have put it there, and what to do
 */
export function wrongToken(where: string): SyncError {
  return new SyncError('WRONG_TOKEN', 403, `it is not sealed with this fleet's sync token (or its subject or headers were changed since): ${where}`);
}

/**
 * One canonical encoding, fed to the HMAC: the prefix, then the subject, each
 * of {@link SEALED_HEADERS} and the body, each as `<byte length>:<bytes>`, a
 * header that is absent as `-` (a length never starts with it).
 */
function sealWith(token: string, message: SealedMessage): string {
  const hmac = createHmac('sha256', token).update(SEAL_PREFIX);
  field(hmac, Buffer.from(message.subject, 'utf8'));
  for (const name of SEALED_HEADERS) {
    if (message.headers?.has(name) === true) field(hmac, Buffer.from(message.headers.get(name), 'utf8'));
    else hmac.update('-');
  }
  field(hmac, message.data);
  return hmac.digest('hex');
}

function sealerId(token: string): string {
  return createHash('sha256').update(JSON.stringify(['ess-sealer', token])).digest('hex').slice(0, 16);
}

function field(hmac: Hmac, bytes: Uint8Array): void {
  hmac.update(`${bytes.length}:`);
  hmac.update(bytes);
}
