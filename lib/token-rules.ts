/** Shortest token that is not warned about: shorter secrets are guessable. */
export const MIN_TOKEN_LENGTH = 16;

/** Characters a bearer token can travel with: visible ASCII, no space. */
export const HEADER_SAFE_TOKEN = /^[\x21-\x7e]+$/;

/**
 * The warning for tokens shorter than {@link MIN_TOKEN_LENGTH} (they are accepted: a
 * team may start with a short one), or undefined when every token is long enough.
 * @param label - how a token is named in the message, from its index (`token #0`, `the token of peer …`)
 */
export function shortTokenWarning(tokens: readonly string[], label: (index: number) => string = (index) => `token #${index}`): string | undefined {
  const short = tokens.map((token, index) => [token, index] as const).filter(([token]) => token.length < MIN_TOKEN_LENGTH);
  if (short.length === 0) return undefined;
  const which = short.map(([token, index]) => `${label(index)} has ${token.length} characters`).join(', ');
  return `express-sqlite-sync: ${which}; a short shared token can be guessed by anyone who reaches the server or reads its messages (on NATS it also seals them): use at least ${MIN_TOKEN_LENGTH} (for example \`openssl rand -hex 32\`)`;
}

/** A token wrapped in a matching pair of quotes: usually quotes an env file, a compose file or `docker -e` kept by mistake. */
const QUOTED_TOKEN = /^(["'`]).+\1$/s;

/** True for a token wrapped in a matching pair of quotes (`"…"`, `'…'`, `` `…` ``): kept by an env file, a compose file or `docker -e`? */
export function isQuotedToken(token: string): boolean {
  return QUOTED_TOKEN.test(token);
}

/**
 * The warning for tokens wrapped in a matching pair of quotes (they are accepted:
 * the quotes may be part of the secret), or undefined when none is. A peer given
 * the token without the quotes is refused with 401, which is hard to trace back
 * to an env file that kept them.
 * @param label - how a token is named in the message, from its index
 */
export function quotedTokenWarning(tokens: readonly string[], label: (index: number) => string = (index) => `token #${index}`): string | undefined {
  const quoted = tokens.map((token, index) => [token, index] as const).filter(([token]) => isQuotedToken(token));
  if (quoted.length === 0) return undefined;
  const which = quoted.map(([token, index]) => `${label(index)} starts and ends with ${token[0] ?? ''}`).join(', ');
  return `express-sqlite-sync: ${which}; if the quotes are not part of the secret (an env file, a compose file or \`docker -e\` kept them), remove them: a server given the token without them answers 401`;
}

/** A warning about the tokens: its log event and its message. */
export interface TokenWarning {
  readonly event: 'token.short' | 'token.quoted';
  readonly message: string;
}

/**
 * Every warning about accepted tokens: short ones, and ones wrapped in quotes.
 * @param label - how a token is named in the messages, from its index
 */
export function tokenWarnings(tokens: readonly string[], label?: (index: number) => string): TokenWarning[] {
  const short = shortTokenWarning(tokens, label);
  const quoted = quotedTokenWarning(tokens, label);
  return [...(short === undefined ? [] : [{ event: 'token.short' as const, message: short }]), ...(quoted === undefined ? [] : [{ event: 'token.quoted' as const, message: quoted }])];
}
