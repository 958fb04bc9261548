import { booleanOption, nonNegativeInteger, positiveInteger, refuseUnknownOptions } from '../option-checks';
import { SyncError } from '../sync-error';
import { checkPeerCa, checkPeerTimeoutMs } from './client-options';
import { describeFailure, rawFailure } from './peer-failure';
import { UNREACHABLE_CODES, UNTRUSTED_CERTIFICATE_CODES, WRONG_HOST_CERTIFICATE_CODE } from './failure-codes';

/** What `joinFromPeer` did. */
export interface JoinResult {
  /** The new database's own site id. */
  readonly siteId: string;
  /** The peer's site id. */
  readonly peerSite: string;
  /** The peer's seq the snapshot was complete up to. */
  readonly snapshotSeq: number;
  /** Size of the snapshot file. */
  readonly snapshotBytes: number;
  /** Rows pulled after the snapshot (written on the peer while it was taken and copied). */
  readonly rowsPulled: number;
  /** Why the pull after the snapshot failed, if it did: the database is in place and catches up at its first sync. */
  readonly pullError: { readonly code: string; readonly message: string } | undefined;
}

/** Options of `joinFromPeer`. */
export interface JoinOptions {
  /** The peer's sync API, e.g. `http://10.0.0.2:5000/api/sync` (`http://host:port` means its `/api/sync`). */
  readonly url: string;
  /** The shared token; none for a peer that runs without authentication. */
  readonly token?: string | undefined;
  /** The database file to create; it must not exist. */
  readonly db: string;
  /** Ask for a gzip-compressed snapshot (pays on links slower than about 50 MB/s). @defaultValue false */
  readonly gzip?: boolean;
  /** Milliseconds without progress before a request is abandoned, at most 2147483647 (Node's longest timer). @defaultValue `DEFAULTS.peerTimeoutMs` */
  readonly peerTimeoutMs?: number;
  /** Extra CA certificates (PEM) to trust, for a peer with a self-signed certificate. */
  readonly peerCa?: string | Buffer;
  /** Rows per page of the pull that follows. @defaultValue `DEFAULTS.syncPageSize` */
  readonly syncPageSize?: number;
  /** Told about each step: `snapshot` (bytes known), `pull` (rows so far). */
  readonly onProgress?: (step: 'snapshot' | 'pull', done: number) => void;
  /**
   * How far ahead of this machine's clock a clock in the snapshot or the pull may be (`CLOCK_SKEW`
   * beyond it): the value the new server will run with (the router's `maxClockSkewMs`).
   * @defaultValue `DEFAULTS.maxClockSkewMs` (5 minutes)
   */
  readonly maxClockSkewMs?: number;
}

/** How a join's messages name its peer URL and target: the options' names, or the CLI's flags. */
export interface JoinNames {
  readonly url: string;
  readonly db: string;
}

/** The names of `joinFromPeer`'s options, as its messages give them. */
export const JOIN_OPTION_NAMES: JoinNames = { url: '`url`', db: '`db`' };

/** Every option of `joinFromPeer`: anything else is a typo. */
const JOIN_OPTIONS: ReadonlySet<string> = new Set([
  'url', 'token', 'db', 'gzip', 'peerTimeoutMs', 'peerCa', 'syncPageSize', 'onProgress', 'maxClockSkewMs',
] satisfies (keyof JoinOptions)[]);

/**
 * Checks `joinFromPeer`'s options before anything is made or downloaded.
 * @throws TypeError naming the option: no options object, an unknown key, a wrong type
 * @throws RangeError for a number out of range
 */
export function checkJoinOptions(options: unknown): JoinOptions {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError('express-sqlite-sync: joinFromPeer needs an options object { url, token, db }');
  }
  refuseUnknownOptions(options, JOIN_OPTIONS, 'joinFromPeer');
  const given = options as Partial<Record<keyof JoinOptions, unknown>>;
  if (typeof given.url !== 'string') throw new TypeError(`express-sqlite-sync: joinFromPeer needs \`url\`, the peer's sync API (http://host:port/api/sync), got ${typeof given.url}`);
  if (typeof given.db !== 'string') throw new TypeError(`express-sqlite-sync: joinFromPeer needs \`db\`, the path of the database file to create, got ${typeof given.db}`);
  if (given.token !== undefined && typeof given.token !== 'string') throw new TypeError(`express-sqlite-sync: \`token\` must be a string (the shared sync token), got ${typeof given.token}`);
  if (given.onProgress !== undefined && typeof given.onProgress !== 'function') throw new TypeError(`express-sqlite-sync: \`onProgress\` must be a function, got ${typeof given.onProgress}`);
  booleanOption(given.gzip, 'gzip', false);
  checkPeerTimeoutMs(given.peerTimeoutMs);
  positiveInteger(given.syncPageSize, 'syncPageSize', 1);
  nonNegativeInteger(given.maxClockSkewMs, 'maxClockSkewMs', 0);
  checkPeerCa(given.peerCa);
  return options as JoinOptions;
}

/**
 * A join's failure as the library reports it: a peer that could not be
 * reached, or whose certificate is not trusted, becomes a SyncError (502)
 * under Node's code, with the fix; anything else is left as it is.
 */
export function joinFailure(error: unknown, url: string): unknown {
  if (error instanceof SyncError) return error;
  const { code, message } = rawFailure(error);
  if (UNREACHABLE_CODES.has(code)) {
    return new SyncError(code, 502, `${url} is unreachable (${message}): is the peer running, and is \`url\` its sync API (http://host:port/api/sync, or just http://host:port)?`, { cause: error });
  }
  if (UNTRUSTED_CERTIFICATE_CODES.has(code) || code === WRONG_HOST_CERTIFICATE_CODE) {
    return new SyncError(code, 502, describeFailure(error, { peer: url, phase: 'handshake', clockSkewMs: undefined }).message, { cause: error });
  }
  return error;
}
