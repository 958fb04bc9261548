import type Database from 'better-sqlite3';
import type { CheckedChangeset, DecodedChange } from './changeset';
import { EarlierBirths, formsMayDiffer } from './earlier-births';
import { rewriteKeyForm } from './key-forms';
import type { MetaReader, RowMeta } from './meta-reader';
import type { PeerCursors } from './peer-cursors';
import { numbers } from './prepared';
import type { RowPlacer } from './row-placer';
import type { SettleBatch, TableParts } from './settle-batch';
import { metaRef, type MergeCounts, type MergeRun } from './merge-run';
import type { SiteRegistry } from './site-registry';
import { SyncError } from '../sync-error';
import type { SqlValue } from './values';
import { boundedCl } from './wire-schema';
import { contestCells } from './cell-contest';
import { StoredForms } from './stored-form';
import { DECODED_AHEAD, decodedAhead } from './decoded-ahead';

/** At most this many rows new to the metadata wait to be placed (see `ChangeMerger.#mergeNew`). */
const UNPLACED_ROWS = 2048;

type Statement = 'newRow' | 'putRow' | 'dropCells' | 'putCell' | 'dropLogged' | 'lastHlc' | 'sentinel' | 'trim' | 'folded';

/**
 * Merges decoded changes into the replicated state — the clock tables, and
 * each row's values where the row lives (its table, or its parked rows):
 * causal length first (a higher one is a newer life of the row: a delete, or
 * a revival carrying every column), then per-cell last-writer-wins on
 * (hlc, site). Constraints are not settled here but once, at the end of the
 * batch. Call inside one write transaction, after folding.
 */
export class ChangeMerger {
  readonly #meta: MetaReader;
  readonly #sites: SiteRegistry;
  readonly #placer: RowPlacer;
  readonly #cursors: PeerCursors;
  readonly #parts: ReadonlyMap<number, TableParts>;
  readonly #statements: Readonly<Record<Statement, Database.Statement>>;
  readonly #births: EarlierBirths;
  readonly #stored: StoredForms;
  readonly #db: Database.Database;

