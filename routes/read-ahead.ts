import { encodeBody, MIN_COMPRESSED_BYTES, type ContentCoding } from '../lib/content-coding';
import type { AnyChangeset } from '../lib/data/change-tracker';

/** A page already read and serialised. */
interface ReadPage {
  readonly json: Buffer;
  /** The `limit` it was read with: it serves any request asking at least as many rows (a page may hold fewer than asked). */
  readonly limit: number;
  readonly next: number;
  readonly more: boolean;
  readonly at: number;
  /** The site id the page was read under: a page read before the server took a new one is never served. */
  readonly site: string;
}

/** Pages read ahead of the last one a peer asked for: a puller applies several pages at a time (see `APPLY_GROUP_ROWS`). */
const DEPTH = 4;
/** Pages kept at once (a few peers paging through this server). */
const MAX_PAGES = 3 * DEPTH;
/** A page read ahead and not asked for within this long is dropped. */
const KEEP_MS = 10_000;

/** Which page: where it starts, its size, the peer it is for and its protocol. */
export interface PageKey {
  readonly since: number;
  readonly limit: number;
  readonly exclude: string | undefined;
  readonly protocol: number;
  /** The coding the asking peer takes its answers in: pages read ahead for it are compressed ahead too. @defaultValue `'identity'` */
  readonly coding?: ContentCoding;
}

/** A page's body compressed ahead, in one coding (undefined when compressing failed: it is compressed again when served). */
interface CompressedAhead {
  readonly coding: ContentCoding;
  readonly body: Promise<Buffer | undefined>;
}

/** Where a page starts, for whom and in which protocol: pages are kept by this, whatever their limit. */
function keyOf(key: PageKey): string {
  return `${key.since}:${key.exclude ?? ''}:${key.protocol}`;
}

/**
 * The sender's half of pipelining: once a page is answered, the pages after
 * it (up to four) are read, serialised and compressed (in the coding the peer
 * asked this one in, in libuv's thread pool) while the peer applies this one,
 * so the peer's next requests are answered at once: a puller waiting for the
 * pages of a group (see `APPLY_GROUP_ROWS`) does not wait for their compression. A page read ahead can be a little older
 * than the database when it is asked for; that is safe: parts only leave a
 * seq window (a later write moves them to a later seq), never enter it, so
 * the page still holds every part of its window and the rest arrives later.
 */
export class PageReadAhead {
  readonly #read: (key: PageKey) => AnyChangeset;
  readonly #pages = new Map<string, ReadPage>();
  readonly #enabled: boolean;
  readonly #served: ((key: PageKey, more: boolean, next: number) => void) | undefined;
  readonly #site: () => string;
  /** Bodies compressed ahead, by the page's JSON (dropped with it). */
  readonly #compressed = new WeakMap<Buffer, CompressedAhead>();

  /**
   * @param read - reads one page (the tracker's `readChanges` or `readCompactChanges`)
   * @param site - the server's site id now (a page carries it, and its marks: one read ahead under an earlier id is read again)
   * @param enabled - false reads every page when asked (to measure what reading ahead brings)
   * @param served - hears each page as it is answered (not when it is read ahead), with its `more` and `next`
   */
  constructor(read: (key: PageKey) => AnyChangeset, site: () => string, enabled = true, served?: (key: PageKey, more: boolean, next: number) => void) {
    this.#read = read;
    this.#site = site;
    this.#enabled = enabled;
    this.#served = served;
  }

  /** The page `key`, read ahead or now, as JSON; starts reading the next one. */
  page(key: PageKey): Buffer {
    const id = keyOf(key);
    const ready = this.#pages.get(id);
    this.#pages.delete(id);
    // A puller's pages grow after its first (PAGE_GROWTH): a page read ahead with a smaller limit still serves.
    const fresh = ready !== undefined && ready.limit <= key.limit && Date.now() - ready.at < KEEP_MS && ready.site === this.#site();
    const page = fresh ? ready : this.#readNow(key);
    if (page.more && this.#enabled) setImmediate(() => this.#readAhead({ ...key, since: page.next }, DEPTH));
    this.#served?.(key, page.more, page.next);
    return page.json;
  }

  /**
   * The page `key`, read now, whose envelope says it starts at `claim`, before
   * `key.since`: the peer holds the seqs between (this server's push pages
   * brought them: see `ChangeTracker.pushLanding`), so its cursor moves to the
   * page's `next` as if it had pulled them. Starts reading the next one.
   */
  claimed(key: PageKey, claim: number): Buffer {
    const read = this.#read(key);
    const page = this.#asRead(key, { ...read, since: claim });
    if (page.more && this.#enabled) setImmediate(() => this.#readAhead({ ...key, since: page.next }, DEPTH));
    this.#served?.(key, page.more, page.next);
    return page.json;
  }

  /**
   * The body of a page `page` returned, in `coding`: the one compressed ahead when the
   * page was read ahead for that coding, else compressed now (off the event loop).
   */
  async body(json: Buffer, coding: ContentCoding): Promise<Buffer> {
    if (coding === 'identity') return json;
    const ahead = this.#compressed.get(json);
    const body = ahead?.coding === coding ? await ahead.body : undefined;
    return body ?? encodeBody(json, coding);
  }

  #readNow(key: PageKey): ReadPage {
    return this.#asRead(key, this.#read(key));
  }

  #asRead(key: PageKey, page: AnyChangeset): ReadPage {
    return { json: Buffer.from(JSON.stringify(page)), limit: key.limit, next: page.next ?? key.since, more: page.more === true, at: Date.now(), site: page.site };
  }

  /** Reads `key` ahead (unless it is read already), then the page after it, `depth` pages in all, one per turn of the event loop. */
  #readAhead(key: PageKey, depth: number): void {
    const id = keyOf(key);
    let page = this.#pages.get(id);
    if (page === undefined) {
      try {
        page = this.#readNow(key);
      } catch {
        return; // read again, and reported, when it is asked for
      }
      this.#pages.set(id, page);
      this.#compressAhead(page.json, key.coding ?? 'identity');
      for (const old of this.#pages.keys()) {
        if (this.#pages.size <= MAX_PAGES) break;
        this.#pages.delete(old);
      }
    }
    const { more, next } = page;
    if (more && depth > 1) setImmediate(() => this.#readAhead({ ...key, since: next }, depth - 1));
  }

  #compressAhead(json: Buffer, coding: ContentCoding): void {
    if (coding === 'identity' || json.length < MIN_COMPRESSED_BYTES) return;
    const body = encodeBody(json, coding).catch(() => undefined);
    this.#compressed.set(json, { coding, body });
  }
}
