const MiB = 1024 * 1024;

/**
 * Every default of express-sqlite-sync, in one frozen object. Each option
 * keeps its name from the public options down to the part that reads it, and
 * each part takes its default from here and nowhere else.
 */
export const DEFAULTS = Object.freeze({
  /** Largest file an upload may carry, in bytes (512 MiB). */
  maxUploadBytes: 512 * MiB,
  /** Bytes of a refused upload read after the early answer (1 MiB). */
  refusedBodyDrainBytes: MiB,
  /** Milliseconds an upload may bring no byte before its connection is cut and its temp file removed (a sender gone half-open). */
  uploadStallMs: 60_000,
  /** Milliseconds a refused upload's connection lingers after the answer. */
  refusedBodyDrainMs: 2000,
  /** Watch scanned directories so unchanged ones are listed from memory. */
  watchDirectories: true,
  /** Largest changeset a peer may POST, in bytes (16 MiB). */
  maxChangesetBytes: 16 * MiB,
  /** Clocks further ahead of this server's wall time are refused (5 minutes). */
  maxClockSkewMs: 5 * 60 * 1000,
  /** Rows per `GET /data/changes` page when the peer gives no `limit`. */
  changesPageSize: 500,
  /** Largest `limit` a peer may ask for. */
  maxChangesPageSize: 5000,
  /** Serve `GET /data/snapshot` to peers that start from a snapshot. */
  serveSnapshots: true,
  /** A server with no synced data starts from a peer's snapshot instead of paging. */
  joinBySnapshot: true,
  /** …when the peer's seq is at least this (below it, paging is as quick). */
  snapshotMinChanges: 10_000,
  /** Rows per page when this server pulls from and pushes to peers. */
  syncPageSize: 2000,
  /** Milliseconds without progress before a request to a peer is abandoned. */
  peerTimeoutMs: 30_000,
  /** How long `stop()` lets running syncs end on their own before it abandons their requests, ms. */
  stopGraceMs: 2_000,
  /** A snapshot answer whose bytes its client has not taken for this long (ms) is abandoned: its connection is cut and the snapshot released, so a joiner gone mid-download (Wi-Fi lost) never holds the snapshot file, nor makes later joiners share that old snapshot. */
  snapshotSendStallMs: 60_000,
  /** Any other long answer of the sync router (a file download, a manifest, a changes page) whose bytes its client has not taken for this long (ms) is abandoned: its connection is cut and its file handle or page released, so clients gone half-open (Wi-Fi lost) never pile up open files and sockets. */
  sendStallMs: 60_000,
  /** `POST /run?stream=ndjson` repeats its last progress line after this long without one (a long snapshot or file), so a client never takes it for a dead link. */
  runKeepAliveMs: 10_000,
  /** Largest JSON answer read from a peer, in bytes (64 MiB); a larger one is `PEER_BAD_ANSWER`. */
  maxPeerAnswerBytes: 64 * MiB,
  /** How JSON bodies travel between peers (`Accept-Encoding`, `Content-Encoding`): see docs/PROTOCOL.md, "Compression". */
  peerCompression: 'gzip' as 'gzip' | 'br' | 'identity',
  /**
   * A temp file untouched for this long is a crash leftover, whoever wrote it
   * (15 minutes: a transfer in progress writes far more often; a peer
   * request stalls at most `peerTimeoutMs`, an upload at most
   * `uploadStallMs`, 1 minute).
   */
  staleTempFileMs: 15 * 60_000,
  /** Shortest interval `start()` accepts, in ms; a shorter one is raised to it with a warning. */
  minSyncIntervalMs: 1000,
  /** A file sync may delete at most this share (percent) of a root's files on either side before an operator confirms. */
  maxDeletePercent: 50,
  /** Backoff after failed syncs: first delay and longest delay, in ms. */
  backoff: Object.freeze({ baseMs: 1000, maxMs: 60_000 }),
  /** The NATS JetStream transport (`transport.nats`). */
  nats: Object.freeze({
    /** The stream of the fleet; its subjects are `ess.<stream>.<site id>`. */
    stream: 'EXPRESS_SQLITE_SYNC',
    /** Largest page a message carries, in bytes (512 KiB); a page is never cut inside one seq. */
    maxMessageBytes: 512 * 1024,
    /** Milliseconds between looks for new local writes to publish, once started. */
    publishIntervalMs: 50,
    /** Copies of the stream kept by a NATS cluster (1 for a single server). */
    replicas: 1,
    /** Milliseconds a JetStream request (a publish's ack, a stream lookup) may take before it is given up and retried. */
    requestTimeoutMs: 10_000,
  }),
});
