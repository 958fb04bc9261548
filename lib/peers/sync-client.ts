import { EventEmitter } from 'node:events';
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { ChangeTracker } from '../data/change-tracker';
import { DEFAULTS } from '../defaults';
import { sweepStaleTempFilesSync } from '../files/temp-files';
import { resolveSyncClientOptions, type SyncClientConfig, type SyncClientOptions } from './client-options';
import { handshake, pullChanges, pushChanges } from './data-exchange';
import { DeleteGuard, type DeletionFilter } from './delete-guard';
import { syncRoot, type RootSyncResult } from './file-exchange';
import { FileSyncState } from './file-sync-state';
import { KnownPeers } from './known-peers';
import { addToTotals, emptyTotals, type PeerTotals } from './metrics';
import { describeFailure, type FailureDescription, type SyncPhase } from './peer-failure';
import { PeerHttp, type WireBytes } from './peer-http';
import { peerStatusOf, type PeerMemory } from './peer-status';
import { summarizeRound, type RoundTally } from './round-result';
import { SyncScheduler } from './scheduler';
import { SnapshotJoins } from './snapshot-join';
import { logSyncResult } from './sync-log';
import type { HeldDeletion, PeerStatus, PeerSyncResult, RecentFileConflict, SyncProgress } from './sync-status';

export type { SyncClientOptions } from './client-options';

interface PeerState extends PeerMemory {
  readonly http: PeerHttp;
  readonly totals: PeerTotals;
}

/** File conflicts kept for `/status`, newest first. */
const RECENT_FILE_CONFLICTS = 50;

/**
 * Keeps this server in sync with its peers: per peer, a handshake, a data
 * pull then push, then a two-way file sync of every root (held back by the
 * mass-delete guard when it would delete too much). Runs on demand
 * (`syncPeer`, `syncAll`) and periodically (`start`), one sync per peer at a
 * time, with backoff after failures; logs one line per event. Emits
 * `progress` ({@link SyncProgress}) and `result` ({@link PeerSyncResult}).
 */
export class SyncClient extends EventEmitter {
  readonly #config: SyncClientConfig;
  readonly #peers = new Map<string, PeerState>();
  readonly #scheduler: SyncScheduler<PeerSyncResult>;
  readonly #guard: DeleteGuard;
  readonly #known: KnownPeers;
  readonly #fileConflicts: RecentFileConflict[] = [];
  /** File syncs run one at a time: two peers' syncs on the same roots would race each other's preconditions. */
  #filesTurn: Promise<void> = Promise.resolve();
  readonly #snapshots: SnapshotJoins;

