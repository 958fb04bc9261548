import type { RootNameProblems } from '../files/name-report';
import type { RootConflictCopies } from '../files/conflict-copy-report';
import type { IdentityChange } from '../data/change-tracker';
import type { Refusal } from '../refusal-log';
import type { PeerState } from './failure-codes';
import type { TransportStatus } from './transport';

/** File errors a round lists (`PeerSyncResult.fileErrors`, and as many `files.error` log lines); the rest are counted in `fileErrorCount`. */
export const FILE_ERRORS_LISTED = 20;

/** One step of a running sync, for progress bars. */
export interface SyncProgress {
  /** The peer's URL. */
  readonly peer: string;
  /** What is being done. */
  readonly phase: 'handshake' | 'snapshot' | 'pull' | 'push' | 'files';
  /** Units done in this phase (pages, rows or files). */
  readonly done: number;
  /** Units in this phase, when known. */
  readonly total: number | undefined;
}

/** A file changed on both sides and kept twice. */
export interface FileConflict {
  /** `<root>/<path>`: holds this server's version. */
  readonly path: string;
  /** `<root>/<path>.sync-conflict-…`: holds the peer's version. */
  readonly copyPath: string;
}

/**
 * File deletions the mass-delete guard holds back: a file sync that would
 * delete more than `maxDeletePercent` of a root's files on one side stops
 * and keeps every file until an operator confirms.
 */
export interface HeldDeletion {
  /** The peer's URL. */
  readonly peer: string;
  /** The sync root. */
  readonly root: string;
  /** `here`: files this server would delete; `there`: files the peer would lose. */
  readonly side: 'here' | 'there';
  /** Files the sync would delete on that side. */
  readonly count: number;
  /** Files of the root on that side. */
  readonly files: number;
  /** `count` as a percentage of `files`, rounded. */
  readonly percent: number;
  /** The limit it is over. */
  readonly maxDeletePercent: number;
  /** Up to ten of the paths, `<root>/<path>`. */
  readonly examples: readonly string[];
  /** ISO time the sync stopped. */
  readonly heldAt: string;
}

/** Something a round could not do that did not fail it (a root the peer does not have, files held back by a link). */
export interface RoundWarning {
  /**
   * `UNKNOWN_ROOT`: the peer has no root of that name; its files are not synced with this peer.
   * `HELD_BY_LINK`: files written since the last sync lie at or under a symbolic link one side does not sync.
   */
  readonly code: string;
  /** The sync root concerned. */
  readonly root: string;
  /** What it means and the fix. */
  readonly message: string;
}

/** What one sync with one peer did. */
export interface PeerSyncResult {
  /** The peer's URL. */
  readonly peer: string;
  /** The peer's site id, when the handshake got that far. */
  readonly siteId: string | undefined;
  /** True when every phase succeeded. */
  readonly ok: boolean;
  /** Rows pulled from the peer and applied here. */
  readonly rowsPulled: number;
  /** Rows pushed to the peer. */
  readonly rowsPushed: number;
  /** Files sent to the peer. */
  readonly filesUp: number;
  /** Files fetched from the peer. */
  readonly filesDown: number;
  /** Files deleted here or there because the other side deleted them. */
  readonly filesDeleted: number;
  /** Data conflicts recorded (UNIQUE or foreign-key clashes no merge rule settles). */
  readonly dataConflicts: number;
  /** Files changed on both sides. */
  readonly fileConflicts: readonly FileConflict[];
  /** How long the sync took. */
  readonly durationMs: number;
  /** The first error, when `ok` is false. */
  readonly error: { readonly code: string; readonly message: string } | undefined;
  /** Per-step file errors that did not stop the sync (retried next time): the first {@link FILE_ERRORS_LISTED} of the round. */
  readonly fileErrors: ReadonlyArray<{ readonly path: string; readonly code: string; readonly message: string }>;
  /** Every file error of the round, listed in `fileErrors` or not (a peer with a full disk fails every file). */
  readonly fileErrorCount: number;
  /** Deletions the mass-delete guard held back in this sync (those roots were left as they were). */
  readonly heldDeletions: readonly HeldDeletion[];
  /** What the round could not do without failing (a root the peer does not have); `[]` when none. Optional for results built by hand. */
  readonly warnings?: readonly RoundWarning[];
}

/** The events a `SyncClient` emits (lib/peers/sync-client.ts), with their listener's arguments. */
export interface SyncClientEvents {
  /** A phase of a peer's sync moved on. */
  progress: [progress: SyncProgress];
  /** A peer's sync (or a transport's round) ended. */
  result: [result: PeerSyncResult];
}

/**
 * What `GET /status` tells of one peer. Every field is always present: one not
 * known yet (a peer never reached, never synced) is `null`, never left out.
 */
