import type { SyncClientConfig } from './client-options';
import type { Handshake } from './data-exchange';
import type { DeleteGuard } from './delete-guard';
import { rm } from 'node:fs/promises';
import { withFileLock } from '../files/file-locks';
import { DuplicateSiteError } from './duplicate-site';
import { askFilePeerSite, duplicateFilesSite, FilePeerSites } from './file-peer-site';
import { rerunDataWhileFiles } from './data-reruns';
import { fileStateOf } from './file-settled';
import { dataOffFailure, noteFilesOnly } from './files-only-peer';
import { syncPeerRoots } from './file-round';
import { RootTurns } from './file-root-turns';
import type { KnownPeers } from './known-peers';
import { addToTotals, type PeerTotals } from './metrics';
import { describeFailure, type FailureDescription, type SyncPhase } from './peer-failure';
import type { PeerHttp } from './peer-http';
import type { PeerMemory } from './peer-status';
import { summarizeRound, type RoundTally } from './round-result';
import type { PeerSyncResult, SyncProgress } from './sync-status';
import type { HttpTransport } from './transport-http';

/** What the client keeps of one HTTP peer. */
export interface PeerState extends PeerMemory {
  readonly http: PeerHttp;
  /** The peer's data transport, when this server syncs data. */
  readonly data: HttpTransport | undefined;
  readonly totals: PeerTotals;
}

/** What the file part of a round runs with: the options, and the id this server's file sync goes by. */
export interface RoundsConfig extends SyncClientConfig {
  /** This server's site id, or the identity of a server without data (`stateDir/files-site.json`). */
  readonly filesSite: () => string | undefined;
}

/** Who the peer is for the file part of a round: the id its base is kept with, and whether it is told what the round settled. */
interface FilePeer {
  readonly site: string;
  readonly tell: boolean;
}

/** Reports a phase of a peer's round as it moves on. */
export type RoundProgress = (peer: string, phase: SyncProgress['phase'], done: number, total: number | undefined) => void;

/**
 * One sync round with one HTTP peer: the data part (handshake, pull, push)
 * through its transport, then the two-way sync of every file root — each
 * root with one peer at a time, roots taken as they are free (see
 * {@link RootTurns}), so a slow peer's long transfer holds only its root.
 * A data failure after the handshake does not hold the files back, and a
 * long file phase does not hold the data back: while periodic syncs run,
 * the data part runs again every interval until the files are done.
 */
export class PeerRounds {
  readonly #config: RoundsConfig;
  readonly #guard: DeleteGuard;
  readonly #known: KnownPeers;
  /** Which URL answered GET /files/info with which id lately: two servers that share one are refused (DUPLICATE_SITE_ID). */
  readonly #fileSites = new FilePeerSites();
  readonly #progress: RoundProgress;
  readonly #rootTurns = new RootTurns();

  readonly #dataEveryMs: () => number | undefined;
  /** Per peer, the file phase's last progress (files done, of how many), told again after a data rerun. */
  readonly #filesProgress = new Map<string, [number, number | undefined]>();

  /**
   * @param progress - told of every phase of every round
   * @param dataEveryMs - the interval of periodic syncs, undefined when they do not run: how often the data part
   * runs again while a round's file phase lasts (none then)
   */
  constructor(config: RoundsConfig, guard: DeleteGuard, known: KnownPeers, progress: RoundProgress, dataEveryMs: () => number | undefined = () => undefined) {
    this.#config = config;
    this.#guard = guard;
    this.#known = known;
    this.#progress = progress;
    this.#dataEveryMs = dataEveryMs;
  }

