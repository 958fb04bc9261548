import type Database from 'better-sqlite3';
import { decodeChange, type CheckedChangeset, type DecodedChange } from './changeset';
import { classify, rowValues, type ConflictSettler, type Pending } from './conflict-settler';
import type { MetaReader, RowMeta } from './meta-reader';
import type { PeerCursors } from './peer-cursors';
import type { SiteRegistry } from './site-registry';
import type { ApplyResult, ConflictReport } from './wire-schema';
import { SyncError } from '../sync-error';

/** Inserts a row the metadata has never seen; a row with its key already there (written with capture off) is overwritten. */
function placeNewRow(change: DecodedChange): void {
  const values = rowValues(change);
  try {
    change.table.insert(values);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'SQLITE_CONSTRAINT_PRIMARYKEY') throw error;
    change.table.upsert(values);
  }
}

interface Run {
  /** The local seq before the merge. */
  readonly localSeq: number;
  maxHlc: number;
  seq: number;
  applied: number;
  ignored: number;
  readonly touched: Set<string>;
  readonly conflicts: ConflictReport[];
}

function newer(hlc: number, site: string, thanHlc: number, thanSite: string): boolean {
  return hlc > thanHlc || (hlc === thanHlc && site > thanSite);
}

/**
 * Merges decoded changes into the user tables and the clock tables:
 * causal length first (a higher one is a newer life of the row: a delete, or
 * a revival carrying every column), then per-cell last-writer-wins on
 * (hlc, site). Call inside one write transaction, after folding.
 */
export class ChangeMerger {
  readonly #db: Database.Database;
  readonly #meta: MetaReader;
  readonly #sites: SiteRegistry;
  readonly #settler: ConflictSettler;
  readonly #cursors: PeerCursors;
  readonly #statements: Readonly<Record<'applying' | 'newRow' | 'forgetRow' | 'putRow' | 'dropCells' | 'putCell' | 'lastHlc' | 'sentinel' | 'trim' | 'folded', Database.Statement>>;

