import type Database from 'better-sqlite3';
import type { ConflictList } from './conflict-list';
import type { ForeignKeySettler } from './foreign-key-settler';
import type { FoldObserver, LogFolder } from './log-folder';
import { numbers } from './prepared';
import { convertParkedForms } from './parked-forms';
import type { RowProbes } from './row-probes';
import { SettleBatch, type TableParts } from './settle-batch';
import type { UniqueSettler } from './unique-settler';
import { localSettlingRefusal, type SettledWrites } from './trigger-refusal';
import type { SqlValue } from './values';
import type { ConflictReport } from './wire-schema';

/** The parts {@link VisibleState} works with. */
export interface VisibleStateParts {
  readonly folder: LogFolder;
  readonly probes: RowProbes;
  readonly unique: UniqueSettler;
  readonly foreignKeys: ForeignKeySettler;
  readonly conflicts: ConflictList;
  /** Every tracked table's homes, by table id. */
  readonly tables: ReadonlyMap<number, TableParts>;
}

/**
 * Keeps the visible state a function of the replicated state: after a batch
 * (a merged changeset, a fold of local writes, a resolution) it settles the
 * UNIQUE and CHECK rule on the tables the batch changed, then the FOREIGN KEY
 * rule; writes made here are not captured (what the capture triggers log of
 * them is dropped before the transaction ends: see {@link VisibleState.applying}).
 */
export class VisibleState {
  readonly #parts: VisibleStateParts;
  readonly #applying: Database.Statement;
  readonly #lastSeq: Database.Statement;
  readonly #dropLogged: Database.Statement;
  /** The log's last seq when the flag was set: the capture triggers log what is written after it, dropped when it is cleared. */
  #mark = 0;

  /** Prepares the flag statements. */
  constructor(db: Database.Database, parts: VisibleStateParts) {
    this.#parts = parts;
    this.#applying = numbers(db, 'UPDATE _sync_state SET applying = ? WHERE id = 1');
    this.#lastSeq = numbers(db, 'SELECT max(seq) FROM _sync_log').pluck();
    this.#dropLogged = numbers(db, 'DELETE FROM _sync_log WHERE seq > ?');
  }

  /** A new batch, settling `settled` writes (another server's page, or this server's own). */
  batch(settled: SettledWrites): SettleBatch {
    return new SettleBatch(this.#parts.probes, settled);
  }

  /**
   * Sets or clears the `applying` flag (app triggers test it to skip merges).
   * Setting it marks the log's end; clearing it drops what the capture
   * triggers logged since (the merge's and the settling's own writes: not
   * local writes). Call both inside one write transaction.
   */
  applying(on: boolean): void {
    if (on) this.#mark = Number(this.#lastSeq.get() ?? 0);
    else this.#dropLogged.run(this.#mark);
    this.#applying.run(on ? 1 : 0);
  }

  #partsOf(tbl: number): TableParts | undefined {
    return this.#parts.tables.get(tbl);
  }

