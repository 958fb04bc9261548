import type { AnyChangeset } from '../lib/data/change-tracker';

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

/** Which page: where it starts, its size, the peer it is for and its protocol. */
export interface PageKey {
  readonly since: number;
  readonly limit: number;
  readonly exclude: string | undefined;
  readonly protocol: number;
}

function keyOf(key: PageKey): string {
  return `${key.since}:${key.limit}:${key.exclude ?? ''}:${key.protocol}`;
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
  readonly #read: (key: PageKey) => AnyChangeset;
  readonly #pages = new Map<string, ReadPage>();
  readonly #enabled: boolean;

  /**
   * @param read - reads one page (the tracker's `readChanges` or `readCompactChanges`)
   * @param enabled - false reads every page when asked (to measure what reading ahead brings)
   */
  constructor(read: (key: PageKey) => AnyChangeset, enabled = true) {
    this.#read = read;
    this.#enabled = enabled;
  }

  /** The page `key`, read ahead or now, as JSON; starts reading the next one. */
  page(key: PageKey): Buffer {
    const id = keyOf(key);
    const ready = this.#pages.get(id);
    this.#pages.delete(id);
    const page = ready !== undefined && Date.now() - ready.at < KEEP_MS ? ready : this.#readNow(key);
    if (page.more && this.#enabled) setImmediate(() => this.#readAhead({ ...key, since: page.next }));
    return page.json;
  }

  #readNow(key: PageKey): ReadPage {
    const page = this.#read(key);
    return { json: Buffer.from(JSON.stringify(page)), next: page.next ?? key.since, more: page.more === true, at: Date.now() };
  }

  #readAhead(key: PageKey): void {
    const id = keyOf(key);
    if (this.#pages.has(id)) return;
    try {
      this.#pages.set(id, this.#readNow(key));
    } catch {
      return; // read again, and reported, when it is asked for
    }
    for (const old of this.#pages.keys()) {
      if (this.#pages.size <= MAX_PAGES) break;
      this.#pages.delete(old);
    }
  }
}