  /** Prepares the merge's statements. */
  constructor(db: Database.Database, meta: MetaReader, sites: SiteRegistry, settler: ConflictSettler, cursors: PeerCursors) {
    this.#db = db;
    this.#meta = meta;
    this.#sites = sites;
    this.#settler = settler;
    this.#cursors = cursors;
    this.#statements = {
      applying: db.prepare('UPDATE _sync_state SET applying = ? WHERE id = 1'),
      newRow: db.prepare('INSERT INTO _sync_rows (tbl, pk, cl, hlc, site, born) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tbl, pk) DO NOTHING'),
      forgetRow: db.prepare('DELETE FROM _sync_rows WHERE tbl = ? AND pk = ?'),
      putRow: db.prepare(
        `INSERT INTO _sync_rows (tbl, pk, cl, hlc, site, born) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (tbl, pk) DO UPDATE SET cl = excluded.cl, hlc = excluded.hlc, site = excluded.site, born = excluded.born`,
      ),
      dropCells: db.prepare('DELETE FROM _sync_cells WHERE tbl = ? AND pk = ?'),
      putCell: db.prepare(
        `INSERT INTO _sync_cells (tbl, pk, col, hlc, site, seq) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (tbl, pk, col) DO UPDATE SET hlc = excluded.hlc, site = excluded.site, seq = excluded.seq`,
      ),
      lastHlc: db.prepare('SELECT hlc FROM _sync_log ORDER BY seq DESC LIMIT 1').pluck(),
      sentinel: db.prepare("INSERT INTO _sync_log (seq, tbl, op, pk, cols, hlc) VALUES (?, 0, 0, '', 0, ?)"),
      trim: db.prepare('DELETE FROM _sync_log WHERE seq < ?'),
      folded: db.prepare('UPDATE _sync_state SET folded = ? WHERE id = 1'),
    };
  }

  /**
   * Merges a changeset. `localSeq` is the last local seq (after folding).
   * @throws SyncError `INCOMPLETE_ROW` (422) for a revival without every column; `INVALID_VALUE` (400) for a value a column refuses
   */
  merge(changeset: CheckedChangeset, localSeq: number): ApplyResult {
    const run: Run = { localSeq, maxHlc: 0, seq: localSeq, applied: 0, ignored: 0, touched: new Set(), conflicts: [] };
    this.#statements.applying.run(1);
    this.#db.pragma('defer_foreign_keys = ON');
    const pending: Pending[] = [];
    changeset.wire.changes.forEach((wire, index) => {
      const change = decodeChange(wire, changeset, index);
      run.maxHlc = Math.max(run.maxHlc, change.hlc);
      for (const cell of change.cells) if (cell.hlc > run.maxHlc) run.maxHlc = cell.hlc;
      const failed = this.#attempt(change, run);
      if (failed !== undefined) pending.push(failed);
    });
    for (const failed of this.#retry(pending, run)) {
      run.conflicts.push(this.#settler.record(failed));
      this.#park(failed.change, run);
    }
    run.conflicts.push(...this.#settler.settleForeignKeys(run.touched));
    this.#finish(run, changeset);
    this.#statements.applying.run(0);
    return { received: changeset.wire.changes.length, applied: run.applied, ignored: run.ignored, conflicts: run.conflicts, seq: run.seq };
  }

  #attempt(change: DecodedChange, run: Run): Pending | undefined {
    try {
      if (this.#mergeOne(change, run)) {
        run.applied += 1;
        run.touched.add(change.table.table.name);
      } else run.ignored += 1;
      return undefined;
    } catch (error) {
      return classify(error, change);
    }
  }

  /** Retries clashing changes while some succeed (a later change may free a UNIQUE value). */
  #retry(pending: Pending[], run: Run): Pending[] {
    let left = pending;
    while (left.length > 0) {
      const still = left.map((failed) => this.#attempt(failed.change, run)).filter((failed) => failed !== undefined);
      if (still.length === left.length) return still;
      left = still;
    }
    return left;
  }

  #mergeOne(change: DecodedChange, run: Run): boolean {
    if (this.#mergeNew(change, run)) return true;
    const local = this.#meta.row(change.table.table.id, change.metaKey);
    const localCl = local?.cl ?? 0;
    if (change.cl < localCl) return false;
    if (change.cl > localCl) return change.cl % 2 === 0 ? this.#bury(change, run, local !== undefined) : this.#revive(change, run, local !== undefined);
    if (change.cl % 2 === 0 || local === undefined) return false;
    return this.#mergeCells(change, local, run);
  }

  /**
   * The common case of a first sync, in one write instead of a lookup and a
   * write: record a row the metadata has never seen, then place it. When the
   * metadata knows the row, nothing is written and the full merge runs.
   */
  #mergeNew(change: DecodedChange, run: Run): boolean {
    if (change.cl % 2 === 1 && !change.complete) return false;
    const tbl = change.table.table.id;
    const seq = run.seq + 1;
    if (this.#statements.newRow.run(tbl, change.metaKey, change.cl, change.hlc, this.#sites.idOf(change.site), seq).changes === 0) return false;
    try {
      if (change.cl % 2 === 1) placeNewRow(change);
      else change.table.delete(change.key);
    } catch (error) {
      this.#statements.forgetRow.run(tbl, change.metaKey);
      throw error;
    }
    run.seq = seq;
    this.#putOverrides(change, seq);
    return true;
  }

  /**
   * A new or revived row that a constraint kept out of its table keeps its
   * clocks, as a row parked by a foreign-key conflict does: later changes to
   * it then merge into its metadata (and into no table row) instead of being
   * refused as changes to a row never seen, which would stall every later page.
   */
  #park(change: DecodedChange, run: Run): void {
    if (!change.complete || change.cl % 2 === 0) return;
    const tbl = change.table.table.id;
    const local = this.#meta.row(tbl, change.metaKey);
    if (local !== undefined && local.cl >= change.cl) return;
    const seq = ++run.seq;
    if (local !== undefined) this.#statements.dropCells.run(tbl, change.metaKey);
    this.#statements.putRow.run(tbl, change.metaKey, change.cl, change.hlc, this.#sites.idOf(change.site), seq);
    this.#putOverrides(change, seq);
  }

  #putOverrides(change: DecodedChange, seq: number): void {
    for (const cell of change.cells) {
      if (cell.hlc === change.hlc && cell.site === change.site) continue;
      this.#statements.putCell.run(change.table.table.id, change.metaKey, cell.column.id, cell.hlc, this.#sites.idOf(cell.site), seq);
    }
  }

  #bury(change: DecodedChange, run: Run, known: boolean): boolean {
    change.table.delete(change.key);
    const seq = ++run.seq;
    const tbl = change.table.table.id;
    if (known) this.#statements.dropCells.run(tbl, change.metaKey);
    this.#statements.putRow.run(tbl, change.metaKey, change.cl, change.hlc, this.#sites.idOf(change.site), seq);
    return true;
  }

  #revive(change: DecodedChange, run: Run, known: boolean): boolean {
    if (!change.complete) {
      throw new SyncError(
        'INCOMPLETE_ROW',
        422,
        `a change to ${change.table.table.name} creates or revives a row (cl ${change.cl}) without every column; pull from since=0 to receive whole rows`,
      );
    }
    change.table.upsert(rowValues(change));
    const seq = ++run.seq;
    const tbl = change.table.table.id;
    if (known) this.#statements.dropCells.run(tbl, change.metaKey);
    this.#statements.putRow.run(tbl, change.metaKey, change.cl, change.hlc, this.#sites.idOf(change.site), seq);
    this.#putOverrides(change, seq);
    return true;
  }

  /**
   * Per-cell last-writer-wins. A cell's own clock is always newer than its
   * row's birth clock, so a cell not newer than the birth loses without
   * reading the cell clocks (the common case of a repeated changeset).
   */
  #mergeCells(change: DecodedChange, local: RowMeta, run: Run): boolean {
    const tbl = change.table.table.id;
    const birthSite = this.#sites.siteOf(local.site);
    const candidates = change.cells.filter((cell) => newer(cell.hlc, cell.site, local.hlc, birthSite));
    if (candidates.length === 0) return false;
    const overrides = this.#meta.cells(tbl, change.metaKey);
    const winners = candidates.filter((cell) => {
      const clock = overrides.get(cell.column.id);
      return clock === undefined || newer(cell.hlc, cell.site, clock.hlc, this.#sites.siteOf(clock.site));
    });
    if (winners.length === 0) return false;
    change.table.update(
      winners.map((cell) => [cell.column, cell.value] as const),
      change.key,
    );
    const seq = ++run.seq;
    for (const cell of winners) this.#statements.putCell.run(tbl, change.metaKey, cell.column.id, cell.hlc, this.#sites.idOf(cell.site), seq);
    return true;
  }

  /** Raises the local clock past every applied clock, keeps the seq, trims the log and saves the sender's cursor. */
  #finish(run: Run, changeset: CheckedChangeset): void {
    const last = this.#statements.lastHlc.get() as number;
    const clock = Math.max(last, run.maxHlc);
    if (run.seq > run.localSeq || clock > last) {
      run.seq = Math.max(run.seq, run.localSeq + 1);
      this.#statements.sentinel.run(run.seq, clock);
      this.#statements.trim.run(run.seq);
      this.#statements.folded.run(run.seq);
    }
    const { since, next, site } = changeset.wire;
    if (since === undefined || next === undefined || site === this.#sites.local) return;
    const stored = this.#cursors.pull(site);
    if (since <= stored && next > stored) this.#cursors.savePull(site, next);
  }
}
