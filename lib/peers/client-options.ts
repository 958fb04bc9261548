import { statSync } from 'node:fs';
import path from 'node:path';
import type { ChangeTracker } from '../data/change-tracker';
import { DEFAULTS } from '../defaults';
import type { LocalFiles } from '../files/local-files';
import { syncRootHolding } from '../files/root-holding';
import type { ContentCoding } from '../content-coding';
import { resolveLogger, type SyncLogger } from '../logger';
import { booleanOption, nonNegativeInteger, positiveInteger, refuseUnknownOptions } from '../option-checks';
import { isPrivateKeyInstead, PEM_CERTIFICATE, unreadableCertificate } from './pem-certificates';
import { checkPeerEntries, type PeerEntry } from './peer-url';
import { HEADER_SAFE_TOKEN } from '../token-rules';
import { resolveTransportOptions, type NatsConfig, type TransportOptions } from './nats/nats-options';
import { MAX_SYNC_INTERVAL_MS, type BackoffOptions } from './scheduler';

/** Options of `SyncClient`. Numbers keep the names of `createSyncNode`'s options. */
export interface SyncClientOptions {
  /** Base URLs of the peers' sync routers, e.g. `http://10.0.0.2:5000/api/sync`, or `{ url, token }` for a peer with its own token. */
  readonly peers: ReadonlyArray<string | PeerEntry>;
  /**
   * The shared token sent to peers; none for peers that run without authentication.
   * Several (rotation): the first is sent and seals NATS messages; a NATS message sealed with any is accepted.
   */
  readonly token?: string | readonly string[];
  /** This server's data (the tracker `enableCapture` returns); without it only files sync. */
  readonly data?: ChangeTracker;
  /** This server's files; without them only data syncs. */
  readonly files?: LocalFiles;
  /** Folder for the per-peer file-sync state (the base of the three-way comparison); required with `files`. */
  readonly stateDir?: string;
  /** Changes per page. @defaultValue `DEFAULTS.syncPageSize` (2000) */
  readonly syncPageSize?: number;
  /** Milliseconds without progress before a request is abandoned, at most 2147483647 (Node's longest timer). @defaultValue `DEFAULTS.peerTimeoutMs` (30000) */
  readonly peerTimeoutMs?: number;
  /** Extra CA certificates (PEM) for peers with self-signed certificates. */
  readonly peerCa?: string | Buffer;
  /** Backoff after failures. @defaultValue `DEFAULTS.backoff` (`{ baseMs: 1000, maxMs: 60000 }`) */
  readonly backoff?: BackoffOptions;
  /** With no synced data yet, start from a peer's snapshot instead of paging through every row. @defaultValue `DEFAULTS.joinBySnapshot` (true) */
  readonly joinBySnapshot?: boolean;
  /** …only when the peer's seq is at least this. @defaultValue `DEFAULTS.snapshotMinChanges` (10000) */
  readonly snapshotMinChanges?: number;
  /** How pages travel: `gzip`, `br` or `identity` (see docs/PROTOCOL.md, "Compression"). @defaultValue `DEFAULTS.peerCompression` */
  readonly peerCompression?: ContentCoding;
  /**
   * Largest share (percent, 0–100) of a root's files, on either side, one file
   * sync may delete; a sync that would delete more is held back until an
   * operator confirms (`confirmDeletions`). 100 turns the guard off.
   * @defaultValue `DEFAULTS.maxDeletePercent` (50)
   */
  readonly maxDeletePercent?: number;
  /** Where the client logs its events. @defaultValue a pino logger on stdout at `LOG_LEVEL` or `info` */
  readonly logger?: SyncLogger;
  /** Transports besides the HTTP peers: `{ nats: { servers, stream } }` (data only; files travel between HTTP peers). @defaultValue none */
  readonly transport?: TransportOptions;
}

