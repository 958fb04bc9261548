import { splitUserinfo } from './nats-util';

/** Credentials written in a server URL (`nats://user:pass@host`, or `nats://token@host`). */
export interface UrlCredentials {
  readonly user?: string;
  readonly pass?: string;
  readonly token?: string;
}

/** Which rule refused a `transport.nats.servers` value (see {@link NatsServersError}). */
export type NatsServersProblem = 'not-a-list' | 'quotes' | 'blank' | 'not-a-url' | 'no-host' | 'bad-host' | 'scheme' | 'port-0' | 'path' | 'bad-escape' | 'two-credentials';

/**
 * The TypeError a `transport.nats.servers` value is refused with. Its message names the option
 * and the fix, never a credential; `problem` says which rule refused it, for an app that words
 * the refusal for its own setting (the sample app's `SYNC_NATS_URL`).
 */
export class NatsServersError extends TypeError {
  /** Which rule refused the value. */
  readonly problem: NatsServersProblem;
  /** The refused URL's scheme with its colon (`http:`, `ws:`), for `problem` `'scheme'`; undefined otherwise. */
  readonly scheme: string | undefined;

  /** @param scheme - the refused scheme, for `problem` `'scheme'` */
  constructor(message: string, problem: NatsServersProblem, scheme?: string) {
    super(message);
    this.problem = problem;
    this.scheme = scheme;
  }
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
    throw new NatsServersError(`${OPTION}: the user or password in the URL holds a "%" that is not an escape; write "%" as %25 (or give \`user\` and \`pass\` as options)`, 'bad-escape');
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
    throw new NatsServersError(`${OPTION}: ${JSON.stringify(inner)} is written in quotes, which would be read as part of the URL; remove them (a .env file or a shell script may have kept them in the value)`, 'quotes');
  }
  if (/\s/.test(entry)) {
    const { rest } = splitUserinfo(entry);
    const shown = /\s/.test(rest) ? ` ${JSON.stringify(rest)}` : ''; // a blank inside the credentials: the entry is not quoted
    throw new NatsServersError(`${OPTION}: an entry${shown} holds a blank (a space, a tab or a line break); write each URL without one (a blank in a password as %20), and separate servers with commas ("nats://10.0.0.1:4222,nats://10.0.0.2:4222")`, 'blank');
  }
}

/** Refuses a URL without a host nats.js can connect to, with port 0, or with a path, query or fragment (nats.js reads only the host and the port). */
function refuseWhereNoServerAnswers(rest: string, url: URL): void {
  const shown = JSON.stringify(rest);
  if (url.hostname === '') throw new NatsServersError(`${OPTION}: ${shown} has no host; write nats://host:4222`, 'no-host');
  // A number alone ("4222") is a host to the client, an IPv4 address in the old short form (0.0.16.126), never meant.
  if (/^\d+$/.test(url.hostname) && url.port === '') throw new NatsServersError(`${OPTION}: ${shown} is a port without a host (a number alone is read as a host name); write nats://host:${url.hostname}`, 'no-host');
  if (!HOST.test(decoded(url.hostname) ?? '%')) throw new NatsServersError(`${OPTION}: ${shown} has no host name or IP address a client can connect to (host ${JSON.stringify(url.hostname)}); write nats://host:4222`, 'bad-host');
  if (url.port === '0') throw new NatsServersError(`${OPTION}: ${shown} names port 0, where no server listens; write the server's port (nats://host:4222)`, 'port-0');
  const extra = [url.pathname !== '' && url.pathname !== '/' ? 'a path' : '', url.search === '' ? '' : 'a query', url.hash === '' ? '' : 'a fragment'].filter((part) => part !== '');
  if (extra.length > 0) {
    throw new NatsServersError(`${OPTION}: ${SCHEME.test(rest) ? '' : 'read as nats://, '}${JSON.stringify(rest.split(/[?#]/)[0])} has ${extra.join(' and ')}, which the NATS client ignores; write only the scheme, host and port: nats://host:4222`, 'path');
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
    if (/^[a-z][a-z0-9+.-]*:\/\/(?::\d*)?(?:[/?#]|$)/i.test(url)) throw new NatsServersError(`${OPTION}: ${JSON.stringify(rest)} has no host; write nats://host:4222`, 'no-host');
    throw new NatsServersError(`${OPTION}: ${JSON.stringify(rest)} is not a URL; write nats://host:4222`, 'not-a-url');
  }
  if (!['nats:', 'tls:'].includes(parsed.protocol)) {
    throw new NatsServersError(
      `${OPTION}: ${rest} must use nats:// or tls:// (the client speaks the NATS protocol over TCP; ws:// and wss://, NATS over WebSocket, are not supported: use the server's client port, 4222 by default)`,
      'scheme',
      parsed.protocol,
    );
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
 * @throws NatsServersError (a TypeError) for a value that is not one or more NATS URLs
 */
export function checkServers(value: unknown): { readonly servers: readonly string[]; readonly credentials: UrlCredentials | undefined } {
  const list: unknown[] = typeof value === 'string' ? value.split(',') : Array.isArray(value) ? (value as unknown[]) : [];
  const entries = list.map((entry) => (typeof entry === 'string' ? entry.trim() : '')).filter((entry) => entry !== '');
  if (entries.length === 0 || entries.length !== list.length) {
    throw new NatsServersError(`${OPTION} must be a NATS URL or a list of them, e.g. "nats://127.0.0.1:4222"`, 'not-a-list');
  }
  let credentials: UrlCredentials | undefined;
  const servers = entries.map((entry) => {
    const checked = checkServer(entry);
    const found = checked.credentials;
    if (found !== undefined) {
      if (credentials !== undefined && JSON.stringify(credentials) !== JSON.stringify(found)) {
        throw new NatsServersError(`${OPTION} carry different credentials; give one user and password (or \`user\`/\`pass\`)`, 'two-credentials');
      }
      credentials = found;
    }
    return checked.server;
  });
  return { servers, credentials };
}

/**
 * Checks NATS server URLs as `transport.nats.servers` is checked when a node is built, so an app
 * can refuse them at its own start, naming its own setting: the servers without their
 * credentials (safe to show), in the order given.
 * @param servers - one URL, a comma-separated string of them, or a list
 * @throws NatsServersError (a TypeError) naming `transport.nats.servers` and the fix, never a credential; its `problem` says which rule refused the value
 */
export function checkNatsServers(servers: string | readonly string[]): string[] {
  return [...checkServers(servers).servers];
}
