import { EventEmitter } from 'node:events';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { resolveSyncClientOptions, type SyncClientConfig, type SyncClientOptions } from './client-options';
import { syncRoot, type RootSyncResult } from './file-exchange';
import { FileSyncState } from './file-sync-state';
import { addToTotals, emptyTotals, type PeerTotals } from './metrics';
import { PeerHttp } from './peer-http';
import { SyncScheduler } from './scheduler';
import { SyncError } from '../sync-error';
import type { PeerStatus, PeerSyncResult, SyncProgress } from './sync-status';
import type { ChangeTransport, TransportStatus } from './transport';
import { HttpTransport } from './transport-http';
import { NatsTransport } from './nats/nats-transport';

export type { SyncClientOptions } from './client-options';

interface PeerState {
  readonly http: PeerHttp;
  /** The peer's data transport, when this server syncs data. */
  readonly data: HttpTransport | undefined;
  readonly totals: PeerTotals;
}

function errorOf(error: unknown): { code: string; message: string } {
  if (error instanceof SyncError) return { code: error.code, message: error.message };
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return { code: typeof code === 'string' ? code : 'SYNC_FAILED', message: error instanceof Error ? error.message : String(error) };
}

/**
 * Keeps this server in sync with its peers: per peer, a handshake, a data
 * pull then push, then a two-way file sync of every root. Runs on demand
 * (`syncPeer`, `syncAll`) and periodically (`start`), one sync per peer at a
 * time, with backoff after failures. Emits `progress` ({@link SyncProgress})
 * and `result` ({@link PeerSyncResult}).
 */
export class SyncClient extends EventEmitter {
  readonly #config: SyncClientConfig;
  readonly #peers = new Map<string, PeerState>();
  /** Transports other than the HTTP peers (NATS), scheduled under their name like a peer. */
  readonly #transports = new Map<string, { readonly transport: ChangeTransport; readonly totals: PeerTotals }>();
  readonly #scheduler: SyncScheduler<PeerSyncResult>;
  /** File syncs run one at a time: two peers' syncs on the same roots would race each other's preconditions. */
  #filesTurn: Promise<void> = Promise.resolve();

