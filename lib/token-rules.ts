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
