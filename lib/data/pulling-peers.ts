/** How long a pull stays "in progress" after the last page served to it: a puller that went away stops counting. */
const PULL_ACTIVE_MS = 10_000;

/** Peers remembered at most: a `GET /data/changes` may name any site id as `exclude_site`; the one named least lately is forgotten first. */
export const MAX_PULLING_PEERS = 1024;

/** The last page served to one peer. */
interface LastPage {
  /** When the mark lapses (ms). */
  readonly until: number;
  readonly more: boolean;
  /** The page's `next`: the peer's cursor once it applied the page. */
  readonly next: number;
  /** True when the page starts before the furthest `next` served to the peer: its pull before did not land. */
  readonly again: boolean;
}

/**
 * Which peers are pulling pages from this server right now, and how far: a
 * page for them (`exclude_site`) was served in the last 10 s. While its pages
 * say more is to come, a push to that peer would carry the same changes over
 * the same link at the same time, so the sync client stops pushing to it and
 * lets the pull finish (pulls never give way, so the two never both stop; a
 * pull's first failed attempt holds the push back up to 10 s). After
 * its last page, the peer is still receiving and applying it, and its cursor
 * (what a handshake tells) moves only then: a push meanwhile starts after that
 * page. A pull that asks again for pages served before (a `since` before the
 * furthest `next` served to that peer) did not land: its puller failed to apply
 * them (its disk full, say) or started over. Its pages hold no push back, so the
 * push reads the peer's refusal, if any, rather than ending `ok` with nothing
 * delivered. In memory only.
 */
export class PullingPeers {
  readonly #last = new Map<string, LastPage>();
  readonly #served = new Map<string, number>();
  /** The furthest `next` served to each peer since this server started. */
  readonly #furthest = new Map<string, number>();
  readonly #now: () => number;

  /** @param now - the clock, in ms */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /**
   * Records a page read for `site`: with `more`, its pull goes on; without, the peer is applying up to `next`.
   * @param since - where the page starts, as the peer asked: before the furthest `next` served to it, the page is asked for again
   */
  notePage(site: string, more: boolean, next = 0, since?: number): void {
    this.#makeRoomFor(site, true);
    const served = this.#served.get(site) ?? 0;
    const furthest = this.#furthest.get(site) ?? 0;
    const again = since !== undefined && since < furthest;
    // Taken out and set again: a Map keeps the order keys were first set in, and the bound forgets the first.
    this.#served.delete(site);
    this.#furthest.delete(site);
    this.#last.delete(site);
    this.#served.set(site, served + 1);
    this.#furthest.set(site, Math.max(furthest, next));
    this.#last.set(site, { until: this.#now() + PULL_ACTIVE_MS, more, next, again });
  }

  /**
   * Records that a pull by `site` from `since` waits for a push page on its way to it (see `PushesInFlight`):
   * it counts as pulling meanwhile, so the push gives way before its next page.
   */
  noteWaiting(site: string, since: number): void {
    this.#makeRoomFor(site, false);
    this.#last.delete(site); // named lately: last to be forgotten (see notePage)
    this.#last.set(site, { until: this.#now() + PULL_ACTIVE_MS, more: true, next: since, again: false });
  }

  /** How many pages were served to `site` since this server started: a change tells that it pulled meanwhile. */
  served(site: string): number {
    return this.#served.get(site) ?? 0;
  }

  /** True while `site` is pulling from this server and more is to come (not pages it asks for again). */
  isPulling(site: string): boolean {
    const last = this.#current(site);
    return last?.more === true && !last.again;
  }

  /** The `next` of the last page of a pull `site` is applying now (its last page was served in the last 10 s, not asked for again); 0 when none. */
  receivingUpTo(site: string): number {
    const last = this.#current(site);
    return last === undefined || last.more || last.again ? 0 : last.next;
  }

  /**
   * Forgets the peer named least lately when `site` is new and {@link MAX_PULLING_PEERS} are remembered (`served`: pages
   * counted too): each note sets its peer last, so a peer pulling now is never the one forgotten for a site id named once.
   */
  #makeRoomFor(site: string, served: boolean): void {
    if (served && !this.#served.has(site) && this.#served.size >= MAX_PULLING_PEERS) {
      const oldest = this.#served.keys().next().value as string;
      this.#served.delete(oldest);
      this.#furthest.delete(oldest);
    }
    if (!this.#last.has(site) && this.#last.size >= MAX_PULLING_PEERS) this.#last.delete(this.#last.keys().next().value as string);
  }

  #current(site: string): LastPage | undefined {
    const last = this.#last.get(site);
    if (last === undefined) return undefined;
    if (last.until >= this.#now()) return last;
    this.#last.delete(site);
    return undefined;
  }
}