  /**
   * @throws TypeError for a bad option (a peer URL that is not http(s), a missing `stateDir` with files), or when neither data nor files are given
   * @throws RangeError for a number out of range, or a `stateDir` inside a sync root
   */
  constructor(options: SyncClientOptions) {
    super();
    const config = resolveSyncClientOptions(options);
    this.#config = config;
    if (config.stateDir !== undefined) sweepStaleTempFilesSync(config.stateDir); // a state file half-written by a crash
    this.#guard = new DeleteGuard(config.maxDeletePercent);
    this.#known = new KnownPeers(config.stateDir);
    this.#snapshots = new SnapshotJoins(config);
    for (const url of config.peers) {
      const http = new PeerHttp({ url, token: config.token }, { peerTimeoutMs: config.peerTimeoutMs, peerCa: config.peerCa, peerCompression: config.peerCompression });
      const known = this.#known.get(url);
      this.#peers.set(url, { http, site: known?.site, name: known?.name, handshake: undefined, lastContactAt: undefined, lagChanges: undefined, totals: emptyTotals() });
    }
    this.#scheduler = new SyncScheduler<PeerSyncResult>({
      peers: config.peers,
      runOnce: (url) => this.#syncOnce(url),
      isFailure: (result) => (result.ok ? undefined : `${result.error?.code ?? 'ERROR'}: ${result.error?.message ?? ''}`),
      backoff: config.backoff,
      onSettled: (url, schedule) => {
        if (schedule.lastResult !== undefined) logSyncResult(config.logger, schedule.lastResult, this.#peers.get(url)?.name, schedule);
      },
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

  /**
   * Syncs every peer every `intervalMs`, backing off after failures. An
   * interval under `DEFAULTS.minSyncIntervalMs` (1 s) is raised to it, with a
   * warning: `start(30)` means 30 ms, almost surely a slip for 30 s.
   * @throws RangeError for an interval that is not a positive integer
   */
  start(intervalMs: number): void {
    const minimum = DEFAULTS.minSyncIntervalMs;
    if (Number.isSafeInteger(intervalMs) && intervalMs > 0 && intervalMs < minimum) {
      this.#config.logger.warn(
        { event: 'sync.interval_raised', intervalMs, usedMs: minimum },
        `start(${intervalMs}): the interval is in milliseconds; syncing every ${minimum} ms instead (write ${intervalMs * 1000} for ${intervalMs} s)`,
      );
      this.#scheduler.start(minimum);
      return;
    }
    this.#scheduler.start(intervalMs);
  }

  /** Stops periodic syncs, waits for running ones, closes connections. */
  async stop(): Promise<void> {
    await this.#scheduler.stop();
    for (const peer of this.#peers.values()) peer.http.close();
  }

  /**
   * Confirms deletions the mass-delete guard held back (all, one peer's or
   * one root's): the next sync of each may make them, once.
   * @returns what was confirmed (empty when nothing matched)
   */
  confirmDeletions(filter: DeletionFilter = {}): HeldDeletion[] {
    const confirmed = this.#guard.confirm(filter);
    for (const entry of confirmed) {
      this.#config.logger.info({ event: 'files.deletions_confirmed', peer: entry.peer, root: entry.root, side: entry.side, count: entry.count }, 'held deletions confirmed by an operator');
    }
    return confirmed;
  }

  /** Deletions held back now, all peers. */
  heldDeletions(): HeldDeletion[] {
    return this.#guard.held();
  }

  /** The most recent file conflicts, newest first. */
  recentFileConflicts(): RecentFileConflict[] {
    return [...this.#fileConflicts];
  }

  /** Every peer's state, for `GET /status`. */
  peerStatuses(): PeerStatus[] {
    const schedule = this.#scheduler.status();
    const tracker = this.#config.data;
    const data = { tracker, localSeq: tracker?.fold() };
    const held = this.#guard.held();
    return [...this.#peers].map(([url, peer]) => peerStatusOf(url, peer, schedule.get(url), data, held));
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
    const tally: RoundTally = { phase: 'handshake', rowsPulled: 0, rowsPushed: 0, dataConflicts: 0, roots: [], filesError: undefined };
    let error: FailureDescription | undefined;
    try {
      await this.#syncData(url, peer, tally);
      await this.#syncFiles(url, peer, tally);
    } catch (caught) {
      error = this.#describe(caught, url, peer, tally.phase);
    }
    const result = summarizeRound(url, peer.site, tally, performance.now() - started, error ?? tally.filesError);
    addToTotals(peer.totals, result);
    this.#keepFileConflicts(result);
    this.emit('result', result);
    return result;
  }

  #describe(error: unknown, url: string, peer: PeerState, phase: SyncPhase): FailureDescription {
    return describeFailure(error, { peer: url, phase, clockSkewMs: peer.handshake?.clockSkewMs });
  }

  #keepFileConflicts(result: PeerSyncResult): void {
    const at = new Date().toISOString();
    this.#fileConflicts.unshift(...result.fileConflicts.map((conflict) => ({ ...conflict, peer: result.peer, at })));
    this.#fileConflicts.splice(RECENT_FILE_CONFLICTS);
  }

  async #syncData(url: string, peer: PeerState, tally: RoundTally): Promise<void> {
    const data: ChangeTracker | undefined = this.#config.data;
    if (data === undefined) return;
    this.#progress(url, 'handshake', 0, 1);
    const shook = await handshake(peer.http, data);
    Object.assign(peer, { handshake: shook, site: shook.remoteSite, name: shook.remoteName ?? peer.name, lastContactAt: Date.now() });
    peer.lagChanges = Math.max(0, shook.remoteSeq - data.pullCursor(shook.remoteSite));
    await this.#known.remember(url, { site: shook.remoteSite, name: peer.name });
    this.#progress(url, 'handshake', 1, 1);
    const { syncPageSize } = this.#config;
    tally.phase = 'pull';
    const onSnapshot = (done: number): void => this.#progress(url, 'snapshot', done, 1);
    tally.rowsPulled = await this.#snapshots.joinIfEmpty(peer.http, data, shook.remoteSite, shook.remoteSeq, onSnapshot);
    const pulled = await pullChanges(peer.http, data, shook.remoteSite, syncPageSize, (count) => this.#progress(url, 'pull', count.rows, undefined));
    tally.rowsPulled += pulled.rows;
    peer.lagChanges = 0;
    tally.phase = 'push';
    const pushed = await pushChanges(peer.http, data, shook.remoteSite, syncPageSize, (count) => this.#progress(url, 'push', count.rows, undefined));
    tally.rowsPushed = pushed.rows;
    tally.dataConflicts = pulled.conflicts + pushed.conflicts;
  }

  async #syncFiles(url: string, peer: PeerState, tally: RoundTally): Promise<void> {
    if (this.#config.files === undefined) return;
    tally.phase = 'files';
    const turn = this.#filesTurn.then(() => this.#syncFilesNow(url, peer, tally));
    this.#filesTurn = turn.catch(() => undefined);
    await turn;
  }

  /** Syncs every root in turn; a root that fails is reported and the others still sync. */
  async #syncFilesNow(url: string, peer: PeerState, tally: RoundTally): Promise<void> {
    const { files, stateDir } = this.#config;
    if (files === undefined || stateDir === undefined) return;
    const key = createHash('sha256').update(url).digest('hex').slice(0, 16);
    const state = await FileSyncState.load(path.join(stateDir, `files-${key}.json`));
    const link = {
      peer: peer.http,
      remoteSiteId: peer.site ?? new URL(url).host,
      state,
      now: () => new Date(),
      onProgress: (done: number, total: number) => this.#progress(url, 'files', done, total),
      guardDeletions: (root: string, plan: Parameters<DeleteGuard['check']>[2]) => this.#guard.check(url, root, plan),
    };
    for (const root of files.roots.keys()) {
      try {
        tally.roots.push(await syncRoot(files, link, root));
      } catch (caught) {
        const failure = this.#describe(caught, url, peer, 'files');
        tally.filesError ??= failure;
        tally.roots.push(failedRoot(root, failure));
      }
    }
  }
}

/** The result of a root whose sync failed as a whole (the peer's listing refused, the peer gone). */
function failedRoot(root: string, failure: FailureDescription): RootSyncResult {
  return { root, uploaded: 0, downloaded: 0, deletedHere: 0, deletedThere: 0, conflicts: [], errors: [{ path: root, ...failure }], skipped: false, held: [] };
}
