import type Database from 'better-sqlite3';
import type { SyncLogger } from '../lib/logger';
import type { TransportOptions } from '../lib/peers/nats/nats-options';
import type { PeerEntry } from '../lib/peers/peer-url';

/** Options of `createSyncRouter`. Every option is optional; `undefined` means the default. */
export interface SyncRouterOptions {
  /**
   * Shared secret(s) peers send as `Authorization: Bearer <token>`; at least
   * 16 characters. Several tokens allow rotation.
   * @defaultValue none: the router refuses to start without one unless `allowUnauthenticatedPeers` is true
   */
  readonly token?: string | readonly string[];
  /**
   * Opt-out of authentication, for a trusted network or a test. Long on purpose.
   * @defaultValue `false`
   */
  readonly allowUnauthenticatedPeers?: boolean;
  /**
   * Sync roots: a name (used as the first path segment) to a directory, as an
   * object or a Map (what `resolveSyncRoots` returns). Missing directories are created.
   * @defaultValue `{}` (no file endpoints work)
   */
  readonly roots?: Readonly<Record<string, string>> | ReadonlyMap<string, string>;
  /**
   * Root receiving an upload sent without `?path=`.
   * @defaultValue `"uploads"` when such a root exists, else the first root
   */
  readonly uploadRoot?: string;
  /**
   * Largest file an upload may carry, in bytes.
   * @defaultValue `DEFAULTS.maxUploadBytes` (512 MiB)
   */
  readonly maxUploadBytes?: number;
  /**
   * File names that are databases whatever their extension (case-insensitive).
   * Replaces the default list; the extension and header rules still apply.
   * @defaultValue `["app.db", "database.db", "scouting.db"]`
   */
  readonly databaseFileNames?: readonly string[];
  /**
   * Extra picomatch globs of files never to sync; they add to the built-in rules.
   * @defaultValue `[]`
   */
  readonly extraDatabasePatterns?: readonly string[];
  /**
   * Bytes of a refused upload read after the early 403/413 answer, before the connection is cut.
   * @defaultValue `DEFAULTS.refusedBodyDrainBytes` (1 MiB)
   */
  readonly refusedBodyDrainBytes?: number;
  /**
   * Milliseconds a refused upload's connection lingers after the answer at most.
   * @defaultValue `DEFAULTS.refusedBodyDrainMs` (2000)
   */
  readonly refusedBodyDrainMs?: number;
  /**
   * Keep an `fs.watch` per scanned directory so unchanged directories are
   * listed without `lstat`. Turn it off on network file systems, whose
   * changes from other machines raise no events (every directory is then
   * re-read on each scan; listings are re-read every 60 s anyway).
   * @defaultValue `true`
   */
  readonly watchDirectories?: boolean;
  /**
   * Milliseconds an answer may go without its client taking a byte (a file
   * download, a manifest, a changes page, a snapshot) before the server
   * abandons it: its connection is cut and its file handle, page or snapshot
   * released, so clients gone half-open (Wi-Fi lost) never pile up. Raise it
   * for links that pause longer; a client that keeps taking bytes, however
   * slowly, is never cut. A JSON body (`POST /data/changes`, a conflict's
   * resolution, `POST /files/settled`, `POST /deletions/confirm`) that brings no
   * byte for as long is cut too, nothing of it applied.
   * @defaultValue `DEFAULTS.sendStallMs` (60000)
   */
  readonly sendStallMs?: number;
  /**
   * This server's name for people ("pit laptop"), up to 100 characters:
   * answered in `/data/info`, so its peers' status pages show it, and in `/status`.
   * @defaultValue none (peers show its URL)
   */
  readonly name?: string;
  /**
   * Where the router (and, in `createSyncNode`, the sync client) logs: one
   * line per event, fields listed in docs/API.md (a pino logger fits).
   * @defaultValue a pino logger on stdout at `LOG_LEVEL` or `info`
   */
  readonly logger?: SyncLogger;
  /**
   * The app's better-sqlite3 database: its `tables` sync as data under `/data`.
   * @defaultValue none (no data endpoints)
   */
  readonly database?: Database.Database;
  /**
   * Tables to track in `database` (text UUID/ULID primary keys); required with `database`.
   * @defaultValue none
   */
  readonly tables?: readonly string[];
  /**
   * Largest changeset a peer may POST, in bytes (413 `BODY_TOO_LARGE` above).
   * @defaultValue `DEFAULTS.maxChangesetBytes` (16 MiB)
   */
  readonly maxChangesetBytes?: number;
  /**
   * Changes whose clock is further ahead of this server's wall time are refused (422 `CLOCK_SKEW`).
   * At most 100 years is used (a larger value counts as 100 years).
   * @defaultValue `DEFAULTS.maxClockSkewMs` (300000, 5 minutes)
   */
  readonly maxClockSkewMs?: number;
  /**
   * Rows per `GET /data/changes` page when the peer gives no `limit`.
   * @defaultValue `DEFAULTS.changesPageSize` (500)
   */
  readonly changesPageSize?: number;
  /**
   * Largest `limit` a peer may ask for.
   * @defaultValue `DEFAULTS.maxChangesPageSize` (5000)
   */
  readonly maxChangesPageSize?: number;
  /**
   * Serve `GET /data/snapshot`: a consistent snapshot of the synced tables and
   * their clocks, so a new server starts in seconds instead of paging through
   * every row. Built in a worker thread, in a private temp folder.
   * @defaultValue `DEFAULTS.serveSnapshots` (`true`)
   */
  readonly serveSnapshots?: boolean;
}

