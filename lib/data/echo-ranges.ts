import type Database from 'better-sqlite3';

/** Most ranges kept per site: a site that pushes here but is never sent to must not grow memory without end. */
const MAX_RANGES_PER_SITE = 1024;

/** A window of local seqs `(from, to]`. */
interface Range {
  from: number;
  to: number;
}

/**
 * Remembers, per sender site, the windows of local seqs written by merging
 * that sender's changesets (every part a merge writes belongs to the page
 * it applies, and local writes are folded before it, so such a window holds
 * only what the sender sent). Reading changes for that site jumps over
 * them: a relay never sends a peer back what it received from it, whether
 * it pushes to the peer or the peer pulls. Kept in memory, the last 1024
 * (adjacent windows merge) per site; after a restart a window may be sent
 * once more, which is harmless: applying is idempotent.
 */
export class EchoRanges {
  readonly #bySite = new Map<string, Range[]>();
  /** Rows with a part in a seq window not written by a site: what a page over that window holds. */
  readonly #rowsBetween: Database.Statement;

  /** Prepares the one query it needs. */
  constructor(db: Database.Database) {
    this.#rowsBetween = db
      .prepare(
        `SELECT count(*) FROM (SELECT tbl, pk FROM _sync_rows WHERE born > @from AND born <= @to AND site IS NOT @exclude
         UNION SELECT tbl, pk FROM _sync_cells WHERE seq > @from AND seq <= @to AND site IS NOT @exclude)`,
      )
      .pluck()
      .safeIntegers(false); // a count, whatever the connection's defaultSafeIntegers
  }

  /**
   * Where a page for a reader excluding `site` starts (after the windows
   * `since` is at or in) and how many rows it may hold: with `cut`, only the
   * rows before the next window. Call inside the read transaction.
   * @param exclude - the stored number of `site`, as the page query filters it
   */
  plan(site: string | undefined, since: number, limit: number, exclude: number | undefined, cut: boolean): { from: number; rows: number } {
    if (site === undefined) return { from: since, rows: limit };
    let from = this.skip(site, since);
    for (;;) {
      const stop = cut ? this.nextStart(site, from) : undefined;
      if (stop === undefined) return { from, rows: limit };
      const rows = this.#rowsBetween.get({ from, to: stop, exclude: exclude ?? null }) as number;
      if (rows > 0) return { from, rows: Math.min(limit, rows) };
      from = this.skip(site, stop);
    }
  }

  /** Records that local seqs `(from, to]` hold only parts received from `site`. */
  add(site: string, from: number, to: number): void {
    if (to <= from) return;
    const ranges = this.#bySite.get(site) ?? [];
    const last = ranges.at(-1);
    if (last !== undefined && last.to === from) last.to = to;
    else ranges.push({ from, to });
    if (ranges.length > MAX_RANGES_PER_SITE) ranges.shift();
    this.#bySite.set(site, ranges);
  }

  /**
   * Where reading for `site` from `since` may start: past every window that
   * starts at or before `since` and reaches beyond it (and those adjacent to it).
   */
  skip(site: string | undefined, since: number): number {
    const ranges = site === undefined ? undefined : this.#bySite.get(site);
    if (ranges === undefined) return since;
    let position = since;
    for (const range of ranges) if (range.from <= position && position < range.to) position = range.to;
    return position;
  }

  /**
   * A test for the seqs inside `site`'s windows, asked in increasing seq order
   * from `since` on (a page read passes over them: its peer has them);
   * undefined when no window ends after `since`.
   */
  skipper(site: string | undefined, since: number): ((seq: number) => boolean) | undefined {
    const ranges = (site === undefined ? undefined : this.#bySite.get(site))?.filter((range) => range.to > since);
    if (ranges === undefined || ranges.length === 0) return undefined;
    let index = 0;
    return (seq) => {
      while (index < ranges.length && (ranges[index] as Range).to < seq) index += 1;
      const range = ranges[index];
      return range !== undefined && range.from < seq && seq <= range.to;
    };
  }

  /**
   * How many local seqs of `(from, to]` lie in `site`'s windows: seqs that hold
   * only what `site` sent, so it never needs them back.
   */
  covered(site: string, from: number, to: number): number {
    let count = 0;
    for (const range of this.#bySite.get(site) ?? []) count += Math.max(0, Math.min(range.to, to) - Math.max(range.from, from));
    return count;
  }

  /** The start of the first window after `since` for `site`, if any. */
  nextStart(site: string | undefined, since: number): number | undefined {
    const ranges = site === undefined ? undefined : this.#bySite.get(site);
    return ranges?.find((range) => range.from >= since)?.from;
  }
}
