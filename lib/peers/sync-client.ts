import { EventEmitter } from 'node:events';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { ChangeTracker } from '../data/change-tracker';
import { resolveSyncClientOptions, type SyncClientConfig, type SyncClientOptions } from './client-options';
import { handshake, pullChanges, pushChanges, type Handshake } from './data-exchange';
import { syncRoot, type RootSyncResult } from './file-exchange';
import { FileSyncState } from './file-sync-state';
import { addToTotals, emptyTotals, type PeerTotals } from './metrics';
import { PeerHttp, type WireBytes } from './peer-http';
import { SyncScheduler } from './scheduler';
import { startFromSnapshot } from './snapshot-join';
import { SyncError } from '../sync-error';
import type { PeerStatus, PeerSyncResult, SyncProgress } from './sync-status';

export type { SyncClientOptions } from './client-options';

interface PeerState {
  readonly http: PeerHttp;
  readonly totals: PeerTotals;
  handshake: Handshake | undefined;
  lagChanges: number | undefined;
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
  readonly #scheduler: SyncScheduler<PeerSyncResult>;
  /** File syncs run one at a time: two peers' syncs on the same roots would race each other's preconditions. */
  #filesTurn: Promise<void> = Promise.resolve();
  /** Snapshot joins run one at a time: once one peer's snapshot started the database, the others are not needed. */
  #snapshotTurn: Promise<void> = Promise.resolve();

