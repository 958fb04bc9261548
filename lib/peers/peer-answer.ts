import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Static, TSchema } from '@sinclair/typebox';
import type { TypeCheck } from '@sinclair/typebox/compiler';
import { SyncError, TooLargeError } from '../sync-error';
import { replaceHiddenCharacters } from '../hidden-characters';
import { hideSecrets } from './hidden-tokens';

export { hideSecrets };

/** A response whose body has not been read yet. */
export interface PeerResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Readable;
  /** The tokens this side sent or holds: hidden (`***`) wherever the peer's text repeats them. */
  readonly secrets?: readonly string[];
}

/** The compiled schema of an answer, or a choice of one by the parsed answer (a page in either protocol, by its `protocol`). */
export type AnswerCheck<T extends TSchema> = TypeCheck<T> | ((parsed: unknown) => TypeCheck<T>);

/**
 * Reads a whole body, up to `maxBytes`.
 * @throws SyncError `PEER_BAD_ANSWER` (502) for a longer body (the rest is not read)
 */
export async function readAll(stream: Readable, maxBytes: number, what: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    length += (chunk as Buffer).length;
    if (length > maxBytes) {
      stream.destroy();
      throw new TooLargeError('PEER_BAD_ANSWER', 502, `${what}: the answer is larger than ${maxBytes} bytes`, maxBytes);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Narrows a peer's parsed answer with its compiled schema.
 * @throws SyncError `PEER_BAD_ANSWER` (502) naming the first field that is wrong
 */
export function checkAnswer<T extends TSchema>(check: TypeCheck<T>, parsed: unknown, what: string): Static<T> {
  if (check.Check(parsed)) return parsed;
  const first = check.Errors(parsed).First();
  const field = first === undefined || first.path === '' ? 'the answer' : `field ${first.path}`;
  throw new SyncError('PEER_BAD_ANSWER', 502, `${what}: ${field} is wrong (${first?.message ?? 'does not match the protocol'}); is the peer an express-sqlite-sync server of this version?`);
}

/** A peer's own error answer (`{ "error": { code, message } }`), passed on: its words are the peer's ("this server" is the peer). */
export class PeerAnswerError extends SyncError {
  /**
   * @param code - the peer's code (or `PEER_ERROR`)
   * @param status - the HTTP status it answered with
   * @param message - what was asked, then the peer's message
   */
  constructor(code: string, status: number, message: string) {
    super(code, status, message);
    this.name = 'PeerAnswerError';
  }
}

/** An error code as this project writes them; anything else from a peer becomes `PEER_ERROR`. */
const ERROR_CODE = /^[A-Z][A-Z0-9_]{0,63}$/;
/** The most of a peer's error message kept (it reaches `/status`, the log and terminals). */
const MAX_PEER_MESSAGE = 1000;

/** A peer's text made safe to show: control characters (terminal escapes, line breaks) replaced, and cut to `max` characters. */
export function printable(text: string, max = MAX_PEER_MESSAGE): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '\ufffd');
  return clean.length > max ? `${clean.slice(0, max)}… (${clean.length - max} more characters)` : clean;
}

/**
 * Rebuilds a peer's `{ error: { code, message } }` answer as a SyncError,
 * bounded and printable, with the tokens of `secrets` hidden (before the
 * message is cut, so no part of one is left).
 */
