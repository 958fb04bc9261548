/* Peer URLs as every entry point reads them: `peers`, `SYNC_PEERS`, the CLI, `syncPeer`, `confirmDeletions`. */

/** The path a peer URL without one points at: where the sample app and the README mount the router. */
export const DEFAULT_SYNC_PATH = '/api/sync';

/**
 * A peer's sync API URL, as every entry point reads it (`peers`,
 * `SYNC_PEERS`, the CLI's `--url`): a URL without a path (`http://10.0.0.2:5000`)
 * means that server's `/api/sync`; a trailing `/` is dropped.
 * @param where - what to name in the error, e.g. "peer" or "--url"
 * @throws TypeError when it is not a string, or not an http(s) URL
 */
export function normalizePeerUrl(input: string, where = 'peer'): string {
  if (typeof input !== 'string') throw new TypeError(`express-sqlite-sync: ${where} must be a URL string such as http://host:port, got ${input === null ? 'null' : typeof input}`);
  let url: URL;
  try {
    if (!/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(input)) throw new TypeError('no scheme'); // `host:5000` would parse with the scheme "host:"
    url = new URL(input);
  } catch {
    throw new TypeError(`express-sqlite-sync: ${where} ${JSON.stringify(withoutPassword(input))} is not a URL; write it as http://host:port (meaning its ${DEFAULT_SYNC_PATH}) or http://host:port/<sync path>`);
  }
  const shown = withoutPassword(input);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`express-sqlite-sync: ${where} ${shown} must use http or https`);
  if (url.username !== '' || url.password !== '') {
    throw new TypeError(`express-sqlite-sync: ${where} ${shown} carries a user name or password, which sync never sends (peers prove themselves with the sync token): remove the "user:password@" part`);
  }
  if (url.search !== '' || url.hash !== '') throw new TypeError(`express-sqlite-sync: ${where} ${shown} must not carry a query or a fragment`);
  return url.pathname === '/' ? `${url.origin}${DEFAULT_SYNC_PATH}` : `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
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

/** A URL as an error may show it: credentials in it (`user:secret@`, `secret@`, with or without a scheme) are replaced by `***`. */
function withoutPassword(input: string): string {
  return input.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)?[^@/?#]*@/, '$1***@');
}
