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

/** The pieces of a URL's query: each name and value as sent (still percent-encoded), in order. */
function rawPieces(url: string): Array<{ readonly rawName: string; readonly rawValue: string }> {
  const start = url.indexOf('?');
  if (start === -1) return [];
  return url
    .slice(start + 1)
    .split('&')
    .filter((piece) => piece !== '')
    .map((piece) => {
      const equals = piece.indexOf('=');
      return equals === -1 ? { rawName: piece, rawValue: '' } : { rawName: piece.slice(0, equals), rawValue: piece.slice(equals + 1) };
    });
}

/**
 * Reads every parameter of a request URL's query as sent, whatever the app's
 * `query parser` setting (`app.set('query parser', false)` leaves `req.query`
 * empty; `'extended'` makes `a[b]=1` an object): the routes read their
 * parameters from here, so an app's setting never makes them pass over a
 * cursor, a limit or a filter. Names and values are decoded as
 * {@link decodeQueryComponent} does; a value whose bytes are not UTF-8 is
 * kept as sent, for the route's own check to refuse. A repeated parameter
 * keeps all its values.
 * @param url - the request URL (`req.originalUrl`), path and query
 */
export function readRawQuery(url: string): FileQuery {
  const query = Object.create(null) as Record<string, string | string[]>; // `__proto__` or `constructor` is a name like any other
  for (const { rawName, rawValue } of rawPieces(url)) {
    const name = decodeQueryComponent(rawName) ?? rawName;
    const value = decodeQueryComponent(rawValue) ?? rawValue;
    const before = query[name];
    query[name] = before === undefined ? value : [...(typeof before === 'string' ? [before] : before), value];
  }
  return query;
}

/**
 * The values a request URL's query gives one parameter, as sent (see
 * {@link readRawQuery}): none, one, or several when it is repeated.
 * @throws SyncError `BAD_PATH` (400) for `path`, `BAD_REQUEST` (400) for another name, when a value is not UTF-8 once percent-decoded
 */
export function rawQueryValues(url: string, name: string): string[] {
  const values: string[] = [];
  for (const { rawName, rawValue } of rawPieces(url)) {
    if (decodeQueryComponent(rawName) !== name) continue;
    const value = decodeQueryComponent(rawValue);
    if (value === undefined) throw refuseUndecodable(name);
    values.push(value);
  }
  return values;
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
  const query: Record<string, string | string[]> = {};
  for (const { rawName, rawValue } of rawPieces(url)) {
    const name = decodeQueryComponent(rawName) ?? rawName;
    if (!allowed.includes(name)) {
      throw new SyncError('BAD_REQUEST', 400, `unknown query parameter ${JSON.stringify(name)}: this route takes ${allowed.join(', ')} (nothing was done)`);
    }
    const value = decodeQueryComponent(rawValue);
    if (value === undefined) throw refuseUndecodable(name);
    const before = query[name];
    query[name] = before === undefined ? value : [...(typeof before === 'string' ? [before] : before), value];
  }
  return query;
}