  /**
   * @throws TypeError for a bad option (a peer URL that is not http(s), a missing `stateDir` with files), or when neither data nor files are given
   * @throws RangeError for a number out of range, or a `stateDir` inside a sync root
   */
  constructor(options: SyncClientOptions) {
    super();
    const config = resolveSyncClientOptions(options);
    this.#config = config;
    for (const url of config.peers) {
      const http = new PeerHttp({ url, token: config.token }, { peerTimeoutMs: config.peerTimeoutMs, peerCa: config.peerCa });
      const data = config.data === undefined ? undefined : new HttpTransport(http, config.data, config.syncPageSize);
      this.#peers.set(url, { http, data, totals: emptyTotals() });
    }
    if (config.nats !== undefined && config.data !== undefined) {
      const catchUp = config.peers.length === 0 ? undefined : () => this.#catchUpOverHttp();
      const nats = new NatsTransport(config.nats, { data: config.data, peerTimeoutMs: config.peerTimeoutMs, catchUp });
      this.#transports.set(nats.name, { transport: nats, totals: emptyTotals() });
    }
    this.#scheduler = new SyncScheduler<PeerSyncResult>({
      peers: [...config.peers, ...this.#transports.keys()],
      runOnce: (url) => this.#syncOnce(url),
      isFailure: (result) => (result.ok ? undefined : `${result.error?.code ?? 'ERROR'}: ${result.error?.message ?? ''}`),
      backoff: config.backoff,
    });
  }

  /** Syncs with one peer now (joins a sync with it that is already running). */
  syncPeer(url: string): Promise<PeerSyncResult> {
    return this.#scheduler.syncNow(url);
  }

  /** Syncs with every peer (and through every other transport) now, concurrently; a peer that is down does not hold up the others. */
  async syncAll(): Promise<PeerSyncResult[]> {
    return Promise.all([...this.#peers.keys(), ...this.#transports.keys()].map((url) => this.syncPeer(url)));
  }

  /**
   * Syncs every peer every `intervalMs`, backing off after failures, and
   * starts the background transports (NATS publishes and applies as changes come).
   * @throws RangeError for a bad interval
   */
  start(intervalMs: number): void {
    this.#scheduler.start(intervalMs);
    for (const { transport } of this.#transports.values()) transport.start();
  }

  /** Stops periodic syncs, waits for running ones, closes connections. */
  async stop(): Promise<void> {
    await this.#scheduler.stop();
    for (const peer of this.#peers.values()) peer.http.close();
    await Promise.all([...this.#transports.values()].map(({ transport }) => transport.close()));
  }

  /** Every transport's state: one per HTTP peer that syncs data, then NATS; for `GET /status`. */
  transportStatuses(): TransportStatus[] {
    const http = [...this.#peers.values()].flatMap((peer) => (peer.data === undefined ? [] : [peer.data.status()]));
    return [...http, ...[...this.#transports.values()].map(({ transport }) => transport.status())];
  }

  /** The names of the transports besides the HTTP peers (`nats:<stream>`); `syncPeer` takes them too. */
  get transports(): readonly string[] {
    return [...this.#transports.keys()];
  }

  /** Data catch-up for a transport that cannot serve this server: a sync with every HTTP peer; true when one succeeded. */
  async #catchUpOverHttp(): Promise<boolean> {
    const results = await Promise.all([...this.#peers.keys()].map((url) => this.syncPeer(url)));
    return results.some((result) => result.ok);
  }

  /** Every peer's state, for `GET /status`. */
  peerStatuses(): PeerStatus[] {
    const schedule = this.#scheduler.status();
    return [...this.#peers].map(([url, peer]) => {
      const state = schedule.get(url);
      return {
        url,
        siteId: peer.data?.handshake?.remoteSite,
        running: state?.running ?? false,
        lastSuccessAt: state?.lastSuccessAt === undefined ? undefined : new Date(state.lastSuccessAt).toISOString(),
        lastError: state?.lastError,
        failures: state?.failures ?? 0,
        nextRunAt: state?.nextRunAt === undefined ? undefined : new Date(state.nextRunAt).toISOString(),
        lagChanges: peer.data?.lagChanges,
        clockSkewMs: peer.data?.handshake?.clockSkewMs,
        lastResult: state?.lastResult,
      };
    });
  }

  /** Running totals per peer since start, for `GET /metrics`. */
  totals(): ReadonlyMap<string, PeerTotals> {
    return new Map([...this.#peers, ...this.#transports].map(([url, peer]) => [url, { ...peer.totals }]));
  }

  /** The peers' URLs. */
  get peers(): readonly string[] {
    return [...this.#peers.keys()];
  }

  #progress(peer: string, phase: SyncProgress['phase'], done: number, total: number | undefined): void {
    this.emit('progress', { peer, phase, done, total } satisfies SyncProgress);
  }

  async #syncOnce(url: string): Promise<PeerSyncResult> {
    const other = this.#transports.get(url);
    if (other !== undefined) return this.#exchangeOnce(url, other);
    const peer = this.#peers.get(url) as PeerState;
    const started = performance.now();
    const tally = { rowsPulled: 0, rowsPushed: 0, dataConflicts: 0, roots: [] as RootSyncResult[] };
    let error: { code: string; message: string } | undefined;
    try {
      await this.#syncData(url, peer, tally);
      await this.#syncFiles(url, peer, tally.roots);
    } catch (caught) {
      error = errorOf(caught);
    }
    const result = summarize(url, peer, tally, performance.now() - started, error);
    addToTotals(peer.totals, result);
    this.emit('result', result);
    return result;
  }

  /** One exchange through a transport other than an HTTP peer (data only: files travel between HTTP peers). */
  async #exchangeOnce(name: string, entry: { readonly transport: ChangeTransport; readonly totals: PeerTotals }): Promise<PeerSyncResult> {
    const started = performance.now();
    const tally = { rowsPulled: 0, rowsPushed: 0, dataConflicts: 0, roots: [] as RootSyncResult[] };
    let error: { code: string; message: string } | undefined;
    try {
      const count = await entry.transport.exchange((phase, rows) => this.#progress(name, phase, rows, undefined));
      Object.assign(tally, { rowsPulled: count.rowsIn, rowsPushed: count.rowsOut, dataConflicts: count.conflicts });
    } catch (caught) {
      error = errorOf(caught);
    }
    const result = summarize(name, undefined, tally, performance.now() - started, error);
    addToTotals(entry.totals, result);
    this.emit('result', result);
    return result;
  }

  async #syncData(url: string, peer: PeerState, tally: { rowsPulled: number; rowsPushed: number; dataConflicts: number }): Promise<void> {
    if (peer.data === undefined) return;
    this.#progress(url, 'handshake', 0, 1);
    let shaken = false;
    const count = await peer.data.exchange((phase, rows) => {
      if (!shaken) this.#progress(url, 'handshake', 1, 1);
      shaken = true;
      this.#progress(url, phase, rows, undefined);
    });
    tally.rowsPulled = count.rowsIn;
    tally.rowsPushed = count.rowsOut;
    tally.dataConflicts = count.conflicts;
  }

  async #syncFiles(url: string, peer: PeerState, results: RootSyncResult[]): Promise<void> {
    if (this.#config.files === undefined) return;
    const turn = this.#filesTurn.then(() => this.#syncFilesNow(url, peer, results));
    this.#filesTurn = turn.catch(() => undefined);
    await turn;
  }

  async #syncFilesNow(url: string, peer: PeerState, results: RootSyncResult[]): Promise<void> {
    const { files, stateDir } = this.#config;
    if (files === undefined || stateDir === undefined) return;
    const key = createHash('sha256').update(url).digest('hex').slice(0, 16);
    const state = await FileSyncState.load(path.join(stateDir, `files-${key}.json`));
    const remoteSiteId = peer.data?.handshake?.remoteSite ?? new URL(url).host;
    const link = { peer: peer.http, remoteSiteId, state, now: () => new Date(), onProgress: (done: number, total: number) => this.#progress(url, 'files', done, total) };
    for (const root of files.roots.keys()) results.push(await syncRoot(files, link, root));
  }
}

function summarize(
  url: string,
  peer: PeerState | undefined,
  tally: { rowsPulled: number; rowsPushed: number; dataConflicts: number; roots: RootSyncResult[] },
  durationMs: number,
  error: { code: string; message: string } | undefined,
): PeerSyncResult {
  const { roots } = tally;
  const sum = (pick: (root: RootSyncResult) => number): number => roots.reduce((total, root) => total + pick(root), 0);
  return {
    peer: url,
    siteId: peer?.data?.handshake?.remoteSite,
    ok: error === undefined,
    rowsPulled: tally.rowsPulled,
    rowsPushed: tally.rowsPushed,
    filesUp: sum((root) => root.uploaded),
    filesDown: sum((root) => root.downloaded),
    filesDeleted: sum((root) => root.deletedHere + root.deletedThere),
    dataConflicts: tally.dataConflicts,
    fileConflicts: roots.flatMap((root) => root.conflicts),
    durationMs,
    error,
    fileErrors: roots.flatMap((root) => root.errors),
  };
}
