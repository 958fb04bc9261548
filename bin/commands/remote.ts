import { readFileSync } from 'node:fs';
import { normalizePeerUrl } from '../../lib/peers/client-options';
import { printable } from '../../lib/peers/peer-answer';
import { isPrivateKeyInstead, PEM_CERTIFICATE, unreadableCertificate } from '../../lib/peers/pem-certificates';
import { PeerHttp } from '../../lib/peers/peer-http';
import { SyncError } from '../../lib/sync-error';

/** Options every remote command takes. */
export interface RemoteOptions {
  readonly url: string;
  readonly token: string | undefined;
  /** Milliseconds without data before giving up (checked by the command line). */
  readonly timeout: number;
  /** A PEM file with the CA certificate of a server with a self-signed certificate (default: `$SYNC_PEER_CA`). */
  readonly ca?: string;
}

/**
 * The token of `--token`, or `SYNC_TOKEN`: the characters an `Authorization` header carries
 * (visible ASCII, no space), the rule servers apply to their tokens.
 * @throws SyncError `NO_TOKEN` (400) when neither is given, or `--token` is empty; `BAD_TOKEN` (400) for one no header can carry
 */
export function tokenOf(given: string | undefined): string {
  // `--token "$TOKEN"` with TOKEN unset: said as it is, SYNC_TOKEN set or not (it is not used in place of what was typed).
  if (given === '') throw new SyncError('NO_TOKEN', 400, '--token is empty (an unset shell variable?): pass the token, or leave --token out to use SYNC_TOKEN');
  const token = given ?? process.env.SYNC_TOKEN;
  if (token === undefined || token === '') throw new SyncError('NO_TOKEN', 400, 'no token: pass --token or set SYNC_TOKEN');
  const headerSafe = /^[\x21-\x7e]+$/;
  if (!headerSafe.test(token)) {
    const from = given === undefined ? 'SYNC_TOKEN' : '--token';
    if (headerSafe.test(token.trim())) {
      const where = /[\r\n]\s*$/.test(token) ? 'ends with a line break (read from a file with its newline?)' : 'starts or ends with a space';
      throw new SyncError('BAD_TOKEN', 400, `${from} ${where}: remove it, no Authorization header can carry it`);
    }
    throw new SyncError('BAD_TOKEN', 400, `${from} holds a space, a control character or a character outside ASCII, which no Authorization header can carry; pass the servers' token exactly (quote it in the shell)`);
  }
  return token;
}

/**
 * The CA certificate of `--ca` or `SYNC_PEER_CA`, if either is given and `url` is an `https://` one: for an
 * `http://` URL no certificate is checked, so `SYNC_PEER_CA` (set once for every server) is not read at all, and
 * a missing or broken one stops no plain-HTTP command (`--ca` with such a URL is refused by {@link refuseCaForPlainHttp}).
 * @param url - the normalized URL of the server asked
 * @throws SyncError `BAD_CA` (400) for a file that cannot be read, holds no PEM certificate, or one that cannot be read (cut short)
 */
export function caOf(given: string | undefined, url: string): Buffer | undefined {
  if (!url.startsWith('https://')) return undefined;
  const file = given ?? (process.env.SYNC_PEER_CA === '' ? undefined : process.env.SYNC_PEER_CA);
  if (file === undefined) return undefined;
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (error) {
    throw new SyncError('BAD_CA', 400, `cannot read the CA certificate ${file} (--ca or SYNC_PEER_CA): ${(error as Error).message}`);
  }
  if (isPrivateKeyInstead(pem.toString('latin1'))) {
    throw new SyncError('BAD_CA', 400, `${file} (--ca or SYNC_PEER_CA) holds a private key, not a certificate: give the server's CA certificate (for a self-signed server, its certificate file), never a key`);
  }
  if (!pem.includes(PEM_CERTIFICATE)) throw new SyncError('BAD_CA', 400, `${file} (--ca or SYNC_PEER_CA) holds no PEM certificate`);
  const unreadable = unreadableCertificate(pem);
  if (unreadable !== undefined) throw new SyncError('BAD_CA', 400, `${file} (--ca or SYNC_PEER_CA): ${unreadable} Copy the CA certificate's file as it is`);
  return pem;
}

/**
 * Refuses `--ca` with an `http://` URL: nothing would be checked with the CA,
 * and the token would travel unencrypted while the operator meant TLS.
 * (`SYNC_PEER_CA`, set once for every server, is simply not used for one.)
 * @param url - the normalized URL of `option`
 * @throws SyncError `BAD_USAGE` (400)
 */
export function refuseCaForPlainHttp(url: string, ca: string | undefined, option: string): void {
  if (ca === undefined || !url.startsWith('http://')) return;
  throw new SyncError('BAD_USAGE', 400, `--ca is given, but ${option} is an http:// URL: no certificate would be checked and the token would travel unencrypted; use https:// (or leave --ca out for a plain-HTTP server)`);
}

/**
 * A server URL as the command line takes it (`--url`, `--from`).
 * @throws SyncError `BAD_URL` (400) for one that is not http(s) or carries a query
 */
export function serverUrlOf(url: string, option: string): string {
  try {
    return normalizePeerUrl(url, option);
  } catch (error) {
    throw new SyncError('BAD_URL', 400, (error as Error).message.replace(/^express-sqlite-sync: /, ''));
  }
}

/**
 * A client for the server named by `--url` (its sync router's base URL; a
 * URL without a path means its `/api/sync`, as in `peers` and `SYNC_PEERS`)
 * with `--token` or `SYNC_TOKEN`, trusting `--ca` or `SYNC_PEER_CA`.
 * @param paced - the answer is one the server paces (`POST /run?stream=ndjson`: a line per step, repeated every
 * 10 s), where a few bytes in a timeout are progress; any other answer that drips (under 1 KiB per timeout) is `PEER_TIMEOUT`
 * @throws SyncError `NO_TOKEN`, `BAD_URL`, `BAD_CA`, `BAD_USAGE` (`--ca` with an `http://` URL) (400)
 */
export function remoteServer(options: RemoteOptions, paced = false): PeerHttp {
  // The URL first: a token put in it (`http://<token>@host`, `?token=`) is named as such, not as "no token".
  const url = serverUrlOf(options.url, '--url');
  const token = tokenOf(options.token);
  refuseCaForPlainHttp(url, options.ca, '--url');
  return new PeerHttp({ url, token }, { peerTimeoutMs: options.timeout, peerCa: caOf(options.ca, url), ...(paced ? { minAnswerBytes: 0 } : {}) });
}

/**
 * Text-direction controls (U+200E, U+200F, U+061C, U+202A–U+202E, U+2066–U+2069): in a server's text
 * (a peer's name, a message) one turns the rest of the terminal's line around, or makes a name read as another.
 */
const DIRECTION_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * A server's answer made safe for a terminal, line by line: control characters (escape sequences,
 * carriage returns) and text-direction controls replaced.
 */
export function printableLines(text: string): string {
  return text
    .split('\n')
    .map((line) => printable(line.replace(DIRECTION_CONTROLS, '\ufffd'), 10_000))
    .join('\n');
}

/** A server's text on one line: a line break in it (CR, LF, U+2028, U+2029) cannot pass for a line of ours. */
export function oneLine(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]+/g, ' ');
}
