import { isIP } from 'node:net';
import path from 'node:path';
import { domainToASCII } from 'node:url';
import { clockSkewMsFromText, DEFAULTS, hasHiddenCharacter, MAX_CLOCK_SKEW_MS, normalizePeerUrl } from '../index';
import { HOME_HINT } from './named-files';

// The sample app's variables that hold a value (a number, a name, a list, a path): each read and checked
// at start, its error naming the variable.

/** `PORT`: 0-65535, decimal digits only; 5000 when unset or empty. */
export function readPort(value: string | undefined): number {
  if (value === undefined || value === '') return 5000;
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN; // decimal digits only: "0x1F90" or "8e3" is a typo, not a port
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new RangeError(`PORT must be 0-65535, got ${JSON.stringify(value)}`);
  return port;
}

/**
 * A host name as a resolver takes one: labels of letters, digits and inner hyphens (RFC 1123) or underscores
 * (Docker Compose's container names, `scouting_app_1`, and `/etc/hosts` entries resolve with them), dot-separated; `0` too.
 */
const HOST_NAME = /^(?=.{1,253}\.?$)[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)*\.?$/;

/** What `domainToASCII` would drop or take silently: blanks, controls, invisible and default-ignorable code points (a soft hyphen, a zero-width space). */
const UNSEEN_IN_NAME = /[\s\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]/u;
/**
 * An ASCII character no host name holds (`/`, `?`, `#`, `\\`, `@`, `:` …): `domainToASCII` parses its input as a
 * URL's host and stops at a path, query or fragment (`localhost/bücher` would be `localhost`).
 */
const NOT_IN_HOST_NAME = /[^\P{ASCII}A-Za-z0-9_.-]/u;
/** A label of a name outside ASCII that starts or ends with a hyphen (`domainToASCII` does not check it). */
const HYPHEN_AT_LABEL_END = /(?:^|[.\u3002\uff0e\uff61])-|-(?:$|[.\u3002\uff0e\uff61])/;

/**
 * An internationalized host name (`bücher.example`) in the ASCII form a resolver takes (`xn--bcher-kva.example`),
 * by `url.domainToASCII`; undefined for a name that is all ASCII, that it cannot convert, that holds what it would
 * drop without a word (a blank, a zero-width space, a soft hyphen) or an ASCII character no host name holds (it
 * would cut the name there: {@link NOT_IN_HOST_NAME}), or whose form is no host name.
 */
function asciiHostName(host: string): string | undefined {
  if (!/[^\p{ASCII}]/u.test(host) || UNSEEN_IN_NAME.test(host) || NOT_IN_HOST_NAME.test(host) || HYPHEN_AT_LABEL_END.test(host)) return undefined;
  const ascii = domainToASCII(host);
  return ascii !== '' && HOST_NAME.test(ascii) ? ascii : undefined;
}

/**
 * `HOST`: an IP address or a host name to listen on; undefined (all interfaces) when unset or blank. An
 * internationalized name (`bücher.example`) is returned in its ASCII form (`xn--bcher-kva.example`).
 * Whether this machine has that address is seen when it listens (`checkListenAddress`).
 * @throws TypeError for a value that is neither (a URL, `host:port`, a bracketed IPv6 address, words, a name outside ASCII `url.domainToASCII` cannot convert), naming the fix
 */
export function readHost(value: string | undefined): string | undefined {
  const host = orNone(value);
  if (host === undefined || isIP(host) !== 0 || HOST_NAME.test(host)) return host;
  const ascii = asciiHostName(host);
  if (ascii !== undefined) return ascii;
  const fix = /^[a-z][a-z0-9+.-]*:\/\//i.test(host)
    ? 'HOST is an address, not a URL: give the address alone (the scheme comes from TLS_CERT/TLS_KEY, the port from PORT)'
    : /^\[.*\]$/.test(host)
      ? 'write an IPv6 address without the brackets'
      : /^[^:]+:\d*$/.test(host)
        ? 'give the port in PORT, not in HOST'
        : 'give an address of this machine (127.0.0.1, 0.0.0.0, its LAN address) or its host name, or leave HOST unset for all interfaces';
  throw new TypeError(`HOST=${JSON.stringify(host)} is not an IP address nor a host name: ${fix}`);
}

/** The levels pino knows. */
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