  /**
   * True when folding now may settle constraints, so the transaction must run
   * with foreign-key enforcement off (parking a row must never run an `ON
   * DELETE` action, nor fail on its children): local writes wait, and some
   * table has parked rows or some tracked table has foreign keys.
   */
  needsSettle(): boolean {
    if (!this.#parts.folder.pending()) return false;
    if (this.#parts.probes.anyForeignKeys()) return true;
    const batch = this.batch('local');
    return [...this.#parts.tables.values()].some((parts) => batch.mayHaveParked(parts));
  }

  /**
   * Folds local writes, then settles them when some table has parked rows (a
   * local write SQLite accepted cannot break a UNIQUE constraint among visible
   * rows, so only parked rows can be affected). Foreign keys are checked for
   * the rows the writes touched when `foreignKeys` (always, from
   * `writeTransaction`): a write made on a connection without them (the
   * `sqlite3` shell's default, or this one) may have left an orphan, which is
   * parked here as on every other server.
   * Call inside a write transaction.
   * @returns the local seq and the batch the fold filled
   */
  fold(foreignKeys: boolean): { readonly seq: number; readonly batch: SettleBatch } {
    const batch = this.batch('local');
    const pending = this.#parts.folder.pending();
    const anyParked = pending && [...this.#parts.tables.values()].some((parts) => batch.mayHaveParked(parts));
    const checkKeys = pending && foreignKeys && this.#parts.probes.anyForeignKeys();
    const observer: FoldObserver = {
      present: (tbl, pk) => {
        const parts = this.#partsOf(tbl);
        return parts === undefined || parts.statements.present(parts.statements.keyValues(pk));
      },
      folded: anyParked || checkKeys ? (tbl, pk, what) => this.#folded(batch, tbl, pk, what) : undefined,
      bulkFolded: anyParked || checkKeys ? (from, to) => this.#bulkFolded(batch, from, to, anyParked, checkKeys) : undefined,
    };
    const seq = this.#parts.folder.fold(observer);
    if (anyParked) this.settle(batch, foreignKeys);
    else if (checkKeys && (batch.touched.size > 0 || batch.gone.length > 0 || batch.rescan.size > 0)) {
      this.applying(true);
      this.#localRefusals(() => this.#parts.foreignKeys.settle(batch), 'local');
      this.applying(false);
    }
    return { seq, batch };
  }

  /** Runs a settling of this server's own writes, or the whole ranking: an app trigger's RAISE met there is refused in its words (see `localSettlingRefusal`). */
  #localRefusals(settle: () => void, settled: 'local' | 'whole'): void {
    try {
      settle();
    } catch (error) {
      throw localSettlingRefusal(error, [...this.#parts.tables.values()].map((parts) => parts.statements), settled) ?? error;
    }
  }

  /**
   * New rows folded at once (a bulk load, or only inserts since the last
   * fold), which are not told one by one. With parked rows, the tables that
   * hold some are told the rows written (a new row may claim a UNIQUE value
   * that a row parked for its missing parent keeps). With foreign keys checked, rows whose
   * parents are missing (written with foreign keys off) are checked like
   * touched rows: found by one query for a one-column key, else each row of a
   * child table is.
   */
  #bulkFolded(batch: SettleBatch, from: number, to: number, anyParked: boolean, checkKeys: boolean): void {
    if (anyParked) for (const parts of this.#parts.tables.values()) if (batch.mayHaveParked(parts)) this.#bulkWritten(batch, parts, from, to);
    if (!checkKeys) return;
    for (const parts of this.#parts.tables.values()) {
      const { statements } = parts;
      if (statements.table.foreignKeys.length === 0) continue;
      const keys = statements.table.key.length === 1 ? this.#parts.probes.danglingLogged(statements, from, to) : this.#parts.folder.loggedKeys(statements.table.id, from, to).map((pk) => statements.keyValues(pk));
      for (const key of keys) batch.touch(parts, key, true);
    }
  }

  /** Tells the batch the rows a bulk load wrote in a table with parked rows: by key when they are fewer than the parked rows, else as a whole. */
  #bulkWritten(batch: SettleBatch, parts: TableParts, from: number, to: number): void {
    if (to - from > parts.parked.count()) {
      batch.rankWhole(parts);
      return;
    }
    for (const pk of this.#parts.folder.loggedKeys(parts.statements.table.id, from, to)) batch.wrote(parts, parts.statements.keyValues(pk));
  }

  #folded(batch: SettleBatch, tbl: number, pk: SqlValue, what: 'born' | 'changed' | 'died'): void {
    const parts = this.#partsOf(tbl);
    if (parts === undefined) return;
    const key = parts.statements.keyValues(pk);
    if (what !== 'changed' && batch.mayHaveParked(parts) && parts.parked.reason(key) !== undefined) {
      // A local write of a parked row's key (born), or a discarded conflict (died): the parked copy is obsolete.
      batch.noteParking(parts, key, true);
      parts.parked.remove(key);
    }
    if (what === 'died') {
      if (batch.isParent(parts)) batch.diedParent(parts, key);
      else batch.changedTables.add(tbl);
      return;
    }
    batch.touch(parts, key, true);
    if (batch.isParent(parts)) batch.changedParent(parts);
  }

  /**
   * Settles a batch: UNIQUE and CHECK on the tables it changed (the parked rows the batch may concern, or all of
   * a table's when it asked so: see `SettleBatch.rankWhole`), then foreign keys when `foreignKeys` (always, from `writeTransaction`).
   */
  settle(batch: SettleBatch, foreignKeys: boolean): void {
    this.applying(true);
    const settle = (): void => {
      for (const tbl of batch.changedTables) {
        const parts = this.#partsOf(tbl);
        if (parts === undefined) continue;
        this.#parts.unique.settle(parts, batch);
      }
      if (foreignKeys) this.#parts.foreignKeys.settle(batch);
    };
    // A page's refusals are worded where it is applied (`applyPages`).
    if (batch.settled === 'page') settle();
    else this.#localRefusals(settle, batch.settled);
    this.applying(false);
  }

  /**
   * Ranks all the parked rows of every table that has some, then settles foreign keys: done once when a
   * tracker starts, in its own transaction (the schema or the clocks may have changed since the last run;
   * later batches rank only the parked rows they may concern). Call inside a write transaction.
   */
  settleWhole(foreignKeys: boolean): void {
    const batch = this.batch('whole');
    for (const parts of this.#parts.tables.values()) {
      if (parts.parked.count() === 0) continue;
      convertParkedForms(parts); // parked by an earlier version, or before a column's type changed
      batch.rankWhole(parts);
    }
    this.settle(batch, foreignKeys);
  }

  /** The conflicts a batch created: rows parked at its end that were not parked before it. */
  report(batch: SettleBatch): ConflictReport[] {
    return batch.newlyParked().map(({ parts, key }) => this.#parts.conflicts.report(parts, key));
  }
}
