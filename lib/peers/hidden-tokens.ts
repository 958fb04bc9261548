import { MIN_TOKEN_LENGTH } from '../token-rules';

/** What replaces a token in a peer's text. */
const HIDDEN = '***';

/**
 * The forms a token may take in a peer's text: as sent, base64 (plain and URL-safe), percent-encoded
 * (either case), and inside a JSON string (`"` and `\` escaped, `/` as is or as `\/`, as PHP writes it).
 */
function tokenForms(token: string): string[] {
  const bytes = Buffer.from(token, 'utf8');
  const percent = encodeURIComponent(token);
  const json = JSON.stringify(token).slice(1, -1);
  const forms = [token, bytes.toString('base64'), bytes.toString('base64').replace(/=+$/, ''), bytes.toString('base64url'), percent, percent.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()), json, json.replace(/\//g, '\\/')];
  return forms.filter((form) => form !== '');
}

/** A blank between a field's name, its `:` or `=` and its value, as written or percent-encoded. */
const BLANK = String.raw`(?:\s|%20|\+)`;
/**
 * What stands between an auth scheme and its credential: blanks, as many as there are (also `%20` or
 * `+`: a header line percent- or form-encoded), or a `:` or `=` (also `%3A`, `%3D`) with blanks or none
 * around it (`Bearer=…`, `Bearer: …`). One run of blanks: scanned once, whatever its length.
 */
const SCHEME_GAP = String.raw`(?:${BLANK}*(?:[:=]|%3a|%3d)${BLANK}*|${BLANK}+)`;
/** An auth scheme and what stands between it and its credential ({@link SCHEME_GAP}). */
const SCHEME = String.raw`(?:bearer|basic|token)${SCHEME_GAP}`;
/** Where an auth scheme's name may start: where a word does, or right after a percent-escape (`%20Bearer`). */
const SCHEME_STARTS = String.raw`(?:\b|(?<=%[0-9a-f]{2}))`;
/** A quote around a field's name or value, as written or percent-encoded (`%22`, `%27`). */
const QUOTE = String.raw`(?:["']|%2[27])`;

/**
 * What stands right before a credential's value: an auth scheme (`Bearer sync`, `Basic …`,
 * `Token …`, also right after a percent-escape: `Authorization%3A%20Bearer%20sync`), a field named
 * for a secret (`authorization: `, `x-sync-token=`, `"access_token":"`, `password=`, its quotes,
 * `:`, `=` and blanks also percent-encoded, with the field's scheme if any: `authorization: Bearer `),
 * or a query parameter (`?t=`, `&token=`). Every part is bounded, and a field's name starts where a
 * word does: a long peer message is scanned in one pass.
 */
const CREDENTIAL_BEFORE = new RegExp(
  `${SCHEME_STARTS}${SCHEME}|(?<![\\w-])[\\w-]{0,40}(?:token|auth|key|secret|pass)[\\w-]{0,40}${QUOTE}?${BLANK}{0,8}(?:[:=]|%3a|%3d)${BLANK}{0,8}${QUOTE}?(?:${SCHEME})?|[?&][^=&#\\s]{0,40}=`,
  'gi',
);
/**
 * A `Basic` credential: the scheme and what follows it (group 1), then its base64 (group 2): plain or
 * URL-safe, its `+`, `/` and `=` also percent-encoded (a header line percent-encoded whole), its `/`
 * also as `\\/` (in a JSON string, as PHP writes it).
 */
const BASIC_CREDENTIAL = new RegExp(String.raw`${SCHEME_STARTS}(basic${SCHEME_GAP})((?:[a-z0-9_+/-]|\\\/|%2b|%2f)+(?:=|%3d){0,2})`, 'gi');

/** The bytes a `Basic` credential's base64 (as {@link BASIC_CREDENTIAL} finds it) stands for: `user:password`. */
function decodedBasic(base64: string): Buffer {
  return Buffer.from(base64.replace(/\\\//g, '/').replace(/%2b/gi, '+').replace(/%2f/gi, '/').replace(/%3d/gi, '='), 'base64');
}

/**
 * `text` with every `Basic` credential whose decoded `user:password` holds one of `tokens` replaced by
 * `***` whole. The token's own base64 matches such a credential only when it starts at a multiple of 3
 * bytes into it (`user:` of 3, 6 … characters), so the credential is decoded instead.
 */
function hideInBasicCredentials(text: string, tokens: readonly string[]): string {
  const secrets = tokens.filter((token) => token !== '').map((token) => Buffer.from(token, 'utf8'));
  if (secrets.length === 0) return text;
  return text.replace(BASIC_CREDENTIAL, (credential, scheme: string, base64: string) => {
    const decoded = decodedBasic(base64);
    return secrets.some((secret) => decoded.includes(secret)) ? `${scheme}${HIDDEN}` : credential;
  });
}

/** A URL's userinfo: `//`, then the user (and `:` and the password), then `@`. */
const USERINFO = /(\/\/)([^\s/?#@]{1,1024})@/g;
/** A character that would make a credential's value a longer word (another token that starts with ours). */
const WORD_GOES_ON = /^[A-Za-z0-9_~+/=-]/;
/** Characters that end a credential's value: blanks, quotes, and the separators of headers, queries, JSON and markup. */
const ENDS_VALUE = /^[\s"',;&<>)\]}]$/;

/**
 * True when the text at `at` would make a credential's value a longer word: a {@link WORD_GOES_ON}
 * character, a lone `%`, or a percent-escape of a character a token may hold (`%21`), not of one that
 * ends the value (`%20`, `%22`, `%26`, `%0A`…).
 */
function wordGoesOn(text: string, at: number): boolean {
  const next = text.charAt(at);
  if (next !== '%') return WORD_GOES_ON.test(next);
  const escaped = /^%([0-9A-Fa-f]{2})/.exec(text.slice(at, at + 3));
  if (escaped === null) return true;
  const code = Number.parseInt(escaped[1] ?? '', 16);
  return code > 0x20 && code < 0x7f && !ENDS_VALUE.test(String.fromCharCode(code));
}

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
    const form = forms.find((candidate) => text.startsWith(candidate, at) && !wordGoesOn(text, at + candidate.length));
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
 * A `Basic` credential whose decoded `user:password` holds a token is hidden
 * whole (`Basic ***`), whatever the user name's length. A token of
 * {@link MIN_TOKEN_LENGTH} characters or more is hidden wherever it
 * appears. A shorter one (accepted with a `token.short` warning) is hidden only
 * where it stands as a credential: after `Bearer`, `Basic` or `Token` (then
 * blanks, however many, or a `:` or `=`), as the
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
  const hidden = everywhere.reduce((partly, form) => partly.split(form).join(HIDDEN), hideInBasicCredentials(text, secrets));
  return hideWhereCredential(hidden, asCredential);
}
