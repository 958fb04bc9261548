import { EventEmitter } from 'node:events';
import { DEFAULTS } from '../defaults';
import { sweepStaleTempFilesSync } from '../files/temp-files';
import { buildPeerStates } from './client-peers';
import { stoppingError, stopRounds } from './client-stop';
import type { Handshake } from './data-exchange';
import { peerKeyOf, resolveSyncClientOptions, type SyncClientConfig, type SyncClientOptions } from './client-options';
import { DeleteGuard, type DeletionFilter } from './delete-guard';
import { recordPeerSettlements, type SettledPaths } from './file-settled';
import { FilesIdentityKeeper } from './client-files-identity';
import { catchUpOverHttp } from './http-catch-up';
import { KnownPeers } from './known-peers';
import type { PeerTotals } from './metrics';
import type { WireBytes } from './peer-http';
import { peerStatusOf } from './peer-status';
import { PeerRounds, type PeerState } from './peer-round';
import { RecentFileConflicts } from './recent-file-conflicts';
import { streamCoverageWithRelayed } from './relayed-coverage';
import { roundScheduler } from './round-scheduler';
import { MAX_SYNC_INTERVAL_MS, type SyncScheduler } from './scheduler';
import { usableInterval, type SyncInterval } from './sync-interval';
import type { HeldDeletion, PeerStatus, PeerSyncResult, RecentFileConflict, SyncClientEvents, SyncProgress } from './sync-status';
import type { TransportStatus } from './transport';
import { OtherTransports } from './transport-set';
import type { StreamCoverage } from './nats/stream-coverage';

export type { SyncClientOptions } from './client-options';
export type { SyncClientEvents } from './sync-status';

/**
 * Keeps this server in sync with its peers: per peer, a handshake, a data
 * pull then push, then a two-way file sync of every root (held back by the
 * mass-delete guard when it would delete too much). Runs on demand
 * (`syncPeer`, `syncAll`) and periodically (`start`), one sync per peer at a
 * time, with backoff after failures; logs one line per event. Emits
 * `progress` ({@link SyncProgress}) and `result` ({@link PeerSyncResult}).
 */
export class SyncClient extends EventEmitter<SyncClientEvents> {
  readonly #config: SyncClientConfig;
  readonly #peers: Map<string, PeerState>;
  /** Transports besides the HTTP peers (NATS), scheduled under their names like peers. */
  readonly #others: OtherTransports;
  readonly #scheduler: SyncScheduler<PeerSyncResult>;
  readonly #guard: DeleteGuard;
  readonly #known: KnownPeers;
  readonly #fileConflicts = new RecentFileConflicts();
  readonly #rounds: PeerRounds;
  /** How many `stop()` calls run: while any does, a sync asked for is refused (stop() would not wait for it). */
  #stopping = 0;
  /** The identity this server's file sync goes by when it has no data (`stateDir/files-site.json`). */
  readonly #filesIdentity: FilesIdentityKeeper;

