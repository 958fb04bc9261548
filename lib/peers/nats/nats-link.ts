import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, DiscardPolicy, RetentionPolicy, StorageType, type JetStreamClient, type JetStreamManager } from '@nats-io/jetstream';
import { SyncError } from '../../sync-error';
import type { TransportState } from '../transport';
import { streamSubjects, type NatsConfig } from './nats-options';
import type { SealedMessage } from './fleet-seal';
import { refuseUnfitStream, streamAddFailure } from './stream-fitness';
import { withoutCredentials } from './nats-util';
import { LinkWaits } from './link-waits';
import { closeClient, connectFailure } from './client-connection';

/** What this node knows of the stream, as last read. */
export interface StreamFacts {
  /** When the stream was created: a stream deleted and made again is another stream. */
  readonly created: string;
  readonly firstSeq: number;
  readonly lastSeq: number;
}

/** The last message a subject holds. */
export interface LastOnSubject {
  readonly seq: number;
  readonly msgId: string | undefined;
  /** The message itself, for its seal. */
  readonly message: SealedMessage;
}

/** The JetStream API error code for a failed `Nats-Expected-Last-Subject-Sequence`. */
export const WRONG_LAST_SEQUENCE = 10071;
/** The JetStream API error code for a message larger than the stream's `max_msg_size`. */
export const OVER_STREAM_MAX_MSG_SIZE = 10054;

/**
 * One connection to NATS and the fleet's stream: connects once (then the
 * client reconnects for ever, to any of `servers`), follows the connection's
 * state, creates the stream when it is missing and reads its facts.
 */
export class NatsLink {
  readonly #config: NatsConfig;
  #connecting: Promise<NatsConnection> | undefined;
  #nc: NatsConnection | undefined;
  #api: { js: JetStreamClient; jsm: JetStreamManager } | undefined;
  #state: TransportState = 'idle';
  #server: string | undefined;
  #closed = false;
  #streamMaxMsgSize: number | undefined;
  /** Bumped at every reconnect: work begun before one re-checks the stream. */
  generation = 0;
  /** Called after every reconnect. */
  onReconnect: (() => void) | undefined;
  /** Called when a connection is made (not the client's reconnects): whoever waits out a backoff for one can go on. */
  onConnect: (() => void) | undefined;
  /** The waits for answers that a loss ends, and the requests a reconnect sends again. */
  readonly #waits = new LinkWaits();
  /** Rejects the connection attempt under way with `NATS_CLOSED` (set while one is): whoever waits for it stops waiting at `close`. */
  #abandon: ((error: SyncError) => void) | undefined;

  /** Nothing connects until the first use. */
  constructor(config: NatsConfig) {
    this.#config = config;
  }

  /** Connection state. */
  get state(): TransportState {
    return this.#state;
  }

  /** The server connected to now. */
  get server(): string | undefined {
    return this.#state === 'connected' ? this.#server : undefined;
  }

  /** The largest message the server takes. */
  get maxPayload(): number {
    return this.#nc?.info?.max_payload ?? 1024 * 1024;
  }

  /** The largest message (headers and body) the stream takes, its `max_msg_size` as last read; undefined when it sets none. */
  get streamMaxMsgSize(): number | undefined {
    return this.#streamMaxMsgSize;
  }

