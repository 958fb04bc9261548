/**
 * The seam between "what changed" (capture, clocks, merge: `ChangeTracker`)
 * and "how pages travel". A transport sends pages of this server's changes
 * and applies the pages it receives, each together with the transport's
 * cursor in one SQLite transaction (`ChangeTracker.applyChangeset` for HTTP,
 * whose merge saves the peer's seq; `applyChangesetWithCursor` for others).
 * The cursor is the transport's own business: the merge never reads it.
 * See docs/ARCHITECTURE.md, "Transports".
 */

/** The transports this package ships. */
export type TransportKind = 'http' | 'nats';

/** What one exchange moved. */
export interface ExchangeCount {
  /** Rows received and applied here. */
  readonly rowsIn: number;
  /** Rows sent. */
  readonly rowsOut: number;
  /** Data conflicts recorded while applying. */
  readonly conflicts: number;
}

/**
 * A step of an exchange, for progress bars: rows so far in one direction, and
 * the distinct data conflicts the exchange recorded so far (both directions),
 * so a round that fails later still reports the conflicts it left.
 */
export type ExchangeProgress = (phase: 'pull' | 'push', rows: number, conflicts?: number) => void;

/** Connection state of a transport. */
export type TransportState = 'idle' | 'connecting' | 'connected' | 'disconnected' | 'failing' | 'stopped';

/**
 * What `GET /status` tells of one transport (`transports` array). Every field
 * is always present, `null` when unknown, except `nats`, which only a NATS
 * transport has.
 */
export interface TransportStatus {
  /** `http` or `nats`. */
  readonly kind: TransportKind;
  /** The peer's URL for HTTP; `nats:<stream>` for NATS. */
  readonly name: string;
  /** Connection state (HTTP: `idle` between rounds, `failing` after a failed one). */
  readonly state: TransportState;
  /** Where this server has applied up to, in the transport's own terms (HTTP: the peer's seq; NATS: the stream sequence); `null` before an HTTP peer's first handshake. */
  readonly position: number | null;
  /** How far behind it is, in the same terms (HTTP: changes; NATS: messages); `null` while not known (no handshake, stream not seen yet). */
  readonly lag: number | null;
  /** The last failure, cleared (`null`) by a success. */
  readonly lastError: { readonly code: string; readonly message: string } | null;
  /** NATS only (absent for HTTP): the stream and how far this server has read and written it. */
  readonly nats?: NatsStatus;
}

/** The NATS part of a {@link TransportStatus}: every field always present, `null` when unknown. */
export interface NatsStatus {
  /** The servers this node connects to. */
  readonly servers: readonly string[];
  /** The server it is connected to now; `null` while not connected. */
  readonly connectedTo: string | null;
  /** The stream name and this server's subject in it. */
  readonly stream: string;
  readonly subject: string;
  /** The stream's first and last sequence, as last seen; `null` before the stream was seen. */
  readonly streamFirstSeq: number | null;
  readonly streamLastSeq: number | null;
  /** The stream sequence applied here (saved with the page it ends). */
  readonly appliedSeq: number;
  /** The local seq up to which this server's changes are in the stream. */
  readonly publishedSeq: number;
  /** Local changes (seqs) not yet in the stream: above 0 for long means publishing is stuck (see `lastError`). */
  readonly unpublished: number;
  /** Messages published and applied since start. */
  readonly messagesPublished: number;
  readonly messagesApplied: number;
  /** Messages passed over because no server of this schema could apply them (not a changeset); the last one is `lastError`. */
  readonly messagesRefused: number;
  /** Set while the stream cannot serve this server (messages it needs are gone) and it catches up over HTTP (`via: 'none'`: no HTTP peer to do it); `null` otherwise. */
  readonly catchUp: { readonly reason: string; readonly since: string; readonly via: 'http' | 'none' } | null;
  /** The last catch-up over HTTP: why, when it ended and whether a peer caught this server up; `null` before the first since the start. */
  readonly lastCatchUp: { readonly reason: string; readonly at: string; readonly ok: boolean } | null;
  /**
   * The senders held at a message that waits (their later messages wait behind it, the others' are applied), in the order they were held;
   * empty when none is. Always present in `/status` from this version on; optional in the type, so a status built by hand
   * (a transport of your own, a test) or read from an earlier version still fits.
   */
  readonly held?: readonly NatsHeldSender[];
}

/**
 * A sender held on a NATS stream ({@link NatsStatus.held}): one of its pages
 * must wait (`SCHEMA_MISMATCH`, `CLOCK_SKEW`, `APPLY_REFUSED`,
 * `INCOMPLETE_ROW`), and its later messages wait behind it. It is tried again
 * after a backoff, at every round, and at start.
 */
export interface NatsHeldSender {
  /** The sender's subject (`ess.<stream>.<site>`). */
  readonly subject: string;
  /** The sender's site id (the subject's last token). */
  readonly site: string;
  /** The stream sequence of the message that waits; `null` while not known (held before this server started, under a version that did not keep it). */
  readonly seq: number | null;
  /** The stream sequence up to which the sender's messages are applied here. */
  readonly after: number;
  /** Why it waits, as its last try said (kept across a restart); `null` while not known (held before this server started, under a version that did not keep it). */
  readonly code: string | null;
  /** What to do about it, naming the stream message and the subject (never a credential). */
  readonly message: string;
}

/**
 * How pages of changes travel between this server and others. HTTP: one per
 * peer, pull then push in rounds. NATS JetStream: one per fleet, a publisher
 * and an ordered consumer that run between rounds too.
 */
export interface ChangeTransport {
  readonly kind: TransportKind;
  /** The name `/status` shows. */
  readonly name: string;
  /** Starts delivering in the background, if the transport does that (NATS); HTTP rounds are scheduled by the sync client. */
  start(): void;
  /**
   * Moves what is pending now both ways: sends local changes not sent yet,
   * applies what the others sent, each page with its cursor in one transaction.
   * @throws SyncError when the exchange cannot complete (nothing half-applied; the next one resumes)
   */
  exchange(onProgress?: ExchangeProgress): Promise<ExchangeCount>;
  /** Connection state, position and lag. */
  status(): TransportStatus;
  /** Stops background work and closes connections. */
  close(): Promise<void>;
}