/** {@link SyncClientOptions} checked once, with every default applied. */
export interface SyncClientConfig {
  readonly peers: readonly string[];
  readonly token: string | undefined;
  /** The tokens of the peers given as `{ url, token }`, by URL (the others are sent `token`). */
  readonly peerTokens: ReadonlyMap<string, string>;
  /** Every token given (the first is `token`). */
  readonly tokens: readonly string[];
  readonly data: ChangeTracker | undefined;
  readonly files: LocalFiles | undefined;
  readonly stateDir: string | undefined;
  readonly syncPageSize: number;
  readonly peerTimeoutMs: number;
  readonly peerCa: string | Buffer | undefined;
  readonly backoff: BackoffOptions;
  readonly joinBySnapshot: boolean;
  readonly snapshotMinChanges: number;
  readonly peerCompression: ContentCoding;
  readonly maxDeletePercent: number;
  readonly logger: SyncLogger;
  /** The NATS JetStream transport's configuration, when given. */
  readonly nats: NatsConfig | undefined;
}

export { DEFAULT_SYNC_PATH, normalizePeerUrl, peerKeyOf } from './peer-url';
export type { PeerEntry } from './peer-url';

/**
 * A `stateDir` must be a folder, or not exist yet (it is created): a file at
 * its place, or on its way, would fail every round with ENOTDIR.
 * @throws TypeError naming `stateDir`
 */
function refuseNonFolder(stateDir: string): void {
  let found;
  try {
    found = statSync(stateDir, { throwIfNoEntry: false });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new TypeError(`express-sqlite-sync: \`stateDir\` ${stateDir} cannot be used (${code}); a file may stand where a folder on its way is needed`, { cause: error });
  }
  if (found !== undefined && !found.isDirectory()) throw new TypeError(`express-sqlite-sync: \`stateDir\` ${stateDir} is a file, not a folder; point it at a folder (it is created when missing)`);
}

function checkStateDir(value: unknown, files: LocalFiles | undefined, peers: readonly string[]): string | undefined {
  if (value !== undefined && typeof value !== 'string') throw new TypeError('express-sqlite-sync: `stateDir` must be a folder path');
  const roots = files?.roots ?? new Map<string, string>();
  if (value === undefined) {
    if (peers.length > 0 && roots.size > 0) {
      throw new TypeError('express-sqlite-sync: file sync with peers needs `stateDir`, a folder outside every sync root for the per-peer sync state');
    }
    return undefined;
  }
  const stateDir = path.resolve(value);
  refuseNonFolder(stateDir);
  // By real paths (the roots' are): a stateDir named through a symbolic link into a root is inside it too.
  const holding = syncRootHolding(roots, stateDir);
  if (holding !== undefined) throw new RangeError(`express-sqlite-sync: \`stateDir\` is inside the sync root "${holding[0]}"; keep it outside every root`);
  return stateDir;
}

/** The keys of `backoff`: any other is a typo. */
const BACKOFF_OPTIONS: ReadonlySet<string> = new Set(['baseMs', 'maxMs'] satisfies (keyof BackoffOptions)[]);

/**
 * `backoff`: `{ baseMs, maxMs }`, both positive integers (either may be left
 * out for its default), `maxMs` at least `baseMs` (the cap of the delay: one
 * below the base would retry a failing peer at once, again and again).
 * @throws TypeError for a non-object, an unknown key or a non-number; RangeError for a value out of range or `maxMs` below `baseMs`
 */
function checkBackoff(value: unknown): BackoffOptions {
  if (value === undefined) return DEFAULTS.backoff;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new TypeError('express-sqlite-sync: `backoff` must be { baseMs, maxMs }');
  refuseUnknownOptions(value, BACKOFF_OPTIONS, '`backoff`');
  const given = value as Partial<Record<keyof BackoffOptions, unknown>>;
  const baseMs = positiveInteger(given.baseMs, 'backoff.baseMs', DEFAULTS.backoff.baseMs);
  const maxMs = positiveInteger(given.maxMs, 'backoff.maxMs', Math.max(DEFAULTS.backoff.maxMs, baseMs));
  if (maxMs < baseMs) throw new RangeError(`express-sqlite-sync: \`backoff.maxMs\` (${maxMs}) is below \`backoff.baseMs\` (${baseMs}): maxMs caps the delay after failures, baseMs is its first step`);
  if (maxMs > MAX_SYNC_INTERVAL_MS) throw new RangeError(`express-sqlite-sync: \`backoff.maxMs\` must be at most ${MAX_SYNC_INTERVAL_MS} (Node's longest timer), got ${maxMs}`);
  return { baseMs, maxMs };
}