export function peerError(parsed: unknown, status: number, what: string, secrets: readonly string[] = []): SyncError {
  const error = (parsed as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const code = typeof error?.code === 'string' && ERROR_CODE.test(error.code) && hideSecrets(error.code, secrets) === error.code ? error.code : 'PEER_ERROR';
  const message = typeof error?.message === 'string' ? printable(hideSecrets(error.message, secrets)) : undefined;
  // PEER_ERROR replaces the peer's code, so its message says the status the peer answered.
  if (code === 'PEER_ERROR') return new PeerAnswerError(code, status, `${what}: peer answered ${status}${message === undefined ? '' : `: ${message}`}`);
  return new PeerAnswerError(code, status, `${what}: ${message ?? `peer answered ${status}`}`);
}

/**
 * Who answers an error status with a page of its own instead of a JSON error:
 * for 502, 503 and 504, a proxy or gateway in front of the peer whose server
 * is not answering it; otherwise most likely a proxy too.
 */
export function pageOfWhom(status: number): string {
  if (status === 502 || status === 503 || status === 504) {
    return "a proxy or gateway in front of the peer: the peer's server behind it is down, still starting, or not where the proxy sends requests";
  }
  return "a proxy's page?";
}

/** Longest page title quoted in a message. */
const TITLE_CHARACTERS = 80;

/**
 * What a success answer that is not JSON most likely is, for the message: an
 * HTML page (its title quoted) is a captive portal of the network (venue
 * Wi-Fi that wants a log-in first) or another web app at that address; a body
 * labelled JSON that does not parse is said so (cut short, or another program);
 * any other body is named by its Content-Type.
 * @param contentType - the answer's `Content-Type`, if any
 */
export function notJsonHint(text: string, contentType: string | undefined): string {
  const html = /html/i.test(contentType ?? '') || /^\s*</.test(text);
  if (!html && /json/i.test(contentType ?? '')) {
    return `its body does not parse as JSON although its Content-Type says ${JSON.stringify((contentType ?? '').slice(0, 100))}: cut short on the way (a proxy, a broken link), or another program at that address, not its sync API`;
  }
  if (!html) return contentType === undefined ? 'no Content-Type' : `Content-Type ${JSON.stringify(contentType.slice(0, 100))}`;
  const raw = /<title[^>]*>([^<]*)<\/title>/i.exec(text.slice(0, 64 * 1024))?.[1] ?? '';
  // a page's title is shown to operators: no control, invisible or direction characters
  const title = replaceHiddenCharacters(raw, ' ').replace(/\s+/g, ' ').trim().slice(0, TITLE_CHARACTERS);
  const page = title === '' ? 'an HTML page' : `an HTML page titled ${JSON.stringify(title)}`;
  return `${page}: a captive portal of the network (open any web page in a browser on this server to log in), or another web app at that address, not its sync API`;
}

/** Who answers with a redirect or an HTML page where an express-sqlite-sync server answers JSON. */
const NOT_THE_SERVER = 'a captive portal (open any web page and log in to the network first) or another web server at this address';

/** Where a redirect points, as a message may show it: origin and path only (a portal's query is long and may carry anything), printable, tokens hidden. */
function redirectTarget(response: PeerResponse): string {
  const location = response.headers.location;
  if (typeof location !== 'string' || location === '') return 'nowhere (no Location header)';
  let shown: string;
  try {
    const url = new URL(location);
    shown = `${url.origin}${url.pathname}`;
  } catch {
    shown = location.replace(/[?#][\s\S]*$/, ''); // a relative one
  }
  return printable(hideSecrets(shown, response.secrets ?? []), 200);
}

/**
 * The refusal of a redirect (3xx), or undefined for another status. A redirect
 * is never followed: the token would go wherever it points. Its body is not read.
 * @param what - who answered what, e.g. `http://10.0.0.2:5000 answered GET status`
 */
export function redirectRefusal(response: PeerResponse, what: string): SyncError | undefined {
  if (response.status < 300 || response.status >= 400) return undefined;
  response.body.destroy();
  return new SyncError(
    'PEER_BAD_ANSWER',
    502,
    `${what} with a redirect (${response.status}) to ${redirectTarget(response)}: ${NOT_THE_SERVER}, or the server moved (then use its new address). Redirects are not followed, so the token is never sent to another address`,
  );
}

/**
 * The refusal of an HTML page answered with a success status where JSON was
 * expected (a captive portal's login page), or undefined for another answer.
 * @param what - who answered what, as for {@link redirectRefusal}
 */
export function htmlPageRefusal(response: PeerResponse, what: string): SyncError | undefined {
  const type = response.headers['content-type'];
  if (response.status >= 300 || typeof type !== 'string' || !/^\s*(text\/html|application\/xhtml\+xml)\b/i.test(type)) return undefined;
  return new SyncError('PEER_BAD_ANSWER', 502, `${what} with ${response.status} and an HTML page, not JSON: ${NOT_THE_SERVER}? Check that the URL is the server's sync API`);
}

/**
 * Reads a whole response body, for error answers of streaming requests; the tokens of `response.secrets` are hidden in the peer's message.
 * A redirect is refused unread ({@link redirectRefusal}).
 */
export async function readPeerError(response: PeerResponse, what: string): Promise<SyncError> {
  const redirect = redirectRefusal(response, `${what}: the request was answered`);
  if (redirect !== undefined) return redirect;
  try {
    const text = (await readAll(response.body, 64 * 1024, what)).toString('utf8');
    return peerError(JSON.parse(text), response.status, what, response.secrets);
  } catch {
    return new SyncError('PEER_ERROR', response.status, `${what}: peer answered ${response.status} with no JSON error of its own (${pageOfWhom(response.status)})`);
  }
}