export interface PeerStatus {
  readonly url: string;
  /** The peer's name, from its `/data/info` (`name` option, `SYNC_NAME` in the sample app); `null` until it tells one. */
  readonly name: string | null;
  /** The peer's site id; `null` until a handshake (or an earlier run) told it. */
  readonly siteId: string | null;
  /** `ok`, `syncing`, `never-synced`, `unreachable`, `wrong-token` or `failing`. */
  readonly state: PeerState;
  readonly running: boolean;
  /** ISO time of the last successful sync; `null` when it never synced. */
  readonly lastSuccessAt: string | null;
  /** The last failure's message, cleared (`null`) by a success. */
  readonly lastError: string | null;
  /** The last failure's code, cleared (`null`) by a success. */
  readonly lastErrorCode: string | null;
  /** Consecutive failures. */
  readonly failures: number;
  /** ISO time of the next periodic sync (the next retry after a failure); `null` when none is planned. */
  readonly nextRunAt: string | null;
  /**
   * True when the next round (`nextRunAt`) is a backoff retry: the last rounds failed in a way that backs off (the peer
   * unreachable, a wrong token, a data failure). False when it comes at the interval: after a success, or after a round
   * that failed only for its files while its data went through (see `dataWentThrough`), or when none is planned.
   */
  readonly backingOff: boolean;
  /** ISO time the peer last answered a handshake; `null` when it has not in this run. */
  readonly lastContactAt: string | null;
  /** Changes not yet received from the peer: what it had beyond our cursor at the last contact; `null` before one. */
  readonly lagChanges: number | null;
  /** Changes not yet delivered to the peer: this server's seq beyond the peer's push cursor, now; `null` without data sync (also with a peer that syncs files only). */
  readonly undeliveredChanges: number | null;
  /**
   * True when the peer's last handshake answered `DATA_OFF`: it runs without a database and syncs files only. Not a
   * failure: its rounds sync the files and are `ok` (a peer of an older version, which answers no `GET /files/info`,
   * still fails with `DATA_OFF`). False once a data handshake with it went through; `null` before any, and on a server
   * that syncs no data (it shakes no hands).
   */
  readonly filesOnly: boolean | null;
  /** Deletions held back for this peer until an operator confirms. */
  readonly heldDeletions: readonly HeldDeletion[];
  /** The peer's clock minus ours, in ms, seen at the last handshake; `null` before one. */
  readonly clockSkewMs: number | null;
  /** The last sync's result; `null` before the first sync of this run. */
  readonly lastResult: PeerSyncResult | null;
}

/** A file changed on both sides, as `/status` lists the recent ones. */
export interface RecentFileConflict extends FileConflict {
  /** The peer it was synced with. */
  readonly peer: string;
  /** ISO time of the sync. */
  readonly at: string;
}
export type { TransportStatus, NatsStatus } from './transport';

/**
 * The body of `GET /status`. Every field is always present: one that does not
 * apply or is not known is `null`, never left out.
 */
export interface SyncStatus {
  /** This server's name (`name` option, `SYNC_NAME` in the sample app); `null` when it has none. */
  readonly name: string | null;
  /** This server's site id; `null` when it syncs no data (no `database`). */
  readonly site: string | null;
  /** This server's current change sequence number; `null` when it syncs no data. */
  readonly seq: number | null;
  /** Rows parked as data conflicts now (`GET /data/conflicts` lists them). */
  readonly conflicts: number;
  /** Every configured peer. */
  readonly peers: readonly PeerStatus[];
  /** Every deletion held back by the mass-delete guard, all peers. */
  readonly heldDeletions: readonly HeldDeletion[];
  /** The most recent file conflicts (newest first, at most 50). */
  readonly fileConflicts: readonly RecentFileConflict[];
  /** The most recent requests refused (newest first, at most 50). */
  readonly refusals: readonly Refusal[];
  /** Every transport: one per HTTP peer that syncs data, and NATS (state, stream position, lag). */
  readonly transports: readonly TransportStatus[];
  /**
   * The last new site id this server took by itself since it started (its
   * database file was a copy, or a peer held another history of it), or
   * `null`: nothing to do, its rows are sent again under the new id.
   */
  readonly identityChange: IdentityChange | null;
  /**
   * Set while this server's data sync is stopped (a tracked table changed
   * while it runs: `SCHEMA_CHANGED`; the figures are still answered, with the
   * seq folded before the change); `null` otherwise.
   */
  readonly dataError: { readonly code: string; readonly message: string } | null;
  /**
   * Per root, the file and folder names the last scan of the whole root left
   * out of sync because they cannot travel (not in NFC, too long, reserved):
   * how many and the first 20; only roots with such names, `[]` otherwise.
   */
  readonly fileNameProblems: readonly RootNameProblems[];
  /**
   * Per root, the conflict copies on disk as of its last whole scan (each
   * round scans, and so does a peer's manifest request): how many and the
   * first 20, each with the file it was named after (`null` when that file
   * is gone). Unlike `fileConflicts` (this server's recent rounds, kept in
   * memory), this lists every copy waiting for a choice, whichever server's
   * round made it, across restarts; a copy leaves it once deleted. Only roots
   * with copies, `[]` otherwise.
   */
  readonly fileConflictCopies: readonly RootConflictCopies[];
}