  /**
   * The connection, made on first use.
   * @throws SyncError `NATS_UNREACHABLE` (503) when no server answers (the next call tries again)
   */
  async connection(): Promise<NatsConnection> {
    if (this.#closed) throw new SyncError('NATS_CLOSED', 503, 'the NATS transport is stopped');
    if (this.#nc?.isClosed() === true) this.#nc = undefined; // closed by the server for good (e.g. its credentials changed): connect again
    if (this.#nc !== undefined) return this.#nc;
    this.#connecting ??= this.#attempt();
    return this.#connecting;
  }

  /**
   * One connection attempt that `close` abandons. Its "stopped" promise lives as long as the attempt: one kept
   * for the link's life would hold a reaction for every call made while NATS is down (a leak over days).
   */
  #attempt(): Promise<NatsConnection> {
    const stopped = new Promise<never>((_resolve, reject) => (this.#abandon = reject));
    return Promise.race([this.#connect(), stopped]).finally(() => {
      this.#connecting = undefined;
      this.#abandon = undefined;
    });
  }

  async #connect(): Promise<NatsConnection> {
    this.#state = 'connecting';
    const { servers, user, pass, token } = this.#config;
    try {
      // The client takes the scheme of a URL as a host name only: a tls:// URL must ask for TLS, or it would connect in plain text.
      const tls = servers.some((server) => server.trim().toLowerCase().startsWith('tls://')) ? {} : undefined;
      const nc = await connect({ servers: [...servers], user, pass, token, tls, name: 'express-sqlite-sync', maxReconnectAttempts: -1, reconnectTimeWait: 250, timeout: this.#config.requestTimeoutMs });
      const { requestTimeoutMs: timeout, domain } = this.#config;
      const api = { js: jetstream(nc, { timeout, domain }), jsm: await jetstreamManager(nc, { timeout, domain, checkAPI: false }) };
      if (this.#closed) {
        // close() did not wait for this connection: it is closed as soon as it is made.
        await closeClient(nc);
        throw new SyncError('NATS_CLOSED', 503, 'the NATS transport is stopped');
      }
      this.#api = api;
      this.#nc = nc;
      this.#state = 'connected';
      this.#server = nc.getServer();
      void this.#follow(nc);
      this.onConnect?.();
      return nc;
    } catch (error) {
      if (this.#closed) throw new SyncError('NATS_CLOSED', 503, 'the NATS transport is stopped', { cause: error });
      this.#state = 'disconnected';
      throw await connectFailure(servers, error);
    }
  }

  /** Follows the connection's status events until it closes. */
  async #follow(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect') {
        this.#state = 'disconnected';
        const where = this.#config.servers.map(withoutCredentials).join(', ');
        const lost = new SyncError('NATS_UNREACHABLE', 503, `the connection to NATS is down (${where}): it was lost while this round waited for an answer; the client keeps trying`);
        this.#waits.lost(lost);
      }
      else if (status.type === 'reconnecting') this.#state = 'connecting';
      else if (status.type === 'reconnect') {
        this.#state = 'connected';
        this.#server = status.server;
        this.generation += 1;
        this.#waits.reconnected();
        this.onReconnect?.();
      }
    }
  }

  /**
   * `work`, or a `NATS_UNREACHABLE` failure as soon as the connection is lost while it runs
   * ({@link LinkWaits.whileLinked}). A loss before the call does not count (a round begun while the
   * client reconnects waits for the reconnect, up to `requestTimeoutMs`). `work` goes on.
   */
  whileLinked<T>(work: Promise<T>): Promise<T> {
    return this.#waits.whileLinked(work);
  }

  /** Sends an idempotent request, again at the reconnect when it was sent while the connection was down ({@link LinkWaits.request}). */
  request<T>(send: () => Promise<T>): Promise<T> {
    return this.#waits.request(() => this.#state === 'connected', send);
  }

  /** The JetStream client and manager. */
  async jetstream(): Promise<{ js: JetStreamClient; jsm: JetStreamManager }> {
    await this.connection();
    if (this.#api === undefined) throw new SyncError('NATS_CLOSED', 503, 'the NATS transport is stopped');
    return this.#api;
  }

  /**
   * Reads the stream's facts, creating the stream first when it is missing
   * (file storage, no limits: messages leave it only when an operator says so).
   * @throws SyncError `NATS_STREAM` (503) for a stream that cannot carry the fleet ({@link refuseUnfitStream}: other subjects, another retention, no acks), or cannot be made as another stream takes its subjects
   */
  async ensureStream(): Promise<StreamFacts> {
    const { jsm } = await this.jetstream();
    const { stream, replicas } = this.#config;
    const subjects = streamSubjects(stream);
    let info = await this.request(() => jsm.streams.info(stream)).catch((error: unknown) => {
      if ((error as { code?: unknown }).code === 404 || (error as Error).name === 'StreamNotFoundError') return undefined;
      throw error;
    });
    info ??= await this.request(() => jsm.streams.add({ name: stream, subjects: [subjects], storage: StorageType.File, retention: RetentionPolicy.Limits, discard: DiscardPolicy.Old, num_replicas: replicas })).catch(async (error: unknown) => {
      throw await streamAddFailure(jsm, stream, subjects, error);
    });
    refuseUnfitStream(stream, subjects, info.config);
    const limit = info.config.max_msg_size;
    this.#streamMaxMsgSize = limit !== undefined && limit > 0 ? limit : undefined; // an operator may set or change it at any time
    return { created: info.created, firstSeq: info.state.first_seq, lastSeq: info.state.last_seq };
  }

  /** The last message on a subject, or undefined when it holds none. */
  async lastOnSubject(subject: string): Promise<LastOnSubject | undefined> {
    const { jsm } = await this.jetstream();
    const message = await this.request(() => jsm.streams.getMessage(this.#config.stream, { last_by_subj: subject }));
    if (message === null) return undefined;
    return { seq: message.seq, msgId: message.header?.get('Nats-Msg-Id') || undefined, message: { subject: message.subject, headers: message.header, data: message.data } };
  }

  /**
   * The `Nats-Msg-Id` of the stream's message at `seq`: undefined when it has
   * none, null when the stream no longer holds that message.
   */
  async messageIdAt(seq: number): Promise<string | undefined | null> {
    const { jsm } = await this.jetstream();
    const message = await this.request(() => jsm.streams.getMessage(this.#config.stream, { seq }));
    if (message === null) return null;
    return message.header?.get('Nats-Msg-Id') || undefined;
  }

  /** The stream's message at `seq`, or null when the stream no longer holds it. */
  async messageAt(seq: number): Promise<SealedMessage | null> {
    const { jsm } = await this.jetstream();
    const message = await this.request(() => jsm.streams.getMessage(this.#config.stream, { seq }));
    return message === null ? null : { subject: message.subject, headers: message.header, data: message.data };
  }

  /**
   * Closes the connection (pending publishes are flushed first). A connection
   * still being made is not waited for (a NATS server that accepts and never
   * answers would hold the stop for `requestTimeoutMs`): it is closed as soon
   * as it is made, or ends by itself with its timeout.
   */
  async close(): Promise<void> {
    this.#closed = true;
    this.#state = 'stopped';
    this.#abandon?.(new SyncError('NATS_CLOSED', 503, 'the NATS transport is stopped'));
    const nc = this.#nc;
    this.#nc = undefined;
    this.#api = undefined;
    if (nc !== undefined && !nc.isClosed()) await closeClient(nc);
  }
}
