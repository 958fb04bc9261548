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
 * What stands right before a credential's value: an auth scheme (`Bearer sync`,
 * `Basic …`, `Token …`, its space also `%20` or `+`), a field named for a secret
 * (`authorization: `, `x-sync-token=`, `"access_token":"`, `password=`), or a
 * query parameter (`?t=`, `&token=`).
 */
const CREDENTIAL_BEFORE = /(?:\b(?:bearer|basic|token)(?:\s+|%20|\+)|[\w-]*(?:token|auth|key|secret|pass)[\w-]*["']?\s*[:=]\s*["']?|[?&][^=&#\s]*=)$/i;
/** What may not follow a credential's value: a character that would make it a longer word (another token that starts with ours). */
const WORD_GOES_ON = /^[A-Za-z0-9_~+/=%-]/;
/** A URL's userinfo up to a password: `//`, then `user:` if any. */
const USERINFO_BEFORE = /\/\/(?:[^\s/?#@:]*:)?$/;
/** The end of a URL's userinfo: `@`, after a password if the value was the user. */
const USERINFO_AFTER = /^(?::[^\s/?#@]*)?@/;
/** How far back a credential's prefix is looked for. */
const LOOK_BACK = 200;

/** True when `text[at, end)` stands as a credential: an auth scheme's or secret field's value, a query value, or a URL's user or password. */
function standsAsCredential(text: string, at: number, end: number): boolean {
  const before = text.slice(Math.max(0, at - LOOK_BACK), at);
  const after = text.slice(end);
  if (USERINFO_BEFORE.test(before) && USERINFO_AFTER.test(after)) return true;
  return CREDENTIAL_BEFORE.test(before) && !WORD_GOES_ON.test(after);
}

/** `text` with `form` replaced by `***` wherever it stands as a credential ({@link standsAsCredential}), and left elsewhere. */
function hideWhereCredential(text: string, form: string): string {
  let hidden = '';
  let from = 0;
  let at = text.indexOf(form);
  while (at !== -1) {
    const end = at + form.length;
    if (standsAsCredential(text, at, end)) {
      hidden += `${text.slice(from, at)}${HIDDEN}`;
      from = end;
      at = text.indexOf(form, end);
    } else {
      at = text.indexOf(form, at + 1);
    }
  }
  return hidden + text.slice(from);
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
  const everywhere = new Set(secrets.filter((token) => token.length >= MIN_TOKEN_LENGTH).flatMap(tokenForms));
  const asCredential = new Set(secrets.filter((token) => token.length < MIN_TOKEN_LENGTH).flatMap(tokenForms));
  // Longest first: a form that holds another is replaced whole.
  const forms = [...new Set([...everywhere, ...asCredential])].sort((a, b) => b.length - a.length);
  return forms.reduce((hidden, form) => (everywhere.has(form) ? hidden.split(form).join(HIDDEN) : hideWhereCredential(hidden, form)), text);
}
