import { addToTotals, emptyTotals, type PeerTotals } from './metrics';
import { NatsTransport } from './nats/nats-transport';
import type { SyncClientConfig } from './client-options';
import { describeFailure, type FailureDescription } from './peer-failure';
import { summarizeRound, type RoundTally } from './round-result';
import type { PeerSyncResult } from './sync-status';
import type { ChangeTransport, ExchangeProgress, TransportStatus } from './transport';

interface Entry {
  readonly transport: ChangeTransport;
  readonly totals: PeerTotals;
}

/**
 * The transports besides the HTTP peers (today NATS JetStream), built from
 * the client's config. The sync client schedules each under its name
 * (`nats:<stream>`) like a peer; a round through one is an exchange of data
 * only (files travel between HTTP peers).
 */
export class OtherTransports {
  readonly #entries = new Map<string, Entry>();

  /** @param catchUp - an HTTP catch-up for a transport that cannot serve this server (none without HTTP peers) */
  constructor(config: SyncClientConfig, catchUp: ((reason: string) => Promise<boolean>) | undefined) {
    if (config.nats !== undefined && config.data !== undefined) {
      const nats = new NatsTransport(config.nats, { data: config.data, peerTimeoutMs: config.peerTimeoutMs, catchUp, tokens: config.tokens });
      this.#entries.set(nats.name, { transport: nats, totals: emptyTotals() });
    }
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
    for (const { transport } of this.#entries.values()) transport.start();
  }

  /** Stops them and closes their connections. */
  async close(): Promise<void> {
    await Promise.all([...this.#entries.values()].map(({ transport }) => transport.close()));
  }

  /** Their states, for `GET /status`. */
  statuses(): TransportStatus[] {
    return [...this.#entries.values()].map(({ transport }) => transport.status());
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
    const entry = this.#entries.get(name);
    if (entry === undefined) throw new RangeError(`unknown transport ${name}`);
    const started = performance.now();
    const tally: RoundTally = { phase: 'pull', rowsPulled: 0, rowsPushed: 0, dataConflicts: 0, roots: [], filesError: undefined };
    let error: FailureDescription | undefined;
    try {
      const count = await entry.transport.exchange(onProgress);
      Object.assign(tally, { rowsPulled: count.rowsIn, rowsPushed: count.rowsOut, dataConflicts: count.conflicts });
    } catch (caught) {
      error = describeFailure(caught, { peer: name, phase: tally.phase, clockSkewMs: undefined });
    }
    const result = summarizeRound(name, undefined, tally, performance.now() - started, error);
    addToTotals(entry.totals, result);
    return result;
  }
}