  /**
   * @throws TypeError for a bad option (a peer URL that is not http(s), a missing `stateDir` with files), or when neither data nor files are given
   * @throws RangeError for a number out of range, or a `stateDir` inside a sync root
   * @throws SyncError `STORAGE_NOT_WRITABLE` or `INSUFFICIENT_STORAGE` (507) when this server's disk refuses to keep,
   * without data, its file-sync identity in `stateDir` (`files-site.json`; the message names the folder and the fix)
   */
  constructor(options: SyncClientOptions) {
    super();
    const config = resolveSyncClientOptions(options);
    this.#config = config;
    if (config.stateDir !== undefined) sweepStaleTempFilesSync(config.stateDir); // a state file half-written by a crash
    this.#filesIdentity = new FilesIdentityKeeper(config);
    this.#guard = new DeleteGuard(config.maxDeletePercent);
    this.#known = new KnownPeers(config.stateDir);
    this.#rounds = new PeerRounds({ ...config, filesSite: () => this.filesSite }, this.#guard, this.#known, (peer, phase, done, total) => this.#progress(peer, phase, done, total), () => this.#scheduler.intervalMs);
    const handshaken = (url: string, shook: Handshake): Promise<void> => this.#rounds.handshaken(url, this.#peers.get(url) as PeerState, shook);
    this.#peers = buildPeerStates(config, { known: this.#known, handshaken, snapshotProgress: (url, done) => this.#progress(url, 'snapshot', done, 1) });
    this.#others = new OtherTransports(config, config.peers.length === 0 ? undefined : () => catchUpOverHttp(this.#peers, (url) => this.syncPeer(url)));
    this.#scheduler = roundScheduler(config, [...config.peers, ...this.#others.names], this.#known, {
      runOnce: (url) => this.#syncOnce(url),
      nameOf: (url) => this.#peers.get(url)?.name,
    });
  }

  /**
   * Syncs with one peer now (joins a sync with it that is already running).
   * @param url - a peer as `peers` gives it (`http://host:port` means its `/api/sync`), or a transport's name (`nats:<stream>`)
   * @throws TypeError for a url that is not a string; RangeError for a peer this client does not sync with
   * @throws SyncError `STOPPED` (503), as a rejection, while `stop()` runs: nothing is started
   */
  syncPeer(url: string): Promise<PeerSyncResult> {
    if (this.#stopping > 0) return Promise.reject(stoppingError());
    return this.#scheduler.syncNow(peerKeyOf(url, (key) => this.#peers.has(key) || this.#others.has(key)));
  }

  /**
   * Syncs with every peer (and through every other transport) now, concurrently; a peer that is down does not hold up the others.
   * @throws SyncError `STOPPED` (503), as a rejection, while `stop()` runs: nothing is started
   */
  async syncAll(): Promise<PeerSyncResult[]> {
    if (this.#stopping > 0) throw stoppingError();
    return Promise.all([...this.#peers.keys(), ...this.#others.names].map((url) => this.syncPeer(url)));
  }

  /**
   * Syncs every peer every `intervalMs`, backing off after failures. An
   * interval under `DEFAULTS.minSyncIntervalMs` (1 s) is raised to it, with a
   * warning: `start(30)` means 30 ms, almost surely a slip for 30 s. Starts
   * the background transports too (NATS publishes and applies as changes come).
   * @param interval - milliseconds (`start(30_000)`), or `start({ intervalMs: 30_000 })`
   * @throws TypeError for an interval that is not a number; RangeError for one that is not a positive integer
   */
  start(interval: SyncInterval): void {
    this.#scheduler.start(usableInterval(interval, this.#config.logger));
    this.#others.start();
  }

  /**
   * Stops periodic syncs and lets the running ones end, for at most `graceMs`; then abandons their requests
   * in flight (and closes NATS, abandoning a round through it), so a stop never waits for a slow or unreachable
   * peer or NATS server: those syncs end with `STOPPED` (a page
   * already applied stays applied, a file is written whole or not at all; the next sync resumes from there).
   * Resolves once every sync has ended and the connections are closed; the client may then sync or start
   * again with its HTTP peers (NATS stays closed: a round through it ends with `NATS_CLOSED`).
   * @param graceMs - how long running syncs may take to end on their own (0: abandon at once) @defaultValue `DEFAULTS.stopGraceMs` (2 s)
   * @throws RangeError for a grace that is not a non-negative integer
   */
  async stop(graceMs: number = DEFAULTS.stopGraceMs): Promise<void> {
    if (!Number.isSafeInteger(graceMs) || graceMs < 0 || graceMs > MAX_SYNC_INTERVAL_MS) {
      throw new RangeError(`graceMs must be an integer from 0 to ${MAX_SYNC_INTERVAL_MS}, got ${String(graceMs)}`);
    }
    this.#stopping += 1; // from here on a sync asked for is refused: this stop would not wait for it
    try {
      await stopRounds({ scheduler: this.#scheduler, links: [...this.#peers.values()].map((peer) => peer.http), others: this.#others, known: this.#known }, graceMs);
    } finally {
      this.#stopping -= 1;
    }
  }

  /** True while `stop()` runs: `syncPeer` and `syncAll` are refused with `STOPPED` (503) meanwhile. */
  get stopping(): boolean {
    return this.#stopping > 0;
  }

  /** Every transport's state: one per HTTP peer that syncs data (not one that syncs files only: `filesOnly`), then NATS; for `GET /status`. */
  transportStatuses(): TransportStatus[] {
    const http = [...this.#peers.values()].flatMap((peer) => (peer.data === undefined || peer.filesOnly === true ? [] : [peer.data.status()]));
    return [...http, ...this.#others.statuses()];
  }

  /** The names of the transports besides the HTTP peers (`nats:<stream>`); `syncPeer` takes them too. */
  get transports(): readonly string[] {
    return this.#others.names;
  }

  /** What this server holds of each NATS stream it reads (`GET /data/info` answers it, for the peers' catch-ups). */
  streamCoverage(): StreamCoverage[] {
    return streamCoverageWithRelayed(this.#others.coverage(), this.#peers.values());
  }

  /**
   * Confirms deletions the mass-delete guard held back (all, one peer's or
   * one root's): the next sync of each may make them, once. The peer is read
   * as `peers` are (`http://host:port` means its `/api/sync`).
   * @returns what was confirmed (empty when nothing matched)
   * @throws TypeError for a filter key other than `peer` and `root` (a typo must not confirm everything), a value that is not a non-empty string, or a peer that is not an http(s) URL
   */
  confirmDeletions(filter: DeletionFilter = {}): HeldDeletion[] {
    const confirmed = this.#guard.confirm(filter);
    for (const entry of confirmed) {
      this.#config.logger.info({ event: 'files.deletions_confirmed', peer: entry.peer, root: entry.root, side: entry.side, count: entry.count }, 'held deletions confirmed by an operator');
    }
    return confirmed;
  }

  /**
   * Records what a peer's own round settled with this server (`POST
   * /files/settled`) in the file-sync base kept for it: each peer URL whose
   * last handshake answered with `site`. Resolves with how many took it
   * (0 when this server does not sync files with that site, or while two
   * peer URLs answer `GET /files/info` or `GET /data/info` with it and two instances: DUPLICATE_SITE_ID).
   */
  recordPeerSettlements(site: string, settled: SettledPaths): Promise<number> {
    const { files, stateDir } = this.#config;
    const contested = this.#rounds.contestedFileSite(site) || this.#config.data?.peerSiteContested(site) === true;
    if (files === undefined || contested) return Promise.resolve(0); // two servers answer that id: neither base takes them
    return recordPeerSettlements({ peers: [...this.#peers.keys()], known: this.#known, stateDir, handshakes: true }, site, settled);
  }

  /**
   * The id this server's file sync goes by: its site id, or without data the
   * identity kept in `stateDir` (`files-site.json`); none without files.
   * Answered by `GET /files/info`, sent with `POST /files/settled`.
   */
  get filesSite(): string | undefined {
    return this.#config.data?.siteId ?? this.#filesIdentity.site;
  }

  /** Random per running client without data, answered with {@link SyncClient.filesSite} by `GET /files/info`; none with data (its tracker's instance is). */
  get filesInstance(): string | undefined {
    return this.#filesIdentity.site === undefined ? undefined : this.#filesIdentity.instance;
  }

  /** Deletions held back now, all peers. */
  heldDeletions(): HeldDeletion[] {
    return this.#guard.held();
  }

  /** The most recent file conflicts, newest first. */
  recentFileConflicts(): RecentFileConflict[] {
    return this.#fileConflicts.list();
  }

  /** Every peer's state, for `GET /status`. */
  peerStatuses(): PeerStatus[] {
    const schedule = this.#scheduler.status();
    const tracker = this.#config.data;
    // Writes the capture log holds but cannot fold yet (a tracked table changed under the running server) are not delivered either.
    const data = { tracker, localSeq: tracker === undefined ? undefined : Math.max(tracker.currentSeq(), tracker.capturedSeq()) };
    const held = this.#guard.held();
    return [...this.#peers].map(([url, peer]) => peerStatusOf(url, peer, schedule.get(url), data, held));
  }

  /** Running totals per peer since start, for `GET /metrics`. */
  totals(): ReadonlyMap<string, PeerTotals> {
    return new Map([...[...this.#peers].map(([url, peer]): [string, PeerTotals] => [url, { ...peer.totals }]), ...this.#others.totals()]);
  }

  /** JSON body bytes sent to and received from each HTTP peer so far, as they crossed the wire (file and snapshot bodies are not counted). */
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
    if (this.#others.has(url)) {
      const exchanged = await this.#others.exchangeOnce(url, (phase, rows) => this.#progress(url, phase, rows, undefined));
      this.emit('result', exchanged);
      return exchanged;
    }
    const result = await this.#rounds.run(url, this.#peers.get(url) as PeerState);
    this.#filesIdentity.afterRound();
    this.#fileConflicts.keep(result);
    this.emit('result', result);
    return result;
  }
}
