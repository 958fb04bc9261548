import { SyncError } from '../sync-error';
import type { TrackerParts } from './tracker-parts';
import type { PeerView } from './wire-schema';

/**
 * What a `ChangeTracker` keeps besides the data: each peer's pull and push
 * cursors, transports' cursors, who is pulling pages now, which site answered
 * at which URL, and the list of conflicts. The tracker extends it.
 */
export class TrackerBookkeeping {
  /** The tracker's parts (statements, cursors, guards), built once. @internal */
  protected readonly parts: TrackerParts;
  /** The site id of the peer whose snapshot this server is joining from now, if any (see {@link markJoining}). */
  #joiningFrom: string | undefined;

  /** @param parts - the tracker's parts */
  protected constructor(parts: TrackerParts) {
    this.parts = parts;
  }

  /**
   * Records that a page was served to `site` (`GET /data/changes?exclude_site=`):
   * while its pages say more is to come, that peer is pulling (see {@link isPulling});
   * after its last page (`next`), it is applying it (see {@link receivingUpTo}); a page
   * starting (`since`) before the furthest `next` served to it is asked for again: that
   * peer's pull before did not land, and neither holds a push back. A page
   * ending past this server's seq (a `since` beyond it: a hostile or a rewound
   * view) is no pull: noted, it would hold every push to `site` back.
   */
  notePulledPage(site: string, more: boolean, next?: number, since?: number): void {
    if (next !== undefined && next > this.parts.folder.localSeq()) return;
    this.parts.pulling.notePage(site, more, next, since);
  }

  /** How many pages were served to `site` (see {@link notePulledPage}) since this tracker was built. */
  pagesServedTo(site: string): number {
    return this.parts.pulling.served(site);
  }

  /**
   * True while `site` is pulling pages from this server (a page for it with
   * more to come was served in the last 10 s, and its last page was not): a
   * push to it then gives way, so one transfer, not two, moves the same
   * changes over the link.
   */
  isPulling(site: string): boolean {
    return this.parts.pulling.isPulling(site);
  }

  /**
   * The `next` of the last page of a pull that `site` is still receiving and applying (served in the last
   * 10 s), 0 when none: a push to it starts after that page, which the pull carries.
   */
  receivingUpTo(site: string): number {
    return this.parts.pulling.receivingUpTo(site);
  }

  /**
   * Records a push page on its way to `site`, holding this server's seqs
   * `(since, next]`, until `answer` (the peer's apply result) settles: a pull
   * by `site` meanwhile waits for it (see {@link pushLanding}).
   * @returns `answer` itself
   */
  pushingPage<T>(site: string, since: number, next: number, answer: Promise<T>): Promise<T> {
    // A page starting past the push cursor (a push started after the page the peer's pull applies) may be early
    // there: the peer passes over the changes whose rows it does not hold yet, to come again with a pull from its
    // cursor, and still answers an apply result. A pull starting after such a page would leave them out for good.
    if (since > this.pushCursor(site)) return answer;
    return this.parts.pushes.track(site, since, next, answer);
  }

  /**
   * Where a pull by `site` asking from `since` starts: after this server's push
   * pages on their way to `site` that hold the seq after `since`, once the peer
   * applied them (waiting up to `waitMs`, 10 s by default; the push gives way before its next page
   * meanwhile), since they carry the same changes; else at `since`.
   */
  pushLanding(site: string, since: number, waitMs?: number): Promise<number> {
    return this.parts.pushes.landing(site, since, () => this.parts.pulling.noteWaiting(site, since), waitMs);
  }

  /**
   * Marks this (empty) database as joining from `site`'s snapshot, until
   * called with `undefined`: pushes are refused meanwhile (see
   * {@link refuseWhileJoining}), since a single row they wrote would make the
   * snapshot's import refuse a database no longer empty, and every row come
   * page by page instead.
   */
  markJoining(site: string | undefined): void {
    this.#joiningFrom = site;
  }

