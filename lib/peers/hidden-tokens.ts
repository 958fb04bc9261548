import { MIN_TOKEN_LENGTH } from '../token-rules';

/** What replaces a token in a peer's text. */
const HIDDEN = '***';

/** The forms a token may take in a peer's text: as sent, base64 (plain and URL-safe), percent-encoded (either case). */
function tokenForms(token: string): string[] {
  const bytes = Buffer.from(token, 'utf8');
  const percent = encodeURIComponent(token);
  const forms = [token, bytes.toString('base64'), bytes.toString('base64').replace(/=+$/, ''), bytes.toString('base64url'), percent, percent.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase())];
  return forms.filter((form) => form !== '');
}

/**
 * A credential's value and what stands right before it: an auth scheme (`Bearer sync`,
 * `Basic …`, `Token …`, its space also `%20` or `+`), a field named for a secret
 * (`authorization: `, `x-sync-token=`, `"access_token":"`, `password=`), or a query
 * parameter (`?t=`, `&token=`); then the value (after the field's scheme, if any: `authorization: Bearer …`),
 * up to a space, a quote or a separator.
 * Every part is bounded, and a field's name starts where a word does: a long peer
 * message is scanned in one pass, never backtracked over.
 */
const CREDENTIAL = /(\b(?:bearer|basic|token)(?:\s{1,8}|%20|\+)|(?<![\w-])[\w-]{0,40}(?:token|auth|key|secret|pass)[\w-]{0,40}["']?\s{0,8}[:=]\s{0,8}["']?(?:(?:bearer|basic|token)(?:\s{1,8}|%20|\+))?|[?&][^=&#\s]{0,40}=)([^\s"'&#,;)\]}>]{1,1024})/gi;
/** A URL's userinfo: `//`, then the user (and `:` and the password), then `@`. */
const USERINFO = /(\/\/)([^\s/?#@]{1,1024})@/g;
/** What may not follow a token in a credential's value: a character that would make it a longer word (another token that starts with ours). */
const WORD_GOES_ON = /^[A-Za-z0-9_~+/=%-]/;

/** A credential's `value` with the first of `forms` (longest first) that is the whole value, or all of it before a character ending a word, replaced by `***`. */
function hiddenValue(value: string, forms: readonly string[]): string {
  const form = forms.find((candidate) => value.startsWith(candidate) && !WORD_GOES_ON.test(value.slice(candidate.length)));
  return form === undefined ? value : `${HIDDEN}${value.slice(form.length)}`;
}

/** `text` with `forms` replaced by `***` where they stand as a credential ({@link CREDENTIAL}, {@link USERINFO}), and left elsewhere. */
function hideWhereCredential(text: string, forms: readonly string[]): string {
  if (forms.length === 0) return text;
  const values = text.replace(CREDENTIAL, (_match, before: string, value: string) => `${before}${hiddenValue(value, forms)}`);
  return values.replace(USERINFO, (_match, slashes: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    const parts = colon === -1 ? [userinfo] : [userinfo.slice(0, colon), userinfo.slice(colon + 1)];
    return `${slashes}${parts.map((part) => (forms.includes(part) ? HIDDEN : part)).join(':')}@`;
  });
}

/**
 * `text` with the tokens of `secrets` (in the forms a peer may echo them: as
 * sent, base64, percent-encoded) replaced by `***`: a peer that repeats the
 * `Authorization` header it received (a proxy's refusal, say) must not put
 * our token into the log, `/status` or a terminal.
 *
 * A token of {@link MIN_TOKEN_LENGTH} characters or more is hidden wherever it
 * appears. A shorter one (accepted with a `token.short` warning) is hidden only
 * where it stands as a credential: after `Bearer`, `Basic` or `Token`, as the
 * value of a field named for a secret (`authorization`, `…token`, `…key`,
 * `password` …) or of a query parameter, or as a URL's user or password.
 * Elsewhere it would take ordinary words out of the message (`sync` out of
 * `/api/sync/…`, `a` out of every word).
 */
export function hideSecrets(text: string, secrets: readonly string[]): string {
  // Longest first: a form that holds another is replaced whole.
  const longest = (forms: Iterable<string>): string[] => [...new Set(forms)].sort((a, b) => b.length - a.length);
  const everywhere = longest(secrets.filter((token) => token.length >= MIN_TOKEN_LENGTH).flatMap(tokenForms));
  const asCredential = longest(secrets.filter((token) => token.length < MIN_TOKEN_LENGTH).flatMap(tokenForms));
  const hidden = everywhere.reduce((partly, form) => partly.split(form).join(HIDDEN), text);
  return hideWhereCredential(hidden, asCredential);
}
