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
 * What stands right before a credential's value: an auth scheme (`Bearer sync`, `Basic …`,
 * `Token …`, its space also `%20` or `+`), a field named for a secret (`authorization: `,
 * `x-sync-token=`, `"access_token":"`, `password=`, with the field's scheme if any:
 * `authorization: Bearer `), or a query parameter (`?t=`, `&token=`). Every part is bounded,
 * and a field's name starts where a word does: a long peer message is scanned in one pass.
 */
const CREDENTIAL_BEFORE = /\b(?:bearer|basic|token)(?:\s{1,8}|%20|\+)|(?<![\w-])[\w-]{0,40}(?:token|auth|key|secret|pass)[\w-]{0,40}["']?\s{0,8}[:=]\s{0,8}["']?(?:(?:bearer|basic|token)(?:\s{1,8}|%20|\+))?|[?&][^=&#\s]{0,40}=/gi;
/** A URL's userinfo: `//`, then the user (and `:` and the password), then `@`. */
const USERINFO = /(\/\/)([^\s/?#@]{1,1024})@/g;
/** What may not follow a token in a credential's value: a character that would make it a longer word (another token that starts with ours). */
const WORD_GOES_ON = /^[A-Za-z0-9_~+/=%-]/;

/** `text` with `forms` (longest first) replaced by `***` where one is a URL's user or password, and left elsewhere. */
function hideInUserinfo(text: string, forms: readonly string[]): string {
  return text.replace(USERINFO, (_match, slashes: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    const parts = colon === -1 ? [userinfo] : [userinfo.slice(0, colon), userinfo.slice(colon + 1)];
    return `${slashes}${parts.map((part) => (forms.includes(part) ? HIDDEN : part)).join(':')}@`;
  });
}

/**
 * `text` with `forms` (longest first) replaced by `***` where one stands as a credential
 * (right after {@link CREDENTIAL_BEFORE}, and not followed by a character that would make it a
 * longer word; or as a URL's user or password), and left elsewhere.
 */
function hideWhereCredential(text: string, forms: readonly string[]): string {
  if (forms.length === 0) return text;
  let hidden = '';
  let cursor = 0;
  for (const match of text.matchAll(CREDENTIAL_BEFORE)) {
    const at = match.index + match[0].length;
    if (match.index < cursor) continue; // inside a value already hidden
    const form = forms.find((candidate) => text.startsWith(candidate, at) && !WORD_GOES_ON.test(text.charAt(at + candidate.length)));
    if (form === undefined) continue;
    hidden += `${text.slice(cursor, at)}${HIDDEN}`;
    cursor = at + form.length;
  }
  return hideInUserinfo(hidden + text.slice(cursor), forms);
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
