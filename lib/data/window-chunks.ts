import type Database from 'better-sqlite3';
import { numbers } from './prepared';

/** Births and cells a chunk of the window holds at most (plus the cells sharing its last seq). */
const CHUNK = 4096;

/**
 * The seq of the `@offset`+1-th birth or death after `@since` not written by
 * `@exclude` (no row: fewer are left).
 */
const BIRTHS_END_SQL = 'SELECT born FROM _sync_rows WHERE born > @since AND site IS NOT @exclude ORDER BY born LIMIT 1 OFFSET @offset';

/** The same for changed cells, through their seq index. */
const CELLS_END_SQL = 'SELECT seq FROM _sync_cells WHERE seq > @since AND site IS NOT @exclude ORDER BY seq LIMIT 1 OFFSET @offset';

/**
 * Where a page's window ends, and the chunks it is read in. The window query
 * reads a chunk whole (`all()`), a bounded batch: streaming it row by row
 * costs a call into SQLite and a result object per row, 10 % of a 100k-row
 * page. A chunk ends at a seq, so the parts of one seq are never split.
 */
export class WindowChunks {
  readonly #births: Database.Statement;
  readonly #cells: Database.Statement;

  /** Prepares the two bounds. */
  constructor(db: Database.Database) {
    this.#births = numbers(db, BIRTHS_END_SQL).pluck();
    this.#cells = numbers(db, CELLS_END_SQL).pluck();
  }

  /**
   * The seq of the `limit`-th birth or death after `since` not written by
   * `exclude` (undefined: fewer are left): a page of `limit` rows ends there
   * at the latest, so the window query need not read past it.
   */
  pageEnd(since: number, limit: number, exclude: number | null): number | undefined {
    return this.#births.get({ since, exclude, offset: Math.max(0, limit - 1) }) as number | undefined;
  }

  /**
   * The end of the chunk after `from` of a window that ends at `until` and
   * holds at most `limit` births: at most `CHUNK` births and `CHUNK` cells.
   */
  chunkEnd(from: number, until: number, limit: number, exclude: number | null): number {
    const births = limit > CHUNK ? (this.#births.get({ since: from, exclude, offset: CHUNK - 1 }) as number | undefined) : undefined;
    const cells = this.#cells.get({ since: from, exclude, offset: CHUNK - 1 }) as number | undefined;
    return Math.min(until, births ?? until, cells ?? until);
  }
}
