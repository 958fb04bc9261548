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
  /** Per-step file errors that did not stop the sync (retried next time). */
  readonly fileErrors: ReadonlyArray<{ readonly path: string; readonly code: string; readonly message: string }>;
}

/** What `GET /status` tells of one peer. */
export interface PeerStatus {
  readonly url: string;
  readonly siteId: string | undefined;
  readonly running: boolean;
  /** ISO time of the last successful sync. */
  readonly lastSuccessAt: string | undefined;
  /** The last failure's message, cleared by a success. */
  readonly lastError: string | undefined;
  /** Consecutive failures. */
  readonly failures: number;
  /** ISO time of the next periodic sync. */
  readonly nextRunAt: string | undefined;
  /** Changes the peer had that we had not pulled, at the last sync. */
  readonly lagChanges: number | undefined;
  /** The peer's clock minus ours, in ms, seen at the last handshake. */
  readonly clockSkewMs: number | undefined;
  /** The last sync's result. */
  readonly lastResult: PeerSyncResult | undefined;
}

/** The body of `GET /status`. */
export interface SyncStatus {
  /** This server's site id. */
  readonly site: string | undefined;
  /** This server's current change sequence number. */
  readonly seq: number | undefined;
  /** Conflicts recorded in `_sync_conflicts`. */
  readonly conflicts: number;
  /** Every configured peer. */
  readonly peers: readonly PeerStatus[];
}
