/** How long a pull stays "in progress" after the last page served to it: a puller that went away stops counting. */
const PULL_ACTIVE_MS = 10_000;

/**
 * Which peers are pulling pages from this server right now: a page for them
 * (`exclude_site`) was served in the last 10 s. The last page of a pull counts
 * too: the peer applies it after it arrived, and its pull cursor (what a
 * handshake tells) moves only then. A push to such a peer would carry the same
 * changes over the same link at the same time, so the sync client stops
 * pushing to it and lets the pull finish (pulls never give way, so the two
 * never both stop; a pull that keeps failing holds the push back 10 s after
 * each attempt). In memory only.
 */
export class PullingPeers {
  readonly #until = new Map<string, number>();
  readonly #served = new Map<string, number>();
  readonly #now: () => number;

  /** @param now - the clock, in ms */
  constructor(now: () => number = Date.now) {
    this.#now = now;
  }

  /**
   * Records a page read for `site`: its pull counts as under way for 10 s, whether more is to come
   * (the next page is asked for at once) or not (the peer is applying this one).
   */
  notePage(site: string): void {
    this.#served.set(site, (this.#served.get(site) ?? 0) + 1);
    this.#until.set(site, this.#now() + PULL_ACTIVE_MS);
  }

  /** How many pages were served to `site` since this server started: a change tells that it pulled meanwhile. */
  served(site: string): number {
    return this.#served.get(site) ?? 0;
  }

  /** True while `site` is pulling from this server. */
  isPulling(site: string): boolean {
    const until = this.#until.get(site);
    if (until === undefined) return false;
    if (until >= this.#now()) return true;
    this.#until.delete(site);
    return false;
  }
}
