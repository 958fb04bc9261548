/** How long a page read for a peer's pull waits at most for a page pushed to that peer that is on its way. */
export const PUSH_SETTLE_WAIT_MS = 1000;

/**
 * Pages this server pushes to each peer: the one on its way now (a pull that
 * peer asks for meanwhile waits for it, {@link PushedPages.settled}, so the
 * pull does not carry the same rows over the same link a second time), and how
 * far the peer's pull cursor of this server is known to reach (its handshake
 * told it, and pushed pages it applied in line moved it): a pushed page starting
 * there or before is not early for the peer, so it holds every part of its
 * window once applied. In memory only.
 */
export class PushedPages {
  readonly #onTheWay = new Map<string, Promise<unknown>>();
  readonly #peerCursor = new Map<string, number>();

  /** Marks `answer`, the peer's answer to a page pushed to `site`, as on its way until it settles. */
  sending(site: string, answer: Promise<unknown>): void {
    this.#onTheWay.set(site, answer);
    const settle = (): void => {
      if (this.#onTheWay.get(site) === answer) this.#onTheWay.delete(site);
    };
    answer.then(settle, settle);
  }

  /** Resolves once no page pushed to `site` is on its way (at once when none is), or after `ms`. */
  async settled(site: string | undefined, ms: number): Promise<void> {
    const answer = site === undefined ? undefined : this.#onTheWay.get(site);
    if (answer === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([answer.then(() => undefined, () => undefined), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }

  /** Records that `site`'s pull cursor of this server reaches `seq` at least (never moved back). */
  peerCursorAt(site: string, seq: number): void {
    if (seq > (this.#peerCursor.get(site) ?? 0)) this.#peerCursor.set(site, seq);
  }

  /** Forgets how far the peers' cursors reach: they name this server's old site id (it took a new one). */
  forgetCursors(): void {
    this.#peerCursor.clear();
  }

  /** How far `site`'s pull cursor of this server is known to reach; 0 when unknown. */
  peerCursor(site: string): number {
    return this.#peerCursor.get(site) ?? 0;
  }
}
