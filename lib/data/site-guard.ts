import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { PeerSiteUrls } from './peer-site-urls';
import { numbers } from './prepared';
import { ServedMarkFile } from './served-mark';
import type { PeerView } from './wire-schema';

/** An identity fault found by comparing what a peer holds of this site with this database's own history. */
export interface IdentityFault {
  readonly code: 'SITE_REWOUND' | 'SITE_CLONED';
  /** What was found, in words. */
  readonly detail: string;
}

/**
 * Guards a site id's single history. Every page a server serves carries a
 * **mark**: a random token the server records, once, for the page's `next`
 * seq (`_sync_marks`). A receiver stores the mark with its cursor. Later, a
 * peer's `(cursor, mark)` for this site must match this database's own marks:
 * a cursor beyond the local seq means the file was rewound; a mark this
 * database never recorded at that seq means its history is another one (a
 * copy that went its own way, or a rewind that wrote again). Also remembers
 * which URL answered with which site id, to see two servers sharing one.
 * The furthest mark served is also kept beside the database file
 * ({@link ServedMarkFile}), for the start to see a file put back in place.
 */
export class SiteGuard {
  readonly #record: Database.Statement;
  readonly #find: Database.Statement;
  readonly #served: ServedMarkFile;
  readonly #localSite: () => string;
  readonly #peers = new PeerSiteUrls();
  /** Random per running tracker, answered in `/data/info`. */
  readonly instance = randomBytes(8).toString('hex');

  /**
   * Prepares the statements (the metadata must exist).
   * @param localSite - this database's site id now (it changes when the site takes a new one)
   */
  constructor(db: Database.Database, localSite: () => string) {
    this.#served = new ServedMarkFile(db);
    this.#localSite = localSite;
    this.#record = numbers(db, 'INSERT OR IGNORE INTO _sync_marks (seq, mark) VALUES (?, ?)');
    this.#find = numbers(db, 'SELECT mark FROM _sync_marks WHERE seq = ?').pluck();
  }

  /** The mark of `seq`, recorded now when it has none. Call inside a write transaction, then {@link SiteGuard.noteServed} once it committed. */
  markAt(seq: number): string {
    this.#record.run(seq, randomBytes(8).toString('hex'));
    return this.#find.get(seq) as string;
  }

  /** Notes a page's mark as served, in the served-mark file: call once the transaction that recorded it committed, before serving the page. */
  noteServed(seq: number, mark: string): void {
    this.#served.note(this.#localSite(), seq, mark);
  }

  /** Compares a peer's view of this site (its cursor and mark) with this database's history; undefined when they agree. */
  fault(view: PeerView, localSeq: number): IdentityFault | undefined {
    if (view.seq === 0) return undefined;
    if (view.seq > localSeq) return { code: 'SITE_REWOUND', detail: `it holds this site's changes up to seq ${view.seq}, but this database is at seq ${localSeq}` };
    if (view.mark === null) return undefined;
    const mine = this.#find.get(view.seq) as string | undefined;
    if (mine === view.mark) return undefined;
    return { code: 'SITE_CLONED', detail: `what it holds of this site at seq ${view.seq} is not in this database's history` };
  }

  /** The site id last seen at `url`, if any. */
  siteAt(url: string): string | undefined {
    return this.#peers.siteAt(url);
  }

  /**
   * Records that `url` answered as `site`. Returns another URL when another
   * server (another instance, at another URL) answered as the same site lately:
   * the site is contested, for either URL, whichever was met first (see {@link PeerSiteUrls}).
   */
  notePeer(url: string, site: string, instance: string | undefined, now = Date.now()): string | undefined {
    return this.#peers.note(url, site, instance, now);
  }

  /** The other URL that answered as `site` lately from another server, while `url` last answered as it too (see {@link SiteGuard.notePeer}). */
  rivalOf(url: string, site: string, now = Date.now()): string | undefined {
    return this.#peers.rival(url, site, now);
  }

  /** True while two peer URLs answered as `site` from two servers lately. */
  contested(site: string, now = Date.now()): boolean {
    return this.#peers.contested(site, now);
  }

  /** Forgets the peers seen (after this site took a new id). */
  forgetPeers(): void {
    this.#peers.forget();
  }
}