  /**
   * Refuses a push while this server joins from a peer's snapshot (see {@link markJoining}).
   * @throws SyncError `JOINING` (409): nothing is written; the pusher's next round sends what the snapshot did not bring
   */
  refuseWhileJoining(): void {
    if (this.#joiningFrom === undefined) return;
    throw new SyncError(
      'JOINING',
      409,
      `this server is joining from the snapshot of site ${this.#joiningFrom} (it held no synced data): pushes are refused until the snapshot is in place, nothing was written; the next round sends what the snapshot did not bring`,
    );
  }

  /** A transport's saved cursor, or undefined when it never saved one. */
  transportCursor(name: string): string | undefined {
    return this.parts.transportCursors.get(name);
  }

  /** Saves (or, with `undefined`, forgets) a transport's cursor on its own, for positions no page moved (messages skipped, a reset). */
  saveTransportCursor(name: string, value: string | undefined): void {
    if (value === undefined) this.parts.transportCursors.drop(name);
    else this.parts.transportCursors.save({ name, value });
  }

  /** The last seq in the capture log, folded or not; a cheap read to poll for new local writes. */
  capturedSeq(): number {
    return this.parts.transportCursors.capturedSeq();
  }

  /** The pull cursor of `site`: its seq up to which its changes are applied here; 0 when none. */
  pullCursor(site: string): number {
    return this.parts.cursors.pull(site);
  }

  /** What this server holds of `site`'s changes: the pull cursor and the mark its page carried. */
  peerView(site: string): PeerView {
    return this.parts.cursors.pullWithMark(site);
  }

  /** The push cursor of `site`: our seq up to which it has applied our changes; 0 when never pushed. */
  pushCursor(site: string): number {
    return this.parts.cursors.push(site);
  }

  /**
   * This server's changes `site` has not applied yet: the local seqs after its
   * push cursor up to `localSeq`, less those holding only what `site` itself
   * sent here (its echo windows, kept since this tracker was built): a change
   * the peer wrote is never "not yet delivered" to it.
   */
  undeliveredTo(site: string, localSeq: number): number {
    return this.unsentFrom(site, this.pushCursor(site), localSeq);
  }

  /**
   * This server's seqs after `since` up to `localSeq` that `site` has yet to
   * receive: less those holding only what `site` itself sent here (its echo
   * windows). With `since` a peer's pull cursor, what it has not pulled yet.
   */
  unsentFrom(site: string, since: number, localSeq: number): number {
    return Math.max(0, localSeq - since - this.parts.echo.covered(site, since, localSeq));
  }

  /** Records that `site` applied our changes up to `seq` (a push cursor never moves back). */
  savePushCursor(site: string, seq: number): void {
    this.parts.cursors.savePush(site, seq);
  }

  /** Random per running tracker: two URLs answering one site id and two instances are two servers (`GET /data/info`, `GET /files/info`). */
  get instance(): string {
    return this.parts.guard.instance;
  }

  /**
   * Records that `url` answered as `site`; returns another URL that answered as the same site lately from another
   * server (two servers, one id: the site is contested, for either URL, whichever was met first), if any.
   * @param askedAt - when the answer was asked for: an answer that arrives late still counts from then
   */
  notePeer(url: string, site: string, instance: string | undefined, askedAt = Date.now()): string | undefined {
    return this.parts.guard.notePeer(url, site, instance, askedAt);
  }

  /** The other URL that answered as `site` lately from another server, while `url` last answered as it too (see {@link notePeer}); checked again during a round. */
  peerSiteRival(url: string, site: string): string | undefined {
    return this.parts.guard.rivalOf(url, site);
  }

  /** True while two peer URLs answered as `site` from two servers lately (`DUPLICATE_SITE_ID`). */
  peerSiteContested(site: string): boolean {
    return this.parts.guard.contested(site);
  }

  /**
   * Forgets the pull and push cursors of `site` (what they said stays as this server's view of it): it is pulled
   * from its start and sent every change again, both idempotent. For a site id two servers answer: either may have
   * moved them, so neither is trusted for the other.
   */
  forgetPeerCursors(site: string): void {
    this.parts.cursors.forget(site);
    // Pages applied ahead of the forgotten cursor would move the new one past seqs on the word of either server.
    this.parts.ahead.forget(site);
  }

  /** The site id last seen at `url`. */
  peerSiteAt(url: string): string | undefined {
    return this.parts.guard.siteAt(url);
  }
}