  /**
   * @throws TypeError for a bad option (a peer URL that is not http(s), a missing `stateDir` with files), or when neither data nor files are given
   * @throws RangeError for a number out of range, or a `stateDir` inside a sync root
   */
  constructor(options: SyncClientOptions) {
    super();
    const config = resolveSyncClientOptions(options);
    this.#config = config;
    for (const url of config.peers) {
      const http = new PeerHttp({ url, token: config.token }, { peerTimeoutMs: config.peerTimeoutMs, peerCa: config.peerCa, peerCompression: config.peerCompression });
      this.#peers.set(url, { http, handshake: undefined, lagChanges: undefined, totals: emptyTotals() });
    }
    this.#scheduler = new SyncScheduler<PeerSyncResult>({
      peers: config.peers,
      runOnce: (url) => this.#syncOnce(url),
      isFailure: (result) => (result.ok ? undefined : `${result.error?.code ?? 'ERROR'}: ${result.error?.message ?? ''}`),
      backoff: config.backoff,
    });
  }

  /** Syncs with one peer now (joins a sync with it that is already running). */
  syncPeer(url: string): Promise<PeerSyncResult> {
    return this.#scheduler.syncNow(url);
  }

  /** Syncs with every peer now, concurrently; a peer that is down does not hold up the others. */
  async syncAll(): Promise<PeerSyncResult[]> {
    return Promise.all([...this.#peers.keys()].map((url) => this.syncPeer(url)));
  }

  /** Syncs every peer every `intervalMs`, backing off after failures. @throws RangeError for a bad interval */
  start(intervalMs: number): void {
    this.#scheduler.start(intervalMs);
  }

  /** Stops periodic syncs, waits for running ones, closes connections. */
  async stop(): Promise<void> {
    await this.#scheduler.stop();
    for (const peer of this.#peers.values()) peer.http.close();
  }

  /** Every peer's state, for `GET /status`. */
  peerStatuses(): PeerStatus[] {
    const schedule = this.#scheduler.status();
    return [...this.#peers].map(([url, peer]) => {
      const state = schedule.get(url);
      return {
        url,
        siteId: peer.handshake?.remoteSite,
        running: state?.running ?? false,
        lastSuccessAt: state?.lastSuccessAt === undefined ? undefined : new Date(state.lastSuccessAt).toISOString(),
        lastError: state?.lastError,
        failures: state?.failures ?? 0,
        nextRunAt: state?.nextRunAt === undefined ? undefined : new Date(state.nextRunAt).toISOString(),
        lagChanges: peer.lagChanges,
        clockSkewMs: peer.handshake?.clockSkewMs,
        lastResult: state?.lastResult,
      };
    });
  }

  /** Running totals per peer since start, for `GET /metrics`. */
  totals(): ReadonlyMap<string, PeerTotals> {
    return new Map([...this.#peers].map(([url, peer]) => [url, { ...peer.totals }]));
  }

  /** Body bytes sent to and received from each peer so far, as they crossed the wire. */
  wireBytes(): ReadonlyMap<string, WireBytes> {
    return new Map([...this.#peers].map(([url, peer]) => [url, peer.http.wireBytes]));
  }

  /** The peers' URLs. */
  get peers(): readonly string[] {
    return [...this.#peers.keys()];
  }

  #progress(peer: string, phase: SyncProgress['phase'], done: number, total: number | undefined): void {
    this.emit('progress', { peer, phase, done, total } satisfies SyncProgress);
  }

  async #syncOnce(url: string): Promise<PeerSyncResult> {
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

  async #syncData(url: string, peer: PeerState, tally: { rowsPulled: number; rowsPushed: number; dataConflicts: number }): Promise<void> {
    const data: ChangeTracker | undefined = this.#config.data;
    if (data === undefined) return;
    this.#progress(url, 'handshake', 0, 1);
    peer.handshake = await handshake(peer.http, data);
    const { remoteSite, remoteSeq } = peer.handshake;
    peer.lagChanges = Math.max(0, remoteSeq - data.pullCursor(remoteSite));
    this.#progress(url, 'handshake', 1, 1);
    tally.rowsPulled = await this.#joinBySnapshot(url, peer, data, remoteSite, remoteSeq);
    const { syncPageSize } = this.#config;
    const pulled = await pullChanges(peer.http, data, remoteSite, syncPageSize, (count) => this.#progress(url, 'pull', count.rows, undefined));
    peer.lagChanges = 0;
    const pushed = await pushChanges(peer.http, data, remoteSite, syncPageSize, (count) => this.#progress(url, 'push', count.rows, undefined));
    tally.rowsPulled += pulled.rows;
    tally.rowsPushed = pushed.rows;
    tally.dataConflicts = pulled.conflicts + pushed.conflicts;
  }

  /**
   * With no synced data yet and a peer far enough ahead, starts from the
   * peer's snapshot (one join at a time). @returns the rows it brought
   */
  async #joinBySnapshot(url: string, peer: PeerState, data: ChangeTracker, remoteSite: string, remoteSeq: number): Promise<number> {
    const { joinBySnapshot, snapshotMinChanges } = this.#config;
    const wanted = (): boolean => joinBySnapshot && remoteSeq >= snapshotMinChanges && data.pullCursor(remoteSite) === 0 && data.holdsNoSyncedData();
    if (!wanted()) return 0;
    let rows = 0;
    const turn = this.#snapshotTurn.then(async () => {
      if (!wanted()) return;
      this.#progress(url, 'snapshot', 0, 1);
      rows = (await startFromSnapshot(peer.http, data, remoteSite, 'identity'))?.rows ?? 0;
      this.#progress(url, 'snapshot', 1, 1);
    });
    this.#snapshotTurn = turn.catch(() => undefined);
    await turn;
    return rows;
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
    const remoteSiteId = peer.handshake?.remoteSite ?? new URL(url).host;
    const link = { peer: peer.http, remoteSiteId, state, now: () => new Date(), onProgress: (done: number, total: number) => this.#progress(url, 'files', done, total) };
    for (const root of files.roots.keys()) results.push(await syncRoot(files, link, root));
  }
}

function summarize(
  url: string,
  peer: PeerState,
  tally: { rowsPulled: number; rowsPushed: number; dataConflicts: number; roots: RootSyncResult[] },
  durationMs: number,
  error: { code: string; message: string } | undefined,
): PeerSyncResult {
  const { roots } = tally;
  const sum = (pick: (root: RootSyncResult) => number): number => roots.reduce((total, root) => total + pick(root), 0);
  return {
    peer: url,
    siteId: peer.handshake?.remoteSite,
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
