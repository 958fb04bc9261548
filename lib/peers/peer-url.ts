/* Peer URLs as every entry point reads them: `peers`, `SYNC_PEERS`, the CLI, `syncPeer`, `confirmDeletions`. */

import { quotedName } from '../files/database-refusal';
import { HEADER_SAFE_TOKEN } from '../token-rules';

/** The path a peer URL without one points at: where the sample app and the README mount the router. */
export const DEFAULT_SYNC_PATH = '/api/sync';

/**
 * A peer's sync API URL, as every entry point reads it (`peers`,
 * `SYNC_PEERS`, the CLI's `--url`): a URL without a path (`http://10.0.0.2:5000`)
 * means that server's `/api/sync`, as does one whose path is only slashes
 * (`http://10.0.0.2:5000//`); trailing `/`s are dropped, and so are spaces, tabs and line
 * breaks around it. The address of one of the router's own pages (its status page `…/ui`,
 * `…/status`, `…/metrics`), copied from a browser or the sample app's banner, is refused, naming the sync API's URL.
 * @param where - what to name in the error, e.g. "peer" or "--url"
 * @throws TypeError when it is not a string, not an http(s) URL, holds a blank or an invisible character (a no-break or zero-width space), or ends in the router's `/ui`, `/status` or `/metrics`
 */
export function normalizePeerUrl(given: string, where = 'peer'): string {
  if (typeof given !== 'string') throw new TypeError(`express-sqlite-sync: ${where} must be a URL string such as http://host:port, got ${given === null ? 'null' : typeof given}`);
  const input = given.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, ''); // as a copy from a chat, a terminal or an env file leaves it
  refuseBlanksInside(input, where);
  // `http:///api/sync` (the host left out) parses with the host "api": every round would fail with ENOTFOUND, naming the wrong problem.
  if (/^https?:\/\/[/\\]/i.test(input)) throw new TypeError(`express-sqlite-sync: ${where} ${shownUrl(input)} names no host (nothing between "//" and the path): write it as http://host:port`);
  let url: URL;
  try {
    if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(input)) throw new TypeError('no scheme'); // `host:5000` would parse with the scheme "host:"
    url = new URL(input);
  } catch {
    throw new TypeError(`express-sqlite-sync: ${where} ${JSON.stringify(shownUrl(input))} is not a URL; write it as http://host:port (meaning its ${DEFAULT_SYNC_PATH}) or http://host:port/<sync path>`);
  }
  const shown = shownUrl(input);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`express-sqlite-sync: ${where} ${shown} must use http or https`);
  if (url.port === '0') throw new TypeError(`express-sqlite-sync: ${where} ${shown} names port 0, where no server listens: write the port the peer's app listens on (its PORT)`);
  if (url.username !== '' || url.password !== '') {
    throw new TypeError(`express-sqlite-sync: ${where} ${shown} carries a user name or password, which sync never sends (peers prove themselves with the sync token): remove the "user:password@" part`);
  }
  if (url.search !== '' || url.hash !== '') throw new TypeError(`express-sqlite-sync: ${where} ${shown} must not carry a query or a fragment (a token never goes in the URL: peers are sent it in the Authorization header)`);
  const pathname = url.pathname.replace(/\/+$/, ''); // `http://host:5000//` has no path either: never the server's root
  refusePageOfRouter(url.origin, pathname, shown, where);
  return `${url.origin}${pathname === '' ? DEFAULT_SYNC_PATH : pathname}`;
}

/**
 * A path that ends in one of the sync router's own pages rather than at the router: its status page
 * (`/ui`, and the two files it loads, `/ui/status.js` and `/ui/status.css`, as routes/status-page.ts serves them),
 * `/status` or `/metrics`. The sample app's banner and the README show `http://host:port/api/sync/ui`; pasted
 * as a peer, every round failed with "no sync endpoint GET /ui/data/info". In any case, as Express matches
 * routes (`…/UI` is the status page too); any other name below `/ui` is no page of the router (a router
 * mounted at `/ui/sync` is taken).
 */
const PAGE_OF_ROUTER = /\/(?:ui(?:\/status\.(?:js|css))?|status|metrics)$/i;

/**
 * Refuses the URL of the sync router's status page, `/status` or `/metrics` where its sync API is
 * meant, naming the URL to write instead.
 * @throws TypeError
 */
function refusePageOfRouter(origin: string, pathname: string, shown: string, where: string): void {
  const page = PAGE_OF_ROUTER.exec(pathname);
  if (page === null) return;
  const base = pathname.slice(0, page.index);
  const what = page[0].toLowerCase().startsWith('/ui') ? 'the status page' : `the sync API's ${page[0]}`;
  const fix = base === '' || base === DEFAULT_SYNC_PATH ? `${origin}${DEFAULT_SYNC_PATH} (or just ${origin})` : `${origin}${base}`;
  throw new TypeError(`express-sqlite-sync: ${where} ${shown} is the address of ${what}, not of the sync API itself: write ${fix}`);
}

/** Names of the blanks and invisible characters a copy brings along most often. */
const CHARACTER_NAMES: Readonly<Record<string, string>> = { '\u00a0': 'a no-break space', '\u200b': 'a zero-width space', '\u200c': 'a zero-width non-joiner', '\u200d': 'a zero-width joiner', '\u2060': 'a word joiner', '\ufeff': 'a byte order mark', '\u202f': 'a narrow no-break space' };

/** Any blank (a space, a tab, a line break, a no-break space) or a character that shows as nothing (a zero-width space, a control, a direction mark). */
const BLANK_OR_UNSEEN = /[\s\p{Cc}\p{Cf}\p{Zs}\p{Zl}\p{Zp}\p{Default_Ignorable_Code_Point}]/u;

