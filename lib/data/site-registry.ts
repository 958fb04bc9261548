import type Database from 'better-sqlite3';
import { numbers } from './prepared';

/**
 * Maps 128-bit site ids (32 hex characters) to the small integers the
 * metadata stores; id 0 is this database's own site. Cached both ways.
 */
export class SiteRegistry {
  readonly #db: Database.Database;
  readonly #byId = new Map<number, string>();
  readonly #bySite = new Map<string, number>();
  readonly #select: Database.Statement;
  readonly #insert: Database.Statement;
  readonly #find: Database.Statement;
  /** A site was registered since the cache was last known to hold only committed rows. */
  #tentative = false;

  /** Prepares the statements and loads the known sites. */
  constructor(db: Database.Database) {
    this.#db = db;
    this.#select = numbers(db, 'SELECT id, site FROM _sync_sites');
    this.#insert = numbers(db, 'INSERT OR IGNORE INTO _sync_sites (site) VALUES (?)');
    this.#find = numbers(db, 'SELECT id FROM _sync_sites WHERE site = ?').pluck();
    this.#load();
  }

  #load(): void {
    for (const row of this.#select.all() as { id: number; site: string }[]) {
      this.#byId.set(row.id, row.site);
      this.#bySite.set(row.site, row.id);
    }
  }

  /** Drops the cache (after a rolled-back transaction that may have registered sites). */
  forget(): void {
    this.#byId.clear();
    this.#bySite.clear();
    this.#load();
  }

  /**
   * Call before each operation that reads or writes the metadata, outside
   * its own transaction: when a site was registered since the last call, the
   * cache is loaded again, as the transaction that registered it may have
   * rolled back (an apply inside the caller's transaction, which the caller
   * then rolled back: the number would be given to another site next, and
   * the cache would name two sites by it). Inside a caller's transaction the
   * cache is checked again at the next call.
   */
  revalidate(): void {
    if (!this.#tentative) return;
    this.forget();
    this.#tentative = this.#db.inTransaction;
  }

  /** This database's own site id. */
  get local(): string {
    return this.siteOf(0);
  }

  /**
   * The site id behind a stored number.
   * @throws Error when the number is unknown (the metadata is corrupted)
   */
  siteOf(id: number): string {
    let site = this.#byId.get(id);
    if (site === undefined) {
      this.#load();
      site = this.#byId.get(id);
    }
    if (site === undefined) throw new Error(`unknown site number ${id} in _sync_ metadata`);
    return site;
  }

  /** The stored number of a known site, or undefined (nothing is registered). */
  find(site: string): number | undefined {
    return this.#bySite.get(site) ?? (this.#find.get(site) as number | undefined);
  }

  /** The stored number of a site, registering it when new (inside the caller's transaction). */
  idOf(site: string): number {
    const known = this.#bySite.get(site);
    if (known !== undefined) return known;
    this.#insert.run(site);
    this.#tentative = true;
    const id = this.#find.get(site) as number;
    this.#byId.set(id, site);
    this.#bySite.set(site, id);
    return id;
  }
}