  /** Runs one round with the peer at `url`; resolves with its result (a failure included), never rejects for the peer's sake. */
  async run(url: string, peer: PeerState): Promise<PeerSyncResult> {
    const started = performance.now();
    const tally: RoundTally = { phase: 'handshake', rowsPulled: 0, rowsPushed: 0, dataConflicts: 0, roots: [], filesError: undefined };
    let dataError: FailureDescription | undefined;
    let filesError: FailureDescription | undefined;
    let dataCaught: unknown;
    try {
      await this.#syncData(url, peer, tally);
    } catch (caught) {
      dataCaught = caught;
      dataError = this.#describe(caught, url, peer, tally.phase);
    }
    // A data failure after the handshake (a page the peer refuses, say) does not hold the files back:
    // the peer is reachable and known; the round still reports the data failure first. Nor does a peer
    // that syncs files only (DATA_OFF), once it says which id its file sync goes by (GET /files/info):
    // its round is then no failure (see dataOffFailure).
    const dataOff = dataError?.code === 'DATA_OFF';
    // Two servers answer the peer's site id: its files are not synced either, and the bases kept with both URLs may hold the other's settlements.
    if (dataCaught instanceof DuplicateSiteError) await this.#dropBases(dataCaught.urls);
    else if (dataError === undefined || tally.phase === 'pull' || tally.phase === 'push' || dataOff) {
      const reached: { filePeer?: boolean } = {};
      const files = this.#syncFiles(url, peer, tally, dataOff, reached);
      if (!dataOff) dataError = await this.#dataWhile(files, url, peer, tally, dataError);
      try {
        await files;
      } catch (caught) {
        filesError = this.#describe(caught, url, peer, tally.phase);
      }
      if (dataOff) {
        dataError = dataOffFailure(dataCaught, url, { reached: reached.filePeer, filesError });
        noteFilesOnly(this.#config.logger, url, peer, { caught: dataCaught, filesSynced: reached.filePeer });
      }
    }
    const result = summarizeRound(url, peer.site, tally, performance.now() - started, dataError, filesError);
    addToTotals(peer.totals, result);
    return result;
  }

  /** What a handshake taught of a peer: its site, name, lag; remembered across restarts. */
  async handshaken(url: string, peer: PeerState, shook: Handshake): Promise<void> {
    Object.assign(peer, { handshake: shook, site: shook.remoteSite, name: shook.remoteName ?? peer.name, lastContactAt: Date.now() });
    peer.lagChanges = shook.remoteUnpulled;
    noteFilesOnly(this.#config.logger, url, peer, undefined);
    await this.#known.remember(url, { site: shook.remoteSite, name: peer.name });
    this.#progress(url, 'handshake', 1, 1);
  }

  #describe(error: unknown, url: string, peer: PeerState, phase: SyncPhase): FailureDescription {
    return describeFailure(error, { peer: url, phase, clockSkewMs: peer.handshake?.clockSkewMs });
  }

  /** The data part of a round, through the peer's {@link HttpTransport}: handshake, pull, push. */
  async #syncData(url: string, peer: PeerState, tally: RoundTally): Promise<void> {
    if (peer.data === undefined) return;
    this.#progress(url, 'handshake', 0, 1);
    const count = await peer.data.exchange((phase, rows, conflicts) => {
      if (phase === 'push' && tally.phase === 'pull') peer.lagChanges = 0;
      tally.phase = phase;
      if (phase === 'pull') tally.rowsPulled = rows;
      else tally.rowsPushed = rows;
      if (conflicts !== undefined) tally.dataConflicts = conflicts; // kept if a later step fails
      this.#progress(url, phase, rows, undefined);
    });
    tally.dataConflicts = count.conflicts;
    tally.rowsPulled = count.rowsIn; // with the rows a snapshot brought
  }