const BLANK_OR_UNSEEN_ALL = new RegExp(BLANK_OR_UNSEEN.source, 'gu');

/**
 * True for a zero-width non-joiner or joiner (U+200C, U+200D) in the host of a URL the URL parser
 * takes: part of an internationalized name in a script that writes them (`http://نامه‌ای.ir`, whose
 * ASCII form is `xn--mgba3gch31f060k.ir`), which the parser checks (CheckJoiners) and keeps.
 */
function isJoinerOfHost(input: string, index: number): boolean {
  if (input[index] !== '\u200c' && input[index] !== '\u200d') return false;
  const hostStart = input.indexOf('//') + 2;
  const hostEnd = input.slice(hostStart).search(/[/?#:]/);
  if (hostStart < 2 || index < hostStart || (hostEnd >= 0 && index >= hostStart + hostEnd)) return false;
  return URL.canParse(input);
}

/**
 * Refuses a URL holding a blank or an invisible character once the blanks around it are dropped:
 * copied from a chat or a document, a no-break or zero-width space made it "not a URL" (shown with
 * the character unseen in the message), or went into its path ("no API route"). Named escaped, with
 * where it stands (1 for the first character).
 * @throws TypeError naming the character
 */
function refuseBlanksInside(input: string, where: string): void {
  const found = [...input.matchAll(BLANK_OR_UNSEEN_ALL)].find((match) => !isJoinerOfHost(input, match.index));
  if (found === undefined) return;
  const character = found[0];
  const code = (character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0');
  const what = character === ' ' ? 'a space' : `an invisible character (U+${code}${CHARACTER_NAMES[character] === undefined ? '' : `, ${CHARACTER_NAMES[character]}`})`;
  const position = [...input.slice(0, found.index)].length + 1;
  throw new TypeError(`express-sqlite-sync: ${where} ${quotedName(shownUrl(input))} holds ${what} at character ${position}, as a copy from a chat or a document leaves: type the URL again without it`);
}

/**
 * The key a client knows a peer by, for `syncPeer`: a known key (a peer's URL,
 * a transport's name) as is, else the URL read as `peers` are read
 * (`http://host:port` means its `/api/sync`); what is not a URL, as given.
 * @throws TypeError for a value that is not a string
 */
export function peerKeyOf(url: unknown, isKnown: (key: string) => boolean): string {
  if (typeof url !== 'string') throw new TypeError(`express-sqlite-sync: syncPeer takes a peer URL (or a transport's name), got ${url === null ? 'null' : typeof url}`);
  if (isKnown(url)) return url;
  try {
    return normalizePeerUrl(url);
  } catch {
    return url;
  }
}

/**
 * A URL as an error may show it: credentials in it (`user:secret@`, `secret@`, with or without a scheme)
 * replaced by `***`, and its query and fragment by `?…` (`?token=…` is where a token is put by habit;
 * the message reaches logs and terminals).
 */
function shownUrl(input: string): string {
  // Up to the last `@` before a query or fragment, whatever slashes come first (`http:///user:secret@host`, `http:/\\user:pw@host`).
  return input.replace(/^([A-Za-z][A-Za-z0-9+.-]*:[/\\]*)?[^?#]*@/, '$1***@').replace(/[?#][\s\S]*$/, '?…');
}

/** A peer with its own token: `{ url, token }` (a peer given as a bare URL is reached with the client's `token`). */
export interface PeerEntry {
  /** The peer's sync API, read as a bare URL is (`http://host:port` means its `/api/sync`). */
  readonly url: string;
  /** The token sent to this peer instead of the client's `token`. @defaultValue the client's `token` */
  readonly token?: string;
}

/**
 * The peers' URLs, normalized, and the tokens of those given as `{ url, token }`.
 * @throws TypeError for a peer that is neither a URL string nor `{ url, token? }` (another key, a token that is not a non-empty string, or the same URL twice with two tokens); RangeError for a token no header carries
 */
export function checkPeerEntries(value: unknown): { readonly urls: readonly string[]; readonly tokens: ReadonlyMap<string, string> } {
  if (!Array.isArray(value)) throw new TypeError('express-sqlite-sync: `peers` must be an array of URLs (or of { url, token })');
  const tokens = new Map<string, string>();
  const urls = value.map((peer: unknown) => {
    if (typeof peer === 'string') return normalizePeerUrl(peer);
    if (typeof peer !== 'object' || peer === null || Array.isArray(peer)) throw new TypeError('express-sqlite-sync: every peer must be a URL string, or { url, token }');
    const other = Object.keys(peer).find((key) => key !== 'url' && key !== 'token');
    if (other !== undefined) throw new TypeError(`express-sqlite-sync: a peer { url, token } has no key ${JSON.stringify(other).slice(0, 80)}`);
    const { url, token } = peer as Record<string, unknown>;
    if (typeof url !== 'string') throw new TypeError('express-sqlite-sync: a peer { url, token } needs `url`, a URL string');
    const key = normalizePeerUrl(url);
    if (token === undefined) return key;
    if (typeof token !== 'string' || token === '') throw new TypeError(`express-sqlite-sync: the token of peer ${key} must be a non-empty string`);
    if (!HEADER_SAFE_TOKEN.test(token)) {
      throw new RangeError(`express-sqlite-sync: the token of peer ${key} holds a space, a control character or a character outside ASCII, which no Authorization header can carry; use letters, digits and punctuation (for example \`openssl rand -hex 32\`)`);
    }
    if (tokens.has(key) && tokens.get(key) !== token) throw new TypeError(`express-sqlite-sync: peer ${key} is given twice, with two tokens`);
    tokens.set(key, token);
    return key;
  });
  return { urls, tokens };
}
