import { addToTotals, emptyTotals, type PeerTotals } from './metrics';
import { NatsTransport } from './nats/nats-transport';
import type { SyncClientConfig } from './client-options';
import { describeFailure, type FailureDescription } from './peer-failure';
import { summarizeRound, type RoundTally } from './round-result';
import type { PeerSyncResult } from './sync-status';
import type { ChangeTransport, ExchangeProgress, TransportStatus } from './transport';
import type { CatchUpOutcome, StreamCoverage } from './nats/stream-coverage';

interface Entry {
  transport: ChangeTransport;
  readonly totals: PeerTotals;
  /** The site id the transport was built for: NATS publishes on that site's subject, with cursors kept under it. */
  site: string;
  /** Settles once the transport it replaced is closed (and this one started, when the set runs). */
  ready: Promise<void>;
}

/**
 * The transports besides the HTTP peers (today NATS JetStream), built from
 * the client's config. The sync client schedules each under its name
 * (`nats:<stream>`) like a peer; a round through one is an exchange of data
 * only (files travel between HTTP peers).
 */
export class OtherTransports {
  readonly #entries = new Map<string, Entry>();
  readonly #build: (() => NatsTransport) | undefined;
  readonly #siteId: () => string;
  #started = false;
  /** Set by `close`: a transport is never built again after it (a round through a closed one ends with `NATS_CLOSED`). */
  #closed = false;

  /** @param catchUp - an HTTP catch-up for a transport that cannot serve this server (none without HTTP peers) */
  constructor(config: SyncClientConfig, catchUp: ((reason: string) => Promise<CatchUpOutcome>) | undefined) {
    const { nats, data } = config;
    this.#siteId = () => data?.siteId ?? '';
    if (nats !== undefined && data !== undefined) {
      this.#build = () => new NatsTransport(nats, { data, peerTimeoutMs: config.peerTimeoutMs, catchUp, tokens: config.tokens, logger: config.logger });
      const transport = this.#build();
      this.#entries.set(transport.name, { transport, totals: emptyTotals(), site: data.siteId, ready: Promise.resolve() });
    }
  }

  /**
   * The entry, built again when this server took a new site id by itself
   * since (a rewind or a clone found in an HTTP handshake): the old one
   * published on the old id's subject, where the other history's messages
   * had stopped it with SAME_SITE_ID for good. The new one publishes this
   * server's whole log on its new subject and reads the stream again from its
   * first message (its cursors see a reader with another site id: `reidentified`).
   * Not once closed: a new transport would connect, and keep the process alive, after `stop()`.
   */
  async #current(entry: Entry): Promise<Entry> {
    if (entry.site !== this.#siteId() && this.#build !== undefined && !this.#closed) {
      const [old, fresh] = [entry.transport, this.#build()];
      Object.assign(entry, { site: this.#siteId(), transport: fresh });
      entry.ready = entry.ready.then(() => old.close().catch(() => undefined)).then(() => (this.#started ? fresh.start() : undefined));
    }
    await entry.ready;
    return entry;
  }

  /** Their names, as `syncPeer` and the results name them. */
  get names(): string[] {
    return [...this.#entries.keys()];
  }

  /** True for the name of one of them. */
  has(name: string): boolean {
    return this.#entries.has(name);
  }

  /** Starts their background delivery. */
  start(): void {
    this.#started = true;
    for (const { transport } of this.#entries.values()) transport.start();
  }

  /**
   * Stops them and closes their connections for good (after any rebuild under
   * way: a transport it started is closed too, and none starts or is built after).
   */
  async close(): Promise<void> {
    this.#started = false;
    this.#closed = true;
    await Promise.all(
      [...this.#entries.values()].map(async (entry) => {
        await entry.ready;
        await entry.transport.close();
      }),
    );
  }

  /** Their states, for `GET /status`. */
  statuses(): TransportStatus[] {
    return [...this.#entries.values()].map(({ transport }) => transport.status());
  }

  /** What this server holds of each NATS stream, for `GET /data/info`. */
  coverage(): StreamCoverage[] {
    return [...this.#entries.values()].flatMap(({ transport }) => {
      const coverage = transport instanceof NatsTransport ? transport.coverage() : undefined;
      return coverage === undefined ? [] : [coverage];
    });
  }

  /** Running totals per transport, for `GET /metrics`. */
  totals(): Array<[string, PeerTotals]> {
    return [...this.#entries].map(([name, entry]) => [name, { ...entry.totals }]);
  }

  /**
   * One exchange through the named transport, as a sync round's result (data only).
   * @throws RangeError for a name that is not one of them
   */
  async exchangeOnce(name: string, onProgress: ExchangeProgress): Promise<PeerSyncResult> {
    const found = this.#entries.get(name);
    if (found === undefined) throw new RangeError(`unknown transport ${name}`);
    const entry = await this.#current(found);
    const started = performance.now();
    const tally: RoundTally = { phase: 'pull', rowsPulled: 0, rowsPushed: 0, dataConflicts: 0, roots: [], filesError: undefined };
    let error: FailureDescription | undefined;
    try {
      // What moved is kept as it moves: a round that fails reports what it published and applied before the failure.
      const count = await entry.transport.exchange((phase, rows, conflicts) => {
        if (phase === 'pull') tally.rowsPulled = rows;
        else tally.rowsPushed = rows;
        if (conflicts !== undefined) tally.dataConflicts = conflicts;
        onProgress(phase, rows, conflicts);
      });
      Object.assign(tally, { rowsPulled: count.rowsIn, rowsPushed: count.rowsOut, dataConflicts: count.conflicts });
    } catch (caught) {
      error = describeFailure(caught, { peer: name, phase: tally.phase, clockSkewMs: undefined });
    }
    const result = summarizeRound(name, undefined, tally, performance.now() - started, error);
    addToTotals(entry.totals, result);
    return result;
  }
}
