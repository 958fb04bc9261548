import { SyncError } from '../sync-error';

/** The query parameters of a file route: each name given, with its value (several values when repeated). */
export type FileQuery = Readonly<Record<string, string | readonly string[]>>;

const PERCENT_BYTE = /^%[0-9a-fA-F]{2}/;
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Percent-decodes one name or value of a query (`+` is a space), as Express's
 * query parser does, except that bytes which are not UTF-8 are refused
 * instead of becoming U+FFFD. A `%` not followed by two hex digits stays as
 * it is (a file named `50%.pdf`).
 * @returns the text, or undefined when the decoded bytes are not UTF-8
 */
export function decodeQueryComponent(raw: string): string | undefined {
  const text = raw.replace(/\+/g, ' ');
  if (!text.includes('%')) return text;
  const bytes: number[] = [];
  for (let index = 0; index < text.length; ) {
    if (PERCENT_BYTE.test(text.slice(index, index + 3))) {
      bytes.push(Number.parseInt(text.slice(index + 1, index + 3), 16));
      index += 3;
      continue;
    }
    const character = String.fromCodePoint(text.codePointAt(index) ?? 0);
    bytes.push(...Buffer.from(character, 'utf8'));
    index += character.length;
  }
  try {
    return STRICT_UTF8.decode(Uint8Array.from(bytes));
  } catch {
    return undefined;
  }
}

function refuseUndecodable(name: string): SyncError {
  if (name === 'path') return new SyncError('BAD_PATH', 400, 'bad path: it is not valid UTF-8 once percent-decoded');
  return new SyncError('BAD_REQUEST', 400, `the query parameter \`${name}\` is not valid UTF-8 once percent-decoded`);
}

/**
 * Reads the query of a file route from the request URL as sent, so that
 * nothing a client meant is dropped: a parameter the route does not take
 * (misspelled, such as `if-match`, or malformed, such as `path[]` or
 * `if_match[x]`) is refused, never ignored with its precondition; a `path`
 * whose bytes are not UTF-8 is refused, never stored under U+FFFD.
 * A repeated parameter keeps all its values, for the route to refuse.
 * @param url - the request URL (`req.originalUrl`), path and query
 * @param allowed - the parameters the route takes
 * @throws SyncError `BAD_REQUEST` (400) naming an unknown or undecodable parameter; `BAD_PATH` (400) for a `path` that is not UTF-8
 */
export function readFileQuery(url: string, allowed: readonly string[]): FileQuery {
  const start = url.indexOf('?');
  const query: Record<string, string | string[]> = {};
  if (start === -1) return query;
  for (const piece of url.slice(start + 1).split('&')) {
    if (piece === '') continue;
    const equals = piece.indexOf('=');
    const rawName = equals === -1 ? piece : piece.slice(0, equals);
    const name = decodeQueryComponent(rawName) ?? rawName;
    if (!allowed.includes(name)) {
      throw new SyncError('BAD_REQUEST', 400, `unknown query parameter ${JSON.stringify(name)}: this route takes ${allowed.join(', ')} (nothing was done)`);
    }
    const value = decodeQueryComponent(equals === -1 ? '' : piece.slice(equals + 1));
    if (value === undefined) throw refuseUndecodable(name);
    const before = query[name];
    query[name] = before === undefined ? value : [...(typeof before === 'string' ? [before] : before), value];
  }
  return query;
}

/**
 * Refuses a query parameter whose bytes are not UTF-8 once percent-decoded,
 * reading the request URL as sent (a query parser would have made them
 * U+FFFD); the other parameters are not looked at. For routes that keep
 * the app's own query parser, such as `uploadGuard` on an app's route.
 * @param url - the request URL (`req.originalUrl`), path and query
 * @throws SyncError `BAD_PATH` (400) for `path`, `BAD_REQUEST` (400) for another name
 */
export function refuseUndecodableParameter(url: string, name: string): void {
  const start = url.indexOf('?');
  if (start === -1) return;
  for (const piece of url.slice(start + 1).split('&')) {
    const equals = piece.indexOf('=');
    const rawName = equals === -1 ? piece : piece.slice(0, equals);
    if (decodeQueryComponent(rawName) !== name) continue;
    if (decodeQueryComponent(equals === -1 ? '' : piece.slice(equals + 1)) === undefined) throw refuseUndecodable(name);
  }
}