  /** Prepares the merge's statements. */
  constructor(db: Database.Database, meta: MetaReader, sites: SiteRegistry, placer: RowPlacer, cursors: PeerCursors, parts: ReadonlyMap<number, TableParts>) {
    this.#db = db;
    this.#meta = meta;
    this.#sites = sites;
    this.#placer = placer;
    this.#cursors = cursors;
    this.#parts = parts;
    this.#births = new EarlierBirths(db, meta, sites);
    this.#stored = new StoredForms(db);
    this.#statements = {
      newRow: numbers(db, 'INSERT INTO _sync_rows (tbl, pk, cl, hlc, site, born) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tbl, pk) DO NOTHING'),
      putRow: numbers(
        db,
        `INSERT INTO _sync_rows (tbl, pk, cl, hlc, site, born) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (tbl, pk) DO UPDATE SET cl = excluded.cl, hlc = excluded.hlc, site = excluded.site, born = excluded.born`,
      ),
      dropCells: numbers(db, 'DELETE FROM _sync_cells WHERE tbl = ? AND pk = ?'),
      putCell: numbers(
        db,
        `INSERT INTO _sync_cells (tbl, pk, col, hlc, site, seq) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (tbl, pk, col) DO UPDATE SET hlc = excluded.hlc, site = excluded.site, seq = excluded.seq`,
      ),
      dropLogged: numbers(db, 'DELETE FROM _sync_log WHERE seq > ?'),
      lastHlc: numbers(db, 'SELECT hlc FROM _sync_log ORDER BY seq DESC LIMIT 1').pluck(),
      sentinel: numbers(db, "INSERT INTO _sync_log (seq, tbl, op, pk, cols, hlc) VALUES (?, 0, 0, '', 0, ?)"),
      trim: numbers(db, 'DELETE FROM _sync_log WHERE seq < ?'),
      folded: numbers(db, 'UPDATE _sync_state SET folded = ? WHERE id = 1'),
    };
  }

  /**
   * Merges a changeset into the replicated state; `localSeq` is the last local seq (after folding).
   * @throws SyncError `INCOMPLETE_ROW` (422) for a revival without every column (unless the page starts beyond the
   * stored cursor: then it is ignored, and comes again); `INVALID_VALUE` (400) for a value a column refuses
   */
  merge(changeset: CheckedChangeset, localSeq: number, batch: SettleBatch): MergeCounts {
    const { since, site } = changeset.envelope;
    const early = since !== undefined && site !== this.#sites.local && since > this.#cursors.pull(site);
    this.#births.forget(); // a page refused part-way before this one left its births taken in, rolled back since
    const run: MergeRun = { localSeq, early, maxHlc: 0, seq: localSeq, echoTo: localSeq, applied: 0, ignored: 0, heldBack: 0, batch, passedOver: new Set(), expectNew: true, unplaced: [] };
    // Before a change that does not decode is refused, the rows before it are placed, as one by one: an error placing
    // one of them is the one to report. A failed write refuses at once, and nothing is written once SQLite has rolled
    // the transaction back (SQLITE_FULL, SQLITE_IOERR, SQLITE_NOMEM may): the rows would be written outside it.
    const placeBeforeFailing = (): void => {
      if (this.#db.inTransaction) this.#place(run);
    };
    for (const change of decodedAhead(changeset.changes(), DECODED_AHEAD, placeBeforeFailing)) {
      if (change.maxHlc > run.maxHlc) run.maxHlc = change.maxHlc;
      if (this.#mergeOne(change, run)) run.applied += 1;
      else run.ignored += 1;
    }
    this.#place(run);
    run.echoTo = run.seq;
    run.seq = this.#births.sequence(run.seq);
    this.#finish(run, changeset);
    return { applied: run.applied, ignored: run.ignored, seq: run.seq, echoTo: run.echoTo, heldBack: run.passedOver.size };
  }

  #partsOf(change: DecodedChange): TableParts {
    const parts = this.#parts.get(change.table.table.id);
    if (parts === undefined) throw new Error(`no parked rows for ${change.table.table.name}`);
    return parts;
  }

  /**
   * Pages come mostly new (a first sync) or mostly known (the same rows from a
   * second peer): the row is tried as new first while the last one was new,
   * else looked up first, so either kind costs one index probe per row.
   */
  #mergeOne(change: DecodedChange, run: MergeRun): boolean {
    if (run.passedOver.size > 0 && run.passedOver.has(metaRef(change))) return false;
    const triedNew = run.expectNew;
    if (triedNew && this.#mergeNew(change, run)) return true;
    this.#place(run);
    const local = this.#meta.row(change.table.table.id, change.metaKey);
    run.expectNew = local === undefined;
    if (local === undefined && !triedNew && this.#mergeNew(change, run)) return true;
    // A cl stored above MAX_CL (a database from before the bound) counts as the bound: pages carry no more.
    const localCl = boundedCl(local?.cl ?? 0);
    if (change.cl < localCl) return false;
    if (change.cl > localCl) return change.cl % 2 === 0 ? this.#bury(change, run, local !== undefined) : this.#revive(change, run, local !== undefined);
    if (change.cl % 2 === 0 || local === undefined) return false;
    const earlier = this.#births.takeIn(change, local, this.#partsOf(change));
    if (earlier !== undefined) run.batch.wrote(this.#partsOf(change), [...change.key]); // its claim may have changed
    return this.#mergeCells(change, earlier ?? local, run) || earlier !== undefined;
  }

  /**
   * The common case of a first sync, in one write instead of a lookup and a
   * write: record a row the metadata has never seen, then place it. When the
   * metadata knows the row, nothing is written and the full merge runs.
   * Placing waits (`run.unplaced`, up to {@link UNPLACED_ROWS} rows): the
   * metadata rows and the user rows are written each in a stretch, not
   * alternately, which keeps each B-tree's pages warmer. The user tables see
   * the same writes in the same order, and nothing reads them meanwhile: a
   * change that takes the full merge places the waiting rows first, and so
   * does a change that does not decode (see {@link merge}), so a page that
   * holds both a value its table refuses and a change that does not decode is
   * refused for the one that comes first, as merging one by one does.
   */
  #mergeNew(change: DecodedChange, run: MergeRun): boolean {
    if (change.cl % 2 === 1 && !change.complete) return false;
    const seq = run.seq + 1;
    if (this.#statements.newRow.run(change.table.table.id, change.metaKey, change.cl, change.hlc, this.#sites.idOf(change.site), seq).changes === 0) return false;
    run.seq = seq;
    this.#putOverrides(change, seq);
    if (run.unplaced.push(change) >= UNPLACED_ROWS) this.#place(run);
    return true;
  }

  /** Places the rows new to the metadata that wait (see {@link #mergeNew}), in page order. */
  #place(run: MergeRun): void {
    if (run.unplaced.length === 0) return;
    const changes = run.unplaced;
    run.unplaced = [];
    for (const change of changes) {
      if (change.cl % 2 === 1) this.#placer.placeWhole(this.#partsOf(change), change.key as SqlValue[], change.row, run.batch);
      else this.#placer.removeUnseen(this.#partsOf(change), change.key);
    }
  }

  /** Keeps the clocks of the cells written after the row's birth. */
  #putOverrides(change: DecodedChange, seq: number): void {
    for (const cell of change.clocks) {
      this.#statements.putCell.run(change.table.table.id, change.metaKey, cell.column.id, cell.hlc, this.#sites.idOf(cell.site), seq);
    }
  }

  #bury(change: DecodedChange, run: MergeRun, known: boolean): boolean {
    this.#placer.remove(this.#partsOf(change), [...change.key], run.batch);
    const seq = ++run.seq;
    const tbl = change.table.table.id;
    if (known) this.#statements.dropCells.run(tbl, change.metaKey);
    this.#statements.putRow.run(tbl, change.metaKey, change.cl, change.hlc, this.#sites.idOf(change.site), seq);
    return true;
  }

  #revive(change: DecodedChange, run: MergeRun, known: boolean): boolean {
    if (!change.complete) {
      // The row's birth is on an earlier page not applied yet: the cursor stays, and it comes again with it.
      if (run.early) {
        run.passedOver.add(metaRef(change));
        return false;
      }
      throw new SyncError(
        'INCOMPLETE_ROW',
        422,
        `a change to ${change.table.table.name} creates or revives a row (cl ${change.cl}) without every column; pull from since=0 to receive whole rows`,
      );
    }
    this.#placer.placeWhole(this.#partsOf(change), change.key as SqlValue[], change.row, run.batch);
    // A row alive here whose death was never seen was overwritten in place: its key takes the new life's form too.
    if (known && formsMayDiffer(change)) rewriteKeyForm(this.#partsOf(change), change.key);
    const seq = ++run.seq;
    const tbl = change.table.table.id;
    if (known) this.#statements.dropCells.run(tbl, change.metaKey);
    this.#statements.putRow.run(tbl, change.metaKey, change.cl, change.hlc, this.#sites.idOf(change.site), seq);
    this.#putOverrides(change, seq);
    return true;
  }

  /** Per-cell last-writer-wins, ties of clocks broken by value (see `contestCells`); writes the cells that won. */
  #mergeCells(change: DecodedChange, local: RowMeta, run: MergeRun): boolean {
    const tbl = change.table.table.id;
    const parts = this.#partsOf(change);
    const winners = contestCells(change.cells, {
      meta: local,
      birthSite: this.#sites.siteOf(local.site),
      overrides: () => this.#meta.cells(tbl, change.metaKey),
      siteOf: (site) => this.#sites.siteOf(site),
      held: () => this.#placer.held(parts, change.key, run.batch), // read on a tie of clocks only
      stored: (column, value) => this.#stored.of(change.table.table.name, column, value),
    });
    if (winners.length === 0) return false;
    this.#placer.placeCells(parts, [...change.key], winners.map((cell) => [cell.column, cell.value] as const), run.batch);
    const seq = ++run.seq;
    for (const cell of winners) this.#statements.putCell.run(tbl, change.metaKey, cell.column.id, cell.hlc, this.#sites.idOf(cell.site), seq);
    return true;
  }

  /**
   * Drops what the capture triggers logged of the merge's own writes, raises the local clock past every applied clock,
   * keeps the seq, trims the log and saves the sender's cursor.
   */
  #finish(run: MergeRun, changeset: CheckedChangeset): void {
    this.#statements.dropLogged.run(run.localSeq);
    const last = this.#statements.lastHlc.get() as number;
    const clock = Math.max(last, run.maxHlc);
    if (run.seq > run.localSeq || clock > last) {
      run.seq = Math.max(run.seq, run.localSeq + 1);
      this.#statements.sentinel.run(run.seq, clock);
      this.#statements.trim.run(run.seq);
      this.#statements.folded.run(run.seq);
    }
    const { since, next, site, mark } = changeset.envelope;
    if (since === undefined || next === undefined || site === this.#sites.local) return;
    const stored = this.#cursors.pull(site);
    if (since <= stored && next > stored) this.#cursors.savePull(site, next, mark);
    else if (next > stored) this.#cursors.saveView(site, next, mark); // past a gap: what it tells of the sender's history is kept
  }
}
