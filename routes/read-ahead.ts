import type { WireChangeset } from '../lib/data/changeset';

/** A page already read and serialised. */
interface ReadPage {
  readonly json: Buffer;
  readonly next: number;
  readonly more: boolean;
  readonly at: number;
}

/** Pages kept at once (one per peer paging through this server, about). */
const MAX_PAGES = 4;
/** A page read ahead and not asked for within this long is dropped. */
const KEEP_MS = 10_000;

function keyOf(since: number, limit: number, exclude: string | undefined): string {
  return `${since}:${limit}:${exclude ?? ''}`;
}

/**
 * The sender's half of pipelining: once a page is answered, the page after
 * it is read and serialised while the peer applies this one, so the peer's
 * next request is answered at once. A page read ahead can be a little older
 * than the database when it is asked for; that is safe: parts only leave a
 * seq window (a later write moves them to a later seq), never enter it, so
 * the page still holds every part of its window and the rest arrives later.
 */
export class PageReadAhead {
  readonly #read: (since: number, limit: number, exclude: string | undefined) => WireChangeset;
  readonly #pages = new Map<string, ReadPage>();
  readonly #enabled: boolean;

  /**
   * @param read - reads one page (the tracker's `readChanges`)
   * @param enabled - false reads every page when asked (to measure what reading ahead brings)
   */
  constructor(read: (since: number, limit: number, exclude: string | undefined) => WireChangeset, enabled = true) {
    this.#read = read;
    this.#enabled = enabled;
  }

  /** The page `(since, limit, exclude)`, read ahead or now, as JSON; starts reading the next one. */
  page(since: number, limit: number, exclude: string | undefined): Buffer {
    const key = keyOf(since, limit, exclude);
    const ready = this.#pages.get(key);
    this.#pages.delete(key);
    const page = ready !== undefined && Date.now() - ready.at < KEEP_MS ? ready : this.#readNow(since, limit, exclude);
    if (page.more && this.#enabled) setImmediate(() => this.#readAhead(page.next, limit, exclude));
    return page.json;
  }

  #readNow(since: number, limit: number, exclude: string | undefined): ReadPage {
    const page = this.#read(since, limit, exclude);
    return { json: Buffer.from(JSON.stringify(page)), next: page.next ?? since, more: page.more === true, at: Date.now() };
  }

  #readAhead(since: number, limit: number, exclude: string | undefined): void {
    const key = keyOf(since, limit, exclude);
    if (this.#pages.has(key)) return;
    try {
      this.#pages.set(key, this.#readNow(since, limit, exclude));
    } catch {
      return; // read again, and reported, when it is asked for
    }
    for (const old of this.#pages.keys()) {
      if (this.#pages.size <= MAX_PAGES) break;
      this.#pages.delete(old);
    }
  }
}