/**
 * `peerTimeoutMs`: a positive integer of at most Node's longest timer (2,147,483,647 ms, about
 * 24.8 days); the default when undefined. A longer one ran the check of a peer's answer every
 * 1 ms (Node's timers fire after 1 ms for a longer delay), which cut any answer that came in
 * pieces under 1 KiB, every answer of a slow link, as a link that drips (`PEER_TIMEOUT`).
 * @throws TypeError for a non-number; RangeError for a non-integer, a value below 1 or above 2147483647
 */
export function checkPeerTimeoutMs(value: unknown): number {
  const ms = positiveInteger(value, 'peerTimeoutMs', DEFAULTS.peerTimeoutMs);
  if (ms > MAX_SYNC_INTERVAL_MS) throw new RangeError(`express-sqlite-sync: \`peerTimeoutMs\` must be at most ${MAX_SYNC_INTERVAL_MS} (about 24.8 days, Node's longest timer), got ${ms}`);
  return ms;
}

function checkCoding(value: unknown): ContentCoding {
  if (value === undefined) return DEFAULTS.peerCompression;
  if (value !== 'gzip' && value !== 'br' && value !== 'identity') throw new TypeError(`express-sqlite-sync: \`peerCompression\` must be "gzip", "br" or "identity", got ${JSON.stringify(value)}`);
  return value;
}

function checkPercent(value: unknown): number {
  const percent = nonNegativeInteger(value, 'maxDeletePercent', DEFAULTS.maxDeletePercent);
  if (percent > 100) throw new RangeError(`express-sqlite-sync: \`maxDeletePercent\` must be 0-100 (100 turns the guard off), got ${percent}`);
  return percent;
}

/** Every option of a sync client: anything else is a typo. */
const CLIENT_OPTIONS: ReadonlySet<string> = new Set([
  'peers', 'token', 'data', 'files', 'stateDir', 'syncPageSize', 'peerTimeoutMs', 'peerCa', 'backoff',
  'joinBySnapshot', 'snapshotMinChanges', 'peerCompression', 'maxDeletePercent', 'logger', 'transport',
] satisfies (keyof SyncClientOptions)[]);

/**
 * Checks that `data` and `files` are what they must be, now rather than at the first sync.
 * @throws TypeError naming the option
 */
function checkParts(data: unknown, files: unknown): void {
  const tracker = data as Partial<Record<'readChanges' | 'applyChangeset' | 'peerSiteAt', unknown>> | null;
  if (data !== undefined && (typeof tracker !== 'object' || tracker === null || typeof tracker.readChanges !== 'function' || typeof tracker.applyChangeset !== 'function' || typeof tracker.peerSiteAt !== 'function')) {
    throw new TypeError('express-sqlite-sync: `data` must be the tracker enableCapture(db, { tables }) returns');
  }
  const local = files as Partial<LocalFiles> | null;
  if (files !== undefined && (typeof local !== 'object' || local === null || !(local.roots instanceof Map) || typeof local.policy?.isDatabaseName !== 'function' || typeof local.cache !== 'object')) {
    throw new TypeError('express-sqlite-sync: `files` must be { roots, policy, cache }: roots from resolveSyncRoots(), policy from createFilePolicy(), cache a new ManifestCache()');
  }
}

/**
 * `peerCa`: PEM text or a Buffer holding one certificate at least, or undefined.
 * @throws TypeError for another type, text without a certificate (a file name given instead of its text), or a certificate that cannot be read (cut short)
 */
