/** How long a pull stays "in progress" after the last page served to it: a puller that went away stops counting. */
const PULL_ACTIVE_MS = 10_000;

/** The last page served to one peer. */
interface LastPage {
  /** When the mark lapses (ms). */
  readonly until: number;
  readonly more: boolean;
  /** The page's `next`: the peer's cursor once it applied the page. */
  readonly next: number;
}

/**
 * Which peers are pulling pages from this server right now, and how far: a
 * page for them (`exclude_site`) was served in the last 10 s. While its pages
 * say more is to come, a push to that peer would carry the same changes over
 * the same link at the same time, so the sync client stops pushing to it and
 * lets the pull finish (pulls never give way, so the two never both stop; a
 * pull that keeps failing holds the push back 10 s after each attempt). After
 * its last page, the peer is still receiving and applying it, and its cursor
 * (what a handshake tells) moves only then: a push meanwhile starts after that
 * page. In memory only.
 */
export class PullingPeers {
  readonly #last = new Map<string, LastPage>();
  readonly #served = new Map<string, number>();
  readonly #now: () => number;

  /** @param now - the clock, in ms */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /** Records a page read for `site`: with `more`, its pull goes on; without, the peer is applying up to `next`. */
  notePage(site: string, more: boolean, next = 0): void {
    this.#served.set(site, (this.#served.get(site) ?? 0) + 1);
    this.#last.set(site, { until: this.#now() + PULL_ACTIVE_MS, more, next });
  }

  /** How many pages were served to `site` since this server started: a change tells that it pulled meanwhile. */
  served(site: string): number {
    return this.#served.get(site) ?? 0;
  }

  /** True while `site` is pulling from this server and more is to come. */
  isPulling(site: string): boolean {
    return this.#current(site)?.more === true;
  }

  /** The `next` of the last page of a pull `site` is applying now (its last page was served in the last 10 s); 0 when none. */
  receivingUpTo(site: string): number {
    const last = this.#current(site);
    return last === undefined || last.more ? 0 : last.next;
  }

  #current(site: string): LastPage | undefined {
    const last = this.#last.get(site);
    if (last === undefined) return undefined;
    if (last.until >= this.#now()) return last;
    this.#last.delete(site);
    return undefined;
  }
}
