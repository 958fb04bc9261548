import { splitUserinfo } from './nats-util';

/** Credentials written in a server URL (`nats://user:pass@host`, or `nats://token@host`). */
export interface UrlCredentials {
  readonly user?: string;
  readonly pass?: string;
  readonly token?: string;
}

const OPTION = 'express-sqlite-sync: `transport.nats.servers`';
const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
/** A host nats.js can connect to: a name or an IPv4 address (letters of any script, digits, `.`, `_`, `-`), or an IPv6 address in brackets. */
const HOST = /^(?:\[[0-9a-f:.]+\]|[\p{L}\p{N}._-]+)$/iu;

/** A user name or password from a URL, percent-decoded. @throws TypeError for a `%` that starts no escape (write it as `%25`) */
function decodeCredential(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new TypeError(`${OPTION}: the user or password in the URL holds a "%" that is not an escape; write "%" as %25 (or give \`user\` and \`pass\` as options)`);
  }
}

/** The credentials of a URL's user information (`user:pass`, or a token alone), percent-decoded. */
function credentialsOf(userinfo: string | undefined): UrlCredentials | undefined {
  if (userinfo === undefined || userinfo === '' || userinfo === ':') return undefined;
  const colon = userinfo.indexOf(':');
  const user = decodeCredential(colon < 0 ? userinfo : userinfo.slice(0, colon));
  const pass = colon < 0 ? '' : decodeCredential(userinfo.slice(colon + 1));
  return pass === '' ? { token: user } : { user, pass };
}

/** `decodeURIComponent`, or undefined for a `%` that starts no escape. */
function decoded(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/**
 * Refuses an entry written in quotes or holding a blank (checked on the whole entry,
 * quoted without its credentials).
 */
function refuseQuotesAndBlanks(entry: string): void {
  if (/^["'`]|["'`]$/.test(entry)) {
    const inner = splitUserinfo(entry.replace(/^["'`]+|["'`]+$/g, '')).rest;
    throw new TypeError(`${OPTION}: ${JSON.stringify(inner)} is written in quotes, which would be read as part of the URL; remove them (a .env file or a shell script may have kept them in the value)`);
  }
  if (/\s/.test(entry)) {
    const { rest } = splitUserinfo(entry);
    const shown = /\s/.test(rest) ? ` ${JSON.stringify(rest)}` : ''; // a blank inside the credentials: the entry is not quoted
    throw new TypeError(`${OPTION}: an entry${shown} holds a blank (a space, a tab or a line break); write each URL without one (a blank in a password as %20), and separate servers with commas ("nats://10.0.0.1:4222,nats://10.0.0.2:4222")`);
  }
}

/** Refuses a URL without a host nats.js can connect to, with port 0, or with a path, query or fragment (nats.js reads only the host and the port). */
function refuseWhereNoServerAnswers(rest: string, url: URL): void {
  const shown = JSON.stringify(rest);
  if (url.hostname === '') throw new TypeError(`${OPTION}: ${shown} has no host; write nats://host:4222`);
  if (!HOST.test(decoded(url.hostname) ?? '%')) throw new TypeError(`${OPTION}: ${shown} has no host name or IP address a client can connect to (host ${JSON.stringify(url.hostname)}); write nats://host:4222`);
  if (url.port === '0') throw new TypeError(`${OPTION}: ${shown} names port 0, where no server listens; write the server's port (nats://host:4222)`);
  const extra = [url.pathname !== '' && url.pathname !== '/' ? 'a path' : '', url.search === '' ? '' : 'a query', url.hash === '' ? '' : 'a fragment'].filter((part) => part !== '');
  if (extra.length > 0) {
    throw new TypeError(`${OPTION}: ${SCHEME.test(rest) ? '' : 'read as nats://, '}${JSON.stringify(rest.split(/[?#]/)[0])} has ${extra.join(' and ')}, which the NATS client ignores; write only the scheme, host and port: nats://host:4222`);
  }
}

/** One server URL checked: what the client is given (without credentials), and the credentials it carried. */
function checkServer(entry: string): { readonly server: string; readonly credentials: UrlCredentials | undefined } {
  refuseQuotesAndBlanks(entry);
  const { userinfo, rest } = splitUserinfo(entry);
  const url = SCHEME.test(rest) ? rest : `nats://${rest}`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    if (/^[a-z][a-z0-9+.-]*:\/\/(?::\d*)?(?:[/?#]|$)/i.test(url)) throw new TypeError(`${OPTION}: ${JSON.stringify(rest)} has no host; write nats://host:4222`);
    throw new TypeError(`${OPTION}: ${JSON.stringify(rest)} is not a URL; write nats://host:4222`);
  }
  if (!['nats:', 'tls:'].includes(parsed.protocol)) {
    throw new TypeError(`${OPTION}: ${rest} must use nats:// or tls:// (the client speaks the NATS protocol over TCP; ws:// and wss://, NATS over WebSocket, are not supported: use the server's client port, 4222 by default)`);
  }
  refuseWhereNoServerAnswers(rest, parsed);
  return { server: rest, credentials: credentialsOf(userinfo) };
}

/**
 * The server URLs without their credentials (nats.js does not read them from
 * a URL, and they must never reach `/status` or a log), and the credentials
 * they carried. Refuses, naming the option and the fix and never quoting a
 * credential, what no NATS server answers at: no host, quotes, a blank, a
 * scheme other than nats:// or tls://, port 0, a path, query or fragment.
 * @throws TypeError for a value that is not one or more NATS URLs
 */
export function checkServers(value: unknown): { readonly servers: readonly string[]; readonly credentials: UrlCredentials | undefined } {
  const list: unknown[] = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? (value as unknown[]) : [];
  const entries = list.map((entry) => (typeof entry === 'string' ? entry.trim() : '')).filter((entry) => entry !== '');
  if (entries.length === 0 || entries.length !== list.length) {
    throw new TypeError(`${OPTION} must be a NATS URL or a list of them, e.g. "nats://127.0.0.1:4222"`);
  }
  let credentials: UrlCredentials | undefined;
  const servers = entries.map((entry) => {
    const checked = checkServer(entry);
    const found = checked.credentials;
    if (found !== undefined) {
      if (credentials !== undefined && JSON.stringify(credentials) !== JSON.stringify(found)) {
        throw new TypeError(`${OPTION} carry different credentials; give one user and password (or \`user\`/\`pass\`)`);
      }
      credentials = found;
    }
    return checked.server;
  });
  return { servers, credentials };
}
