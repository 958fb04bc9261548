/** Pages kept per sender. */
const MAX_PAGES = 64;

/** A page a sender pushed that started past this server's pull cursor of it: its seqs `(since, next]`, and the mark at `next`. */
export interface PageAhead {
  /** This server's own site id when the page was applied: a new one (its pull cursors reset) leaves the page unused. */
  readonly local: string;
  readonly site: string;
  readonly since: number;
  readonly next: number;
  readonly mark: string | undefined;
}

/**
 * Pages applied here that started past the pull cursor of their sender (a
 * push sent while this server's pull of the seqs before was still on its
 * way), in memory, recorded once their transaction committed. Such a page
 * moves no cursor, so without this the pull cursor would stay before its
 * seqs: the next pull would bring them again, and the sender's handshake,
 * which reads that cursor, would push them again. Once the cursor reaches a
 * kept page's start, it moves on to the page's end ({@link through}). Kept
 * in memory only, with the process that applied the pages: a database put
 * back from a copy starts a new process, which knows none of them.
 */
export class PagesAhead {
  readonly #pages = new Map<string, PageAhead[]>();

  /** Records a page applied past the pull cursor of its sender (after its transaction committed). */
  add(page: PageAhead): void {
    const kept = this.#pages.get(page.site) ?? [];
    kept.push(page);
    this.#pages.set(page.site, kept.slice(-MAX_PAGES));
  }

  /** Forgets the pages kept of `site` (its pull cursor was forgotten: they may come from another server under that id). */
  forget(site: string): void {
    this.#pages.delete(site);
  }

  /**
   * Where the pull cursor of `site`, now at `seq`, can move: the end of the
   * kept pages that follow on from it (each starting at or before the end
   * reached), with the mark there; undefined when none does. Pages the cursor
   * passed are forgotten.
   * @param local - this server's site id now
   */
  through(site: string, seq: number, local: string): { readonly seq: number; readonly mark: string | undefined } | undefined {
    const kept = this.#pages.get(site)?.filter((page) => page.local === local);
    if (kept === undefined) return undefined;
    let reached: PageAhead | undefined;
    for (let at = seq, moved = true; moved; at = reached?.next ?? seq) {
      moved = false;
      for (const page of kept) {
        if (page.since <= at && page.next > (reached?.next ?? at)) {
          reached = page;
          moved = true;
        }
      }
    }
    const end = reached?.next ?? seq;
    const left = kept.filter((page) => page.next > end);
    if (left.length === 0) this.#pages.delete(site);
    else this.#pages.set(site, left);
    return reached === undefined ? undefined : { seq: reached.next, mark: reached.mark };
  }
}
