import type { ChangeTracker } from '../data/change-tracker';
import { SyncError } from '../sync-error';
import { refuseSharedSite } from './duplicate-site';
import { distinctConflicts, handshake, pullChanges, pushChanges, type Handshake, type PushCut } from './data-exchange';
import type { PeerHttp } from './peer-http';
import { PullPageSize } from './pull-page-size';
import type { SnapshotJoins } from './snapshot-joins';
import type { ChangeTransport, ExchangeCount, ExchangeProgress, TransportStatus } from './transport';

/**
 * The HTTP transport: one peer's data, in rounds: a handshake, a snapshot
 * when this server holds no synced data yet (see `SnapshotJoins`), a pull (each
 * page applied in one transaction whose merge saves the peer's seq, the
 * cursor), then a push (our push cursor moves once the peer applied a page).
 * It delegates to `data-exchange`; the sync client schedules it and adds files.
 */
export class HttpTransport implements ChangeTransport {
  readonly kind = 'http' as const;
  readonly #peer: PeerHttp;
  readonly #data: ChangeTracker;
  readonly #pageSize: number;
  /** The pull's page limit, kept across rounds: a round stopped by a row too large starts the next one at the reduced limit. */
  readonly #pullSize: PullPageSize;
  /** Where the last push lost a page, kept across rounds. */
  readonly #pushCut: PushCut;
  readonly #onHandshake: ((shook: Handshake) => Promise<void>) | undefined;
  readonly #snapshots: { readonly joins: SnapshotJoins; readonly onProgress: (done: number) => void } | undefined;
  #handshake: Handshake | undefined;
  #lagChanges: number | undefined;
  #lastError: { code: string; message: string } | undefined;
  #failing = false;

  /**
   * @param pageSize - rows per page both ways (`syncPageSize`)
   * @param onHandshake - called after each handshake, before any page moves (the sync client remembers the peer)
   * @param snapshots - the client's snapshot joins: an empty database starts from the peer's snapshot before pulling
   */
  constructor(
    peer: PeerHttp,
    data: ChangeTracker,
    pageSize: number,
    onHandshake?: (shook: Handshake) => Promise<void>,
    snapshots?: { readonly joins: SnapshotJoins; readonly onProgress: (done: number) => void },
  ) {
    this.#peer = peer;
    this.#data = data;
    this.#pageSize = pageSize;
    this.#pullSize = new PullPageSize(pageSize);
    this.#pushCut = { at: undefined, rows: pageSize };
    this.#onHandshake = onHandshake;
    this.#snapshots = snapshots;
  }

  /** The peer's URL. */
  get name(): string {
    return this.#peer.url.replace(/\/$/, '');
  }

  /** What the last handshake learnt of the peer. */
  get handshake(): Handshake | undefined {
    return this.#handshake;
  }

  /** Changes the peer had that were not pulled yet, at the last round. */
  get lagChanges(): number | undefined {
    return this.#lagChanges;
  }

  /** Nothing runs between rounds: the sync client schedules them. */
  start(): void {
    // rounds are driven by the sync client's scheduler
  }

  /**
   * One round: handshake, pull, push.
   * @throws SyncError from the handshake (`SAME_SITE_ID`, `SCHEMA_MISMATCH`, `DUPLICATE_SITE_ID`, …; the last also when another
   * URL answered as the peer's site from another server while the round ran) or a page (`PEER_BAD_ANSWER`, …); `JOINING` (409) while this server joins from another peer's snapshot, still after `peerTimeoutMs`
   */
  async exchange(onProgress?: ExchangeProgress): Promise<ExchangeCount> {
    try {
      const count = await this.#round(onProgress);
      this.#failing = false;
      this.#lastError = undefined;
      return count;
    } catch (error) {
      // A round with another URL under the same site id from another server met it meanwhile: what this one moved is not kept.
      const site = this.#handshake?.remoteSite;
      if (site !== undefined && this.#data.peerSiteRival(this.#peer.url, site) !== undefined) this.#data.forgetPeerCursors(site);
      this.#failing = true;
      this.#lastError = { code: (error as { code?: string }).code ?? 'SYNC_FAILED', message: error instanceof Error ? error.message : String(error) };
      throw error;
    }
  }

  /** Handshake, pull, push; `onProgress` hears each phase begin (0 rows) and each page. */
  async #round(onProgress: ExchangeProgress | undefined): Promise<ExchangeCount> {
    this.#handshake = await handshake(this.#peer, this.#data);
    const { remoteSite, remoteSeq } = this.#handshake;
    const servedBefore = this.#data.pagesServedTo(remoteSite);
    this.#lagChanges = this.#handshake.remoteUnpulled;
    await this.#onHandshake?.(this.#handshake);
    const snapshot = this.#snapshots;
    // A join from another peer under way: this round waits for it (peerTimeoutMs at most), before it joins and before each page
    // it applies; still under way then, the pull fails with JOINING, nothing of it applied (the files still sync).
    const wait = snapshot?.joins.roundWait();
    const joined = snapshot === undefined ? 0 : await snapshot.joins.joinIfEmpty(this.#peer, this.#data, remoteSite, remoteSeq, snapshot.onProgress, wait);
    // Another URL answering as this site from another server, met by a round with it under way meanwhile: no page applied, or kept.
    const refuseShared = (): void => refuseSharedSite(this.#data, this.#peer.url, remoteSite);
    const beforeApply = async (): Promise<void> => {
      refuseShared();
      await wait?.orRefuse();
    };
    onProgress?.('pull', 0);
    const pulled = await pullChanges(this.#peer, this.#data, remoteSite, this.#pageSize, (count) => onProgress?.('pull', count.rows, distinctConflicts(count)), this.#pullSize, beforeApply);
    this.#lagChanges = 0;
    onProgress?.('push', 0, distinctConflicts(pulled));
    // The peer pulled from us since the handshake: ask again how far, so the push does not send that again.
    if (this.#data.pagesServedTo(remoteSite) !== servedBefore) {
      this.#handshake = await handshake(this.#peer, this.#data);
      if (this.#handshake.remoteSite !== remoteSite) throw new SyncError('PEER_BAD_ANSWER', 502, `${this.#peer.url} changed its site id during the sync`);
    }
    const pushed = await pushChanges(this.#peer, this.#data, remoteSite, this.#pageSize, (count) => onProgress?.('push', count.rows, distinctConflicts(pulled, count)), this.#pushCut);
    refuseShared();
    return { rowsIn: joined + pulled.rows, rowsOut: pushed.rows, conflicts: distinctConflicts(pulled, pushed) };
  }

  /** The peer's seq pulled up to, and what it had beyond that at the last handshake; `null` before the first. */
  status(): TransportStatus {
    const site = this.#handshake?.remoteSite;
    return {
      kind: 'http',
      name: this.name,
      state: this.#failing ? 'failing' : 'idle',
      position: site === undefined ? null : this.#data.pullCursor(site),
      lag: this.#lagChanges ?? null,
      lastError: this.#lastError ?? null,
    };
  }

  /** Closes idle keep-alive connections. */
  async close(): Promise<void> {
    this.#peer.close();
    return Promise.resolve();
  }
}