/** `LOG_LEVEL` as the library reads it: a pino level in any case; `info` when unset or empty. */
export function readLogLevel(value: string | undefined): string {
  if (value === undefined || value === '') return 'info';
  const level = value.toLowerCase();
  if (!LOG_LEVELS.includes(level)) throw new RangeError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got ${JSON.stringify(value)}`);
  return level;
}

/**
 * `DATA_DIR` as a full path: unset or blank is `./data`, as for the other variables.
 * @throws TypeError for a path starting with `~` or holding `$NAME`, which no shell expanded (it would make a folder named `~` or `$NAME` here), or for the top of the file system
 */
export function readDataDir(value: string | undefined): string {
  if (value === undefined || value.trim() === '') return path.resolve('./data');
  if (value.startsWith('~')) throw new TypeError(`DATA_DIR=${JSON.stringify(value)}: ${HOME_HINT}`);
  // `$HOME/data` from a service unit or an env file: taken as it is, it made a folder named `$HOME` here.
  if (/\$\{?[A-Za-z_]/.test(value)) {
    throw new TypeError(`DATA_DIR=${JSON.stringify(value)}: "$" names a variable only to a shell, and none read this value (a .env file, a service unit): write the full path`);
  }
  const resolved = path.resolve(value);
  // `$EVENT_DIR/` with the variable unset in a script: the app would make instance/, uploads/… at the top of the disk.
  if (path.dirname(resolved) === resolved) {
    throw new TypeError(`DATA_DIR=${JSON.stringify(value)} is the top of the file system (${resolved}), not a data folder (a variable before it left unset?): name the app's own folder, e.g. /srv/scouting/data`);
  }
  return resolved;
}

/**
 * What to say of a `SYNC_PEERS` entry that is several URLs separated by something else than a comma (`;`, a blank, a
 * line break, as a list copied from a document or another tool's setting is): undefined for anything else. The library
 * saw one URL holding a space (or "not a URL") and said to type it again without it.
 */
function otherSeparator(entry: string): string | undefined {
  const parts = entry.split(/[;\s]+/).filter((part) => part !== '');
  // One holding a user, a query or a fragment is left to the library's message, which never repeats what may be a secret.
  if (parts.length < 2 || !parts.every((part) => /^https?:\/\/[^/@?#]+(?:\/[^@?#]*)?$/i.test(part))) return undefined;
  const separator = /;/.test(entry) ? '";"' : 'blanks';
  return `SYNC_PEERS entry ${JSON.stringify(entry)} holds ${parts.length} URLs separated by ${separator}: separate peers with commas (SYNC_PEERS=${parts.join(',')})`;
}

/** `SYNC_PEERS`: comma-separated URLs; a URL without a path points at that server's `/api/sync` (the library's rule); a peer named twice is listed once. */
export function readPeers(value: string | undefined): string[] {
  if (value === undefined || value.trim() === '') return [];
  const peers = value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '')
    .map((entry) => {
      try {
        return normalizePeerUrl(entry, 'SYNC_PEERS entry');
      } catch (error) {
        const listed = otherSeparator(entry);
        if (listed !== undefined) throw new TypeError(listed, { cause: error });
        throw new TypeError(`${(error as Error).message.replace(/^express-sqlite-sync: /, '')} (comma-separated for several)`, { cause: error });
      }
    });
  return [...new Set(peers)];
}

/** Node's longest timer (2^31 − 1 ms, about 24.8 days): a longer one fires at once, the library refuses it. */
const MAX_INTERVAL_MS = 2_147_483_647;

/** `SYNC_INTERVAL_MS`: from the library's floor to Node's longest timer; 30000 when unset or empty. */
export function readInterval(value: string | undefined): number {
  if (value === undefined || value === '') return 30_000;
  const interval = /^\d{1,15}$/.test(value) ? Number(value) : Number.NaN;
  // The library's floor: below it `start()` would sync at 1000 ms while the banner said otherwise.
  if (!Number.isSafeInteger(interval) || interval < DEFAULTS.minSyncIntervalMs || interval > MAX_INTERVAL_MS) {
    throw new RangeError(
      `SYNC_INTERVAL_MS is in milliseconds: an integer of at least ${DEFAULTS.minSyncIntervalMs} and at most ${MAX_INTERVAL_MS} (about 24.8 days), got ${JSON.stringify(value)} (write 30000 for 30 s)`,
    );
  }
  return interval;
}


/** `SYNC_MAX_CLOCK_SKEW_MS`: milliseconds, 0 to 100 years; undefined (the library's 5 minutes) when unset or empty. */
export function readMaxClockSkew(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  const skew = clockSkewMsFromText(value);
  if (skew === undefined) {
    throw new RangeError(`SYNC_MAX_CLOCK_SKEW_MS is in milliseconds: an integer of 0 to ${MAX_CLOCK_SKEW_MS} (100 years), got ${JSON.stringify(value)} (write 3600000 for an hour)`);
  }
  return skew;
}

/** A value, trimmed; undefined when unset or blank. */
export const orNone = (value: string | undefined): string | undefined => (value === undefined || value.trim() === '' ? undefined : value.trim());

/**
 * `SYNC_NAME`: this server's name for people, 1-100 characters without control characters, invisible or
 * text-direction marks (the library's rule for `name`, checked here so the start names SYNC_NAME before anything is written);
 * unset or blank for none.
 */
export function readName(value: string | undefined): string | undefined {
  const name = value?.trim() ?? '';
  if (name === '') return undefined;
  if (name.length > 100 || hasHiddenCharacter(name)) {
    throw new RangeError(`SYNC_NAME must be 1-100 characters without control characters, invisible or text-direction marks, got ${JSON.stringify(value)}`);
  }
  return name;
}