  /** The data part again while `files` runs (see {@link rerunDataWhileFiles}), told this round's interval, failures and progress. */
  #dataWhile(files: Promise<void>, url: string, peer: PeerState, tally: RoundTally, initial: FailureDescription | undefined): Promise<FailureDescription | undefined> {
    return rerunDataWhileFiles(files, peer, tally, initial, {
      everyMs: this.#dataEveryMs,
      describe: (caught, phase) => this.#describe(caught, url, peer, phase),
      backToFiles: () => {
        const [done, total] = this.#filesProgress.get(url) ?? [0, undefined];
        this.#progress(url, 'files', done, total); // the round is in its file phase still: the rerun's handshake said otherwise
      },
    });
  }

  /** The file part of a round; `reached.filePeer` tells whether the peer was found one to sync files with (see #filePeer). */
  async #syncFiles(url: string, peer: PeerState, tally: RoundTally, dataOff: boolean, reached: { filePeer?: boolean }): Promise<void> {
    if (this.#config.files === undefined) return;
    tally.phase = 'files';
    this.#filesProgress.delete(url);
    const announce = (): void => this.#progress(url, 'files', 0, undefined);
    // Before the peer is asked anything (GET /files/info included): a streamed run has a line to repeat while it answers.
    // After DATA_OFF the handshake gave that line; the files are announced once the peer is one to sync them with.
    if (!dataOff) announce();
    const filePeer = await this.#filePeer(url, peer, dataOff);
    reached.filePeer = filePeer !== undefined;
    if (filePeer === undefined) return;
    if (dataOff) announce();
    await this.#syncFilesNow(url, peer, tally, filePeer);
  }

  /**
   * Who the peer is for this round's files. After a data handshake, the site it answered. Without one (this
   * server or the peer has no data), the id the peer's `GET /files/info` gives, remembered as a handshake's
   * (a peer's `POST /files/settled` is recorded by it); a peer that gives none is known by its host and not
   * told what a round settled. Undefined for a peer without data (DATA_OFF) of an older version: it answers no
   * `GET /files/info` and records no settlement, so a base kept here would part from the one its own rounds
   * keep (a file it deleted would come back): its files are left to its own rounds.
   */
  async #filePeer(url: string, peer: PeerState, dataOff: boolean): Promise<FilePeer | undefined> {
    const host = new URL(url).host;
    if (peer.data !== undefined && !dataOff) return { site: peer.site ?? host, tell: true };
    const askedAt = Date.now(); // an answer that arrives late counts from when it was asked (see PeerSiteUrls)
    const asked = await askFilePeerSite(peer.http, this.#config.filesSite());
    if (asked === undefined) return dataOff ? undefined : { site: host, tell: false };
    if (asked.site === undefined) return { site: host, tell: false };
    // Before it is remembered: settlements under it must not reach a second server's base.
    const rival = this.#fileSites.note(url, asked.site, asked.instance, askedAt);
    if (rival !== undefined) {
      await this.#dropBases([url, rival]);
      throw duplicateFilesSite(url, rival, asked.site);
    }
    peer.site = asked.site;
    await this.#known.remember(url, { site: asked.site, name: peer.name });
    return { site: asked.site, tell: true };
  }

  /** Drops the bases kept with `urls`: settlements under an id two servers answer may have reached either (one's files in the other's base). */
  async #dropBases(urls: readonly string[]): Promise<void> {
    const { stateDir } = this.#config;
    if (stateDir === undefined) return;
    for (const url of urls) {
      const file = fileStateOf(stateDir, url);
      await withFileLock(file, () => rm(file, { force: true }));
    }
  }

  /** True while two peer URLs answered `GET /files/info` with `site` and two instances lately (see FilePeerSites): its settlements are not recorded. */
  contestedFileSite(site: string): boolean {
    return this.#fileSites.contested(site);
  }

  /** Syncs every root in turn; a root that fails is reported and the others still sync. */
  async #syncFilesNow(url: string, peer: PeerState, tally: RoundTally, filePeer: FilePeer): Promise<void> {
    const { files, stateDir } = this.#config;
    if (files === undefined || stateDir === undefined) return;
    const link = {
      peer: peer.http,
      remoteSiteId: filePeer.site,
      localSiteId: this.#config.filesSite(),
      tellPeer: filePeer.tell,
      now: () => new Date(),
      onProgress: (done: number, total: number) => {
        this.#filesProgress.set(url, [done, total]);
        this.#progress(url, 'files', done, total);
      },
      guardDeletions: (root: string, plan: Parameters<DeleteGuard['check']>[2]) => this.#guard.check(url, root, plan),
    };
    await syncPeerRoots(files, stateDir, url, link, tally, (caught) => this.#describe(caught, url, peer, 'files'), this.#rootTurns);
  }
}