export function checkPeerCa(ca: unknown): string | Buffer | undefined {
  if (ca === undefined) return undefined;
  if (typeof ca !== 'string' && !Buffer.isBuffer(ca)) throw new TypeError('express-sqlite-sync: `peerCa` must be PEM text or a Buffer');
  const text = typeof ca === 'string' ? ca : ca.toString('latin1');
  if (isPrivateKeyInstead(text)) throw new TypeError("express-sqlite-sync: `peerCa` holds a private key, not a certificate: give the CA certificate the peers' certificates are signed with (for a self-signed peer, its certificate), never a key");
  if (!text.includes(PEM_CERTIFICATE)) {
    throw new TypeError(`express-sqlite-sync: \`peerCa\` holds no PEM certificate (${PEM_CERTIFICATE}…); give the certificate's text (fs.readFileSync(file)), not its file name`);
  }
  const unreadable = unreadableCertificate(ca);
  if (unreadable !== undefined) throw new TypeError(`express-sqlite-sync: \`peerCa\`: ${unreadable} Give the CA certificate's file as it is`);
  return ca;
}

/**
 * Checks a sync client's options, once, and applies the defaults.
 * @param dataPending - `data` is not built yet but will be (`createSyncNode` checks every option before it touches the database)
 * @throws TypeError for a wrong type, a peer URL that is not http(s), a `peerCa` without a PEM certificate, a `logger` without info, warn and error functions, a missing `stateDir` with files, or neither `data` nor `files`
 * @throws RangeError for a number out of range or a `stateDir` inside a sync root
 */
export function resolveSyncClientOptions(options: SyncClientOptions, dataPending = false): SyncClientConfig {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new TypeError('express-sqlite-sync: SyncClient needs an options object');
  refuseUnknownOptions(options, CLIENT_OPTIONS, 'SyncClient');
  if (options.data === undefined && options.files === undefined && !dataPending) throw new TypeError('express-sqlite-sync: a sync client needs `data`, `files` or both');
  checkParts(options.data, options.files);
  const token: unknown = options.token;
  const tokens: unknown[] = token === undefined ? [] : Array.isArray(token) ? token : [token];
  if (tokens.some((each) => typeof each !== 'string')) throw new TypeError('express-sqlite-sync: `token` must be a string (or a list of strings: the first is sent)');
  if (tokens.some((each) => !HEADER_SAFE_TOKEN.test(each as string))) {
    throw new RangeError('express-sqlite-sync: `token` is empty, or holds a space, a control character or a character outside ASCII, which no Authorization header can carry; use letters, digits and punctuation (for example `openssl rand -hex 32`)');
  }
  const { urls: peers, tokens: peerTokens } = checkPeerEntries(options.peers);
  const { nats } = resolveTransportOptions(options.transport);
  if (nats !== undefined && options.data === undefined && !dataPending) throw new TypeError('express-sqlite-sync: `transport.nats` carries data: it needs `database` and `tables`');
  checkPeerCa(options.peerCa);
  return {
    peers,
    token: tokens[0] as string | undefined,
    tokens: tokens as string[],
    peerTokens,
    data: options.data,
    files: options.files,
    stateDir: checkStateDir(options.stateDir, options.files, peers),
    syncPageSize: positiveInteger(options.syncPageSize, 'syncPageSize', DEFAULTS.syncPageSize),
    peerTimeoutMs: checkPeerTimeoutMs(options.peerTimeoutMs),
    peerCa: options.peerCa,
    backoff: checkBackoff(options.backoff),
    joinBySnapshot: booleanOption(options.joinBySnapshot, 'joinBySnapshot', DEFAULTS.joinBySnapshot),
    snapshotMinChanges: nonNegativeInteger(options.snapshotMinChanges, 'snapshotMinChanges', DEFAULTS.snapshotMinChanges),
    peerCompression: checkCoding(options.peerCompression),
    nats,
    maxDeletePercent: checkPercent(options.maxDeletePercent),
    logger: resolveLogger(options.logger),
  };
}
