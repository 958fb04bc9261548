import { EventEmitter } from 'node:events';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { handshake, pullChanges, pushChanges, type Handshake, type LocalData } from './data-exchange';
import type { FilePolicy } from '../files/file-policy';
import { syncRoot, type RootSyncReport } from './file-exchange';
import { FileSyncState } from './file-sync-state';
import type { ManifestCache } from '../files/manifest-cache';
import { addToTotals, emptyTotals, type PeerTotals } from './metrics';
import { PeerHttp } from './peer-http';
import { SyncScheduler, type BackoffOptions } from './scheduler';
import { SyncError } from '../sync-error';
import type { PeerStatus, PeerSyncResult, SyncProgress, SyncStatus } from './sync-status';

/** The files a sync client keeps in step: this server's roots, policy and digest cache. */
export interface LocalFiles {
  readonly roots: ReadonlyMap<string, string>;
  readonly policy: FilePolicy;
  readonly cache: ManifestCache;
}

/** Options of {@link SyncClient}. */
export interface SyncClientOptions {
  /** Base URLs of the peers' sync routers, e.g. `http://10.0.0.2:5000/api/sync`. */
  readonly peers: readonly string[];
  /** The shared token. */
  readonly token: string;
  /** This server's data (from `enableCapture`); without it only files sync. */
  readonly data?: LocalData;
  /** This server's files; without them only data syncs. */
  readonly files?: LocalFiles;
  /** Folder for the per-peer file-sync state (the base of the three-way comparison). */
  readonly stateDir: string;
  /** Changes per page. @defaultValue 2000 */
  readonly pageSize?: number;
  /** Milliseconds without progress before a request is abandoned. @defaultValue 30000 */
  readonly timeoutMs?: number;
  /** Extra CA certificates for peers with self-signed certificates. */
  readonly ca?: string | Buffer;
  /** Backoff after failures. @defaultValue `{ baseMs: 1000, maxMs: 60000 }` */
  readonly backoff?: BackoffOptions;
}

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
  readonly #options: SyncClientOptions;
  readonly #peers = new Map<string, PeerState>();
  readonly #scheduler: SyncScheduler<PeerSyncResult>;
  readonly #pageSize: number;
  /** File syncs run one at a time: two peers' syncs on the same roots would race each other's preconditions. */
  #filesTurn: Promise<void> = Promise.resolve();

  /**
   * @throws TypeError for a peer URL that is not http(s), or when neither data nor files are given
   * @throws RangeError for a `pageSize` below 1
   */
  constructor(options: SyncClientOptions) {
    super();
    if (options.data === undefined && options.files === undefined) throw new TypeError('express-sqlite-sync: a sync client needs `data`, `files` or both');
    this.#pageSize = options.pageSize ?? 2000;
    if (!Number.isSafeInteger(this.#pageSize) || this.#pageSize < 1) throw new RangeError(`express-sqlite-sync: \`pageSize\` must be a positive integer, got ${this.#pageSize}`);
    this.#options = options;
    for (const url of options.peers) {
      this.#peers.set(url, { http: new PeerHttp({ url, token: options.token }, { timeoutMs: options.timeoutMs, ca: options.ca }), handshake: undefined, lagChanges: undefined, totals: emptyTotals() });
    }
    this.#scheduler = new SyncScheduler<PeerSyncResult>({
      peers: options.peers,
      runOnce: (url) => this.#syncOnce(url),
      isFailure: (result) => (result.ok ? undefined : `${result.error?.code ?? 'ERROR'}: ${result.error?.message ?? ''}`),
      backoff: options.backoff ?? { baseMs: 1000, maxMs: 60_000 },
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

  /** The peers' URLs. */
  get peers(): readonly string[] {
    return [...this.#peers.keys()];
  }

  /** The status of this server and its peers. */
  status(conflicts: number): SyncStatus {
    const info = this.#options.data?.info();
    return { site: info?.site, seq: info?.seq, conflicts, peers: this.peerStatuses() };
  }

  #progress(peer: string, phase: SyncProgress['phase'], done: number, total: number | undefined): void {
    this.emit('progress', { peer, phase, done, total } satisfies SyncProgress);
  }

  async #syncOnce(url: string): Promise<PeerSyncResult> {
    const peer = this.#peers.get(url) as PeerState;
    const started = performance.now();
    const tally = { rowsPulled: 0, rowsPushed: 0, dataConflicts: 0, reports: [] as RootSyncReport[] };
    let error: { code: string; message: string } | undefined;
    try {
      await this.#syncData(url, peer, tally);
      await this.#syncFiles(url, peer, tally.reports);
    } catch (caught) {
      error = errorOf(caught);
    }
    const result = summarize(url, peer, tally, performance.now() - started, error);
    addToTotals(peer.totals, result);
    this.emit('result', result);
    return result;
  }

  async #syncData(url: string, peer: PeerState, tally: { rowsPulled: number; rowsPushed: number; dataConflicts: number }): Promise<void> {
    const data = this.#options.data;
    if (data === undefined) return;
    this.#progress(url, 'handshake', 0, 1);
    peer.handshake = await handshake(peer.http, data);
    const { remoteSite, remoteSeq } = peer.handshake;
    peer.lagChanges = Math.max(0, remoteSeq - data.cursorFor(remoteSite));
    this.#progress(url, 'handshake', 1, 1);
    const pulled = await pullChanges(peer.http, data, remoteSite, this.#pageSize, (count) => this.#progress(url, 'pull', count.rows, undefined));
    peer.lagChanges = 0;
    const pushed = await pushChanges(peer.http, data, remoteSite, this.#pageSize, (count) => this.#progress(url, 'push', count.rows, undefined));
    tally.rowsPulled = pulled.rows;
    tally.rowsPushed = pushed.rows;
    tally.dataConflicts = pulled.conflicts + pushed.conflicts;
  }

  async #syncFiles(url: string, peer: PeerState, reports: RootSyncReport[]): Promise<void> {
    if (this.#options.files === undefined) return;
    const turn = this.#filesTurn.then(() => this.#syncFilesNow(url, peer, reports));
    this.#filesTurn = turn.catch(() => undefined);
    await turn;
  }

  async #syncFilesNow(url: string, peer: PeerState, reports: RootSyncReport[]): Promise<void> {
    const files = this.#options.files;
    if (files === undefined) return;
    const key = createHash('sha256').update(url).digest('hex').slice(0, 16);
    const state = await FileSyncState.load(path.join(this.#options.stateDir, `files-${key}.json`));
    const remoteSiteId = peer.handshake?.remoteSite ?? new URL(url).host;
    for (const root of files.roots.keys()) {
      const report = await syncRoot(
        { ...files, peer: peer.http, remoteSiteId, state, now: () => new Date(), onProgress: (done, total) => this.#progress(url, 'files', done, total) },
        root,
      );
      reports.push(report);
    }
  }
}

function summarize(
  url: string,
  peer: PeerState,
  tally: { rowsPulled: number; rowsPushed: number; dataConflicts: number; reports: RootSyncReport[] },
  durationMs: number,
  error: { code: string; message: string } | undefined,
): PeerSyncResult {
  const { reports } = tally;
  const sum = (pick: (report: RootSyncReport) => number): number => reports.reduce((total, report) => total + pick(report), 0);
  return {
    peer: url,
    siteId: peer.handshake?.remoteSite,
    ok: error === undefined,
    rowsPulled: tally.rowsPulled,
    rowsPushed: tally.rowsPushed,
    filesUp: sum((report) => report.uploaded),
    filesDown: sum((report) => report.downloaded),
    filesDeleted: sum((report) => report.deletedHere + report.deletedThere),
    dataConflicts: tally.dataConflicts,
    fileConflicts: reports.flatMap((report) => report.conflicts),
    durationMs,
    error,
    fileErrors: reports.flatMap((report) => report.errors),
  };
}