/** Options of `createSyncNode`: the router's options plus how to reach the peers. */
export interface SyncNodeOptions extends SyncRouterOptions {
  /**
   * Base URLs of the peers' sync routers, e.g. `["http://10.0.0.2:5000/api/sync"]`.
   * They are reached with `token` (the first one, when several are given); a
   * peer given as `{ url, token }` is sent its own token.
   * @defaultValue `[]` (this server only answers)
   */
  readonly peers?: ReadonlyArray<string | PeerEntry>;
  /**
   * Folder for the per-peer file-sync state (what both sides held after the
   * last sync). Keep it outside every sync root.
   * @defaultValue required when there are peers and roots
   */
  readonly stateDir?: string;
  /**
   * Milliseconds without progress before a request to a peer is abandoned.
   * An answer that brings under 1 KiB in that time (a link that drips) is abandoned likewise.
   * At most 2147483647 (Node's longest timer).
   * @defaultValue `DEFAULTS.peerTimeoutMs` (30000)
   */
  readonly peerTimeoutMs?: number;
  /**
   * Extra CA certificates (PEM) to trust for peers with self-signed certificates.
   * @defaultValue none
   */
  readonly peerCa?: string | Buffer;
  /**
   * Rows per page when pulling from and pushing to peers (a peer may cap it: `maxChangesPageSize`).
   * @defaultValue `DEFAULTS.syncPageSize` (2000)
   */
  readonly syncPageSize?: number;
  /**
   * A server whose database holds no synced data yet starts from a peer's
   * snapshot (`GET /data/snapshot`) instead of paging through every row;
   * then it pulls what came after. `false` always pages.
   * @defaultValue `DEFAULTS.joinBySnapshot` (`true`)
   */
  readonly joinBySnapshot?: boolean;
  /**
   * …only when the peer's seq is at least this (below it paging is as quick).
   * @defaultValue `DEFAULTS.snapshotMinChanges` (10000)
   */
  readonly snapshotMinChanges?: number;
  /**
   * How changes pages travel between this server and its peers: `"gzip"`,
   * `"br"` or `"identity"` (uncompressed). Peers that do not compress answer
   * uncompressed; see docs/PROTOCOL.md, "Compression", for the figures.
   * @defaultValue `DEFAULTS.peerCompression` (`"gzip"`)
   */
  readonly peerCompression?: 'gzip' | 'br' | 'identity';
  /**
   * Largest share (percent, 0–100) of a root's files, on this server or on a
   * peer, that one file sync may delete; a sync that would delete more is
   * held back, every file kept, until an operator confirms
   * (`POST /deletions/confirm`, `express-sqlite-sync confirm-deletions` or the
   * status page). 100 turns the guard off.
   * @defaultValue `DEFAULTS.maxDeletePercent` (50)
   */
  readonly maxDeletePercent?: number;
  /**
   * Transports besides the HTTP peers. `{ nats: { servers, stream } }` moves
   * data through a NATS JetStream stream (one per fleet); files keep
   * travelling between HTTP peers, which also serve as fallback and anti-entropy.
   * @defaultValue none (HTTP peers only)
   */
  readonly transport?: TransportOptions;
}

/** The options `createSyncRouter` knows. */
export const ROUTER_OPTION_NAMES: ReadonlySet<string> = new Set<keyof SyncRouterOptions>([
  'token',
  'allowUnauthenticatedPeers',
  'roots',
  'uploadRoot',
  'maxUploadBytes',
  'databaseFileNames',
  'extraDatabasePatterns',
  'refusedBodyDrainBytes',
  'refusedBodyDrainMs',
  'logger',
  'name',
  'watchDirectories',
  'sendStallMs',
  'database',
  'tables',
  'maxChangesetBytes',
  'maxClockSkewMs',
  'changesPageSize',
  'maxChangesPageSize',
  'serveSnapshots',
]);

/** The options `createSyncNode` knows: the router's and the sync client's. */
export const NODE_OPTION_NAMES: ReadonlySet<string> = new Set<string>([
  ...ROUTER_OPTION_NAMES,
  ...(['peers', 'stateDir', 'peerTimeoutMs', 'peerCa', 'syncPageSize', 'maxDeletePercent', 'transport', 'joinBySnapshot', 'snapshotMinChanges', 'peerCompression'] satisfies ReadonlyArray<keyof SyncNodeOptions>),
]);
