import type { ChangeTracker } from '../data/change-tracker';
import { tempParentOutsideRoots } from '../files/temp-outside-roots';
import { SyncError } from '../sync-error';
import type { PeerHttp } from './peer-http';
import { startFromSnapshot } from './snapshot-join';

/** A round's wait for a snapshot join under way (see {@link SnapshotJoins.roundWait}). */
export interface RoundWait {
  /** Resolves true once no join is under way, false when one still is once the round waited `peerTimeoutMs` in all. */
  readonly settled: () => Promise<boolean>;
  /** As `settled`, but throws instead of resolving false. @throws SyncError `JOINING` (409) */
  readonly orRefuse: () => Promise<void>;
}

/** Snapshot downloads from one peer that may fail (the link cut them, or no answer came) before that peer is paged from instead. */
const FAILED_DOWNLOADS_BEFORE_PAGING = 2;

/**
 * A sync client's snapshot joins: with no synced data yet and a peer far
 * enough ahead (`joinBySnapshot`, `snapshotMinChanges`), start from the
 * peer's snapshot. One join at a time: once one peer's snapshot started the
 * database, the others are not needed. A peer whose snapshot was refused
 * (hash, size, health), or whose download failed twice (a link that cuts
 * long answers: every download starts again from byte 0, while pages are
 * short; one `stop()` abandoned does not count), is reported, then paged from: a bad disk or link on its side never
 * keeps this server from syncing.
 */
export class SnapshotJoins {
  readonly #enabled: boolean;
  readonly #minChanges: number;
  /** How long a round with another peer waits for a join under way: `peerTimeoutMs`. */
  readonly #waitMs: number;
  readonly #refused = new Set<string>();
  readonly #failures = new Map<string, number>();
  #turn: Promise<void> = Promise.resolve();
  /** Joins asked for and not ended yet (the one under way, and those in line behind it). */
  #underWay = 0;
  /** Where a join's private temp folder goes: never inside a sync root. */
  readonly #tempParent: () => string;

  /**
   * @param config - the client's resolved `joinBySnapshot`, `snapshotMinChanges` and `peerTimeoutMs`; its roots (`files`) and
   * `stateDir`, where a download goes when `TMPDIR` is inside a sync root
   */
  constructor(config: {
    readonly joinBySnapshot: boolean;
    readonly snapshotMinChanges: number;
    readonly peerTimeoutMs: number;
    readonly files?: { readonly roots: ReadonlyMap<string, string> } | undefined;
    readonly stateDir?: string | undefined;
  }) {
    this.#enabled = config.joinBySnapshot;
    this.#minChanges = config.snapshotMinChanges;
    this.#waitMs = config.peerTimeoutMs;
    const roots = config.files?.roots ?? new Map<string, string>();
    this.#tempParent = () => tempParentOutsideRoots(roots, config.stateDir);
  }

  /**
   * A round's wait for a join under way, `peerTimeoutMs` at most in all (however often the round asks). A round with
   * another peer waits before it joins or pulls, and before each page it applies (its pull may have begun before the
   * join did): a page applied during the download would make the import find the database no longer empty. A
   * snapshot over a slow link may take hours; the other peers' rounds (and their files) do not wait for it so long.
   */
  roundWait(): RoundWait {
    let leftMs = this.#waitMs;
    const settled = async (): Promise<boolean> => {
      const started = performance.now();
      const done = await this.#settledWithin(leftMs);
      leftMs = Math.max(0, leftMs - (performance.now() - started));
      return done;
    };
    const orRefuse = async (): Promise<void> => {
      if (await settled()) return;
      throw new SyncError(
        'JOINING',
        409,
        `this server is joining from another peer's snapshot (it held no synced data), still after ${this.#waitMs} ms (peerTimeoutMs): no page of this peer was applied, as one would make the import refuse the database; its files go on, and its next round pulls`,
      );
    };
    return { settled, orRefuse };
  }

  /**
   * Joins from the peer's snapshot when it is wanted; `onProgress(0)` before, `(1)` after. Waits first for a join from
   * another peer under way (`wait`, see {@link roundWait}), and joins from none while it lasts.
   * @returns the rows it brought (0 when not wanted, when the peer serves none, or while another peer's join lasts)
   * @throws SyncError as {@link startFromSnapshot} does
   */
  async joinIfEmpty(
    peer: PeerHttp,
    data: ChangeTracker,
    remoteSite: string,
    remoteSeq: number,
    onProgress: (done: number) => void,
    wait: RoundWait = this.roundWait(),
  ): Promise<number> {
    if (!(await wait.settled())) return 0; // this round's pull applies nothing while that join lasts (it waits no more)
    const wanted = (): boolean =>
      this.#enabled && !this.#refused.has(remoteSite) && remoteSeq >= this.#minChanges && data.pullCursor(remoteSite) === 0 && data.holdsNoSyncedData();
    if (!wanted()) return 0;
    let rows = 0;
    this.#underWay += 1;
    const turn = this.#turn
      .then(async () => {
        if (!wanted()) return;
        onProgress(0);
        data.markJoining(remoteSite); // a push landing meanwhile would make the import refuse: pushes wait
        try {
          rows = (await startFromSnapshot(peer, data, remoteSite, 'identity', this.#tempParent()))?.rows ?? 0;
        } catch (error) {
          if (error instanceof SyncError && (error.code.startsWith('SNAPSHOT_') || error.code === 'CLOCK_SKEW')) this.#refused.add(remoteSite);
          // A download `stop()` abandoned says nothing of the link: the next start joins from this peer again.
          else if (!(error instanceof SyncError && error.code === 'STOPPED') && this.#failed(remoteSite) >= FAILED_DOWNLOADS_BEFORE_PAGING) this.#refused.add(remoteSite);
          // A clock too far ahead is the pages' refusal too: they say so at `pull`, where the round's files still run
          // (a refused snapshot is not downloaded again every round); pages within the bound go on coming.
          if (error instanceof SyncError && error.code === 'CLOCK_SKEW') return;
          throw error;
        } finally {
          data.markJoining(undefined);
        }
        onProgress(1);
      })
      .finally(() => (this.#underWay -= 1));
    this.#turn = turn.catch(() => undefined);
    await turn;
    return rows;
  }

  /** Resolves true once no join is under way (one that starts meanwhile included), false when one still is after `ms`. */
  async #settledWithin(ms: number): Promise<boolean> {
    const deadline = performance.now() + ms;
    while (this.#underWay > 0) {
      const leftMs = deadline - performance.now();
      if (leftMs <= 0) return false;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.#turn, new Promise<void>((resolve) => (timer = setTimeout(resolve, leftMs)))]);
      clearTimeout(timer);
    }
    return true;
  }

  /** Counts a failed download from `site`; returns how many so far. */
  #failed(site: string): number {
    const count = (this.#failures.get(site) ?? 0) + 1;
    this.#failures.set(site, count);
    return count;
  }
}
