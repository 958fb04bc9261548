import { createHmac, timingSafeEqual } from 'node:crypto';

/** Header: the page body's HMAC-SHA256 under the fleet's sync token (hex). */
export const SEAL_HEADER = 'Ess-Seal';

/**
 * Seals stream messages with the fleet's sync token, as HTTP requests carry
 * it: anyone who can publish to the NATS server (another fleet on the same
 * stream name, a client with the NATS credentials) cannot write rows into
 * this fleet without the token. A message is sealed with the first token and
 * accepted under any of them (rotation, as over HTTP). Without tokens (a
 * fleet run with `allowUnauthenticatedPeers`) nothing is sealed or checked.
 */
export class FleetSeal {
  readonly #tokens: readonly string[];

  /** @param tokens - the sync tokens; the first one seals */
  constructor(tokens: readonly string[]) {
    this.#tokens = tokens;
  }

  /** The seal of a body, or undefined without a token. */
  seal(body: Uint8Array): string | undefined {
    const token = this.#tokens[0];
    return token === undefined ? undefined : sealWith(token, body);
  }

  /** True when `seal` is the body's seal under one of the tokens (always, without tokens). */
  accepts(seal: string | undefined, body: Uint8Array): boolean {
    if (this.#tokens.length === 0) return true;
    if (seal === undefined || !/^[0-9a-f]{64}$/.test(seal)) return false;
    const given = Buffer.from(seal, 'hex');
    let ok = false;
    for (const token of this.#tokens) ok = timingSafeEqual(given, Buffer.from(sealWith(token, body), 'hex')) || ok;
    return ok;
  }
}

function sealWith(token: string, body: Uint8Array): string {
  return createHmac('sha256', token).update(body).digest('hex');
}
