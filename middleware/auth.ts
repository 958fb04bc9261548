import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { refuseUnknownOptions } from '../lib/option-checks';
import { SyncError } from '../lib/sync-error';
import { HEADER_SAFE_TOKEN, tokenWarnings } from '../lib/token-rules';

/** Options of {@link bearerAuth}. */
export interface BearerAuthOptions {
  /** Accepted shared tokens; any one of them lets a peer in. */
  readonly tokens: readonly string[];
}

export { MIN_TOKEN_LENGTH, shortTokenWarning } from '../lib/token-rules';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}


/**
 * Checks a token list at construction.
 * @throws TypeError when the list is empty or holds a non-string
 * @throws RangeError when a token is empty, or holds a character no header carries (a short one is accepted: see {@link shortTokenWarning})
 */
export function checkTokens(tokens: readonly unknown[]): readonly string[] {
  if (tokens.length === 0) throw new TypeError('express-sqlite-sync: `token` is empty; give at least one shared token');
  return tokens.map((token, index) => {
    if (typeof token !== 'string') {
      throw new TypeError(`express-sqlite-sync: token #${index} is a ${typeof token}, expected a string`);
    }
    if (token.length === 0) throw new RangeError(`express-sqlite-sync: token #${index} is empty; give a shared secret (for example \`openssl rand -hex 32\`)`);
    if (!HEADER_SAFE_TOKEN.test(token)) {
      throw new RangeError(
        `express-sqlite-sync: token #${index} holds a space, a control character or a character outside ASCII, which no Authorization header can carry; use letters, digits and punctuation (for example \`openssl rand -hex 32\`)`,
      );
    }
    return token;
  });
}

function readBearer(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = /^Bearer[ ]+([^\s]+)[ ]*$/i.exec(header);
  return match?.[1];
}

/**
 * Shared-secret authentication between servers: `Authorization: Bearer <token>`.
 * Tokens are compared in constant time (as SHA-256 digests of equal length),
 * and every accepted token is tried so timing does not reveal which matched.
 * Answers 401 `UNAUTHORIZED` without a token, with a wrong one, or with
 * several `Authorization` headers (Node would keep the first, silently).
 */
export function bearerAuth(options: BearerAuthOptions): RequestHandler {
  if (typeof options !== 'object' || options === null) throw new TypeError('express-sqlite-sync: bearerAuth needs an options object: bearerAuth({ tokens: [token] })');
  refuseUnknownOptions(options, new Set(['tokens']), 'bearerAuth');
  if (!Array.isArray(options.tokens)) throw new TypeError('express-sqlite-sync: bearerAuth `tokens` must be an array of strings: bearerAuth({ tokens: [token] })');
  if (options.tokens.length === 0) throw new TypeError('express-sqlite-sync: bearerAuth `tokens` is empty; give at least one shared token');
  const tokens = checkTokens(options.tokens);
  for (const { message } of tokenWarnings(tokens)) process.emitWarning(message, 'ExpressSqliteSyncWarning');
  return tokenGate(tokens);
}

/** How many `Authorization` header lines a request carries (Node keeps only the first in `req.headers`). */
function authorizationLines(rawHeaders: readonly string[]): number {
  let count = 0;
  for (let index = 0; index < rawHeaders.length; index += 2) if (rawHeaders[index]?.toLowerCase() === 'authorization') count += 1;
  return count;
}

/** {@link bearerAuth} over tokens already checked by `checkTokens` (the router checks its options once). */
export function tokenGate(tokens: readonly string[]): RequestHandler {
  const accepted = tokens.map(digest);
  return function bearerAuthMiddleware(req, _res, next) {
    const lines = authorizationLines(req.rawHeaders);
    if (lines > 1) {
      // Node keeps the first and drops the others; a proxy may read another one: which credential counts is ambiguous.
      next(new SyncError('UNAUTHORIZED', 401, `the request carries ${lines} Authorization headers; send one, \`Authorization: Bearer <token>\``));
      return;
    }
    const header = req.headers.authorization;
    const presented = readBearer(header);
    if (presented === undefined) {
      const problem = header === undefined ? 'missing `Authorization: Bearer <token>` header' : 'the Authorization header is not `Bearer <token>` (a token is one word: no spaces)';
      next(new SyncError('UNAUTHORIZED', 401, problem));
      return;
    }
    const presentedDigest = digest(presented);
    let ok = false;
    for (const candidate of accepted) ok = timingSafeEqual(candidate, presentedDigest) || ok;
    next(ok ? undefined : new SyncError('UNAUTHORIZED', 401, 'the sync token is wrong'));
  };
}
