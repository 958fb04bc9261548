import type Database from 'better-sqlite3';
import { OP } from './capture-sql';
import { exact, numbers } from './prepared';
import { LogTrim } from './log-trim';
import { formChanged, ReformMarks, type ReformMark } from './reform-marks';
import { TablePresence } from './table-presence';
import { respellLoggedKeys } from './key-spelling';
import type { SqlValue } from './values';
import { boundedCl, grownCl } from './wire-schema';

/** A log row as read with `safeIntegers(true)`, as an array (see `LOG`): better-sqlite3 builds a named object per row at a cost. */
type LogRow = [seq: bigint, tbl: bigint, op: bigint, pk: SqlValue, cols: bigint, hlc: bigint];

/** Where each column of a {@link LogRow} is. */
const LOG = { seq: 0, tbl: 1, op: 2, pk: 3, cols: 4, hlc: 5 } as const;

/** What the fold tells about the local writes it folds, and asks about the tables. */
export interface FoldObserver {
  /** True when the row with this metadata key is in its table: a row a REPLACE may have deleted is confirmed gone when false. */
  present(tbl: number, pk: SqlValue): boolean;
  /** A local write folded: a row born or born again, changed, or deleted. Not called for bulk loads of new rows. */
  folded?(tbl: number, pk: SqlValue, what: 'born' | 'changed' | 'died'): void;
  /** New rows logged at seqs `from` (excluded) to `to` were folded at once (a bulk load); the log still holds them. */
  bulkFolded?(from: number, to: number): void;
}

const BATCH = 4096;
const LOCAL_SITE = 0;

/**
 * Folds the append-only capture log into the per-row and per-cell clock
 * tables. Call it inside a write transaction. Afterwards the log holds one
 * row, its last, which keeps `seq` growing and the clock from going back.
 */
export class LogFolder {
  readonly #state: Database.Statement;
  readonly #loggedKeys: Database.Statement;
  readonly #batch: Database.Statement;
  readonly #getRow: Database.Statement;
  readonly #putRow: Database.Statement;
  readonly #dropCells: Database.Statement;
  readonly #putCell: Database.Statement;
  readonly #putEveryCell: Database.Statement;
  readonly #trim: LogTrim;
  readonly #db: Database.Database;
  readonly #onlyInserts: Database.Statement;
  readonly #bulkInsert: Database.Statement;
  readonly #lastSeq: Database.Statement;
  readonly #saveFolded: Database.Statement;
  readonly #presence: TablePresence;

  /** Prepares the fold's statements. */
  constructor(db: Database.Database) {
    this.#db = db;
    this.#presence = new TablePresence(db);
    this.#state = numbers(db, 'SELECT folded FROM _sync_state WHERE id = 1').pluck();
    this.#batch = exact(db, 'SELECT seq, tbl, op, pk, cols, hlc FROM _sync_log WHERE seq > ? ORDER BY seq LIMIT ?').raw(true);
    this.#getRow = numbers(db, 'SELECT cl FROM _sync_rows WHERE tbl = ? AND pk = ?').pluck();
    this.#putRow = numbers(
      db,
      `INSERT INTO _sync_rows (tbl, pk, cl, hlc, site, born) VALUES (?, ?, ?, ?, ${LOCAL_SITE}, ?)
       ON CONFLICT (tbl, pk) DO UPDATE SET cl = excluded.cl, hlc = excluded.hlc, site = excluded.site, born = excluded.born`,
    );
    this.#dropCells = numbers(db, 'DELETE FROM _sync_cells WHERE tbl = ? AND pk = ?');
    this.#putCell = numbers(
      db,
      `INSERT INTO _sync_cells (tbl, pk, col, hlc, site, seq) VALUES (?, ?, ?, ?, ${LOCAL_SITE}, ?)
       ON CONFLICT (tbl, pk, col) DO UPDATE SET hlc = excluded.hlc, site = excluded.site, seq = excluded.seq`,
    );
    // Every non-key column the table has now (not a retired one), by its name in the table's own schema.
    this.#putEveryCell = numbers(
      db,
      `INSERT INTO _sync_cells (tbl, pk, col, hlc, site, seq)
       SELECT c.tbl, @pk, c.id, @hlc, ${LOCAL_SITE}, @seq FROM _sync_columns AS c JOIN _sync_tables AS t ON t.id = c.tbl
       JOIN pragma_table_info(t.name) AS p ON p.name = c.name AND p.pk = 0 WHERE c.tbl = @tbl
       ON CONFLICT (tbl, pk, col) DO UPDATE SET hlc = excluded.hlc, site = excluded.site, seq = excluded.seq`,
    );
    this.#trim = new LogTrim(db);
    this.#onlyInserts = numbers(db, `SELECT NOT EXISTS (SELECT 1 FROM _sync_log WHERE seq > ? AND op <> ${OP.insert})`).pluck();
    this.#bulkInsert = numbers(db, `INSERT INTO _sync_rows (born, tbl, pk, cl, hlc, site) SELECT seq, tbl, pk, 1, hlc, ${LOCAL_SITE} FROM _sync_log WHERE seq > ?`);
    this.#lastSeq = numbers(db, 'SELECT max(seq) FROM _sync_log').pluck();
    this.#loggedKeys = exact(db, 'SELECT pk FROM _sync_log WHERE seq > ? AND seq <= ? AND tbl = ?').pluck();
    this.#saveFolded = numbers(db, 'UPDATE _sync_state SET folded = ? WHERE id = 1');
  }

  /** The local seq: the last folded one; every change up to it is in the clock tables. */
  localSeq(): number {
    return this.#state.get() as number;
  }

  /** The metadata keys of a table's rows logged at seqs `from` (excluded) to `to`, before the fold trims them. */
  loggedKeys(tbl: number, from: number, to: number): SqlValue[] {
    return this.#loggedKeys.all(from, to, tbl) as SqlValue[];
  }

  /** True when the log holds local writes not folded yet. */
  pending(): boolean {
    return this.#lastSeq.get() !== this.localSeq();
  }

  /**
   * Folds every unfolded log row, in order, then trims the log.
   * @param observer - asked whether a row is in its table, and told what was folded; by default the
   * tables are probed through their own schema and nothing is told
   * @returns the local seq
   */
  fold(observer: FoldObserver = { present: (tbl, pk) => this.#presence.present(tbl, pk) }): number {
    const before = this.localSeq();
    let folded = before;
    if (this.#lastSeq.get() === folded) return folded;
    respellLoggedKeys(this.#db, folded, this.#presence.compositeTables()); // another SQLite (the sqlite3 shell) may spell a REAL otherwise
    if (this.#onlyInserts.get(folded) === 1 && this.#foldNewRows(folded)) {
      const to = this.#lastSeq.get() as number;
      observer.bulkFolded?.(folded, to);
      folded = to;
    }
    const marks = new ReformMarks();
    for (;;) {
      const rows = this.#batch.all(folded, BATCH) as LogRow[];
      for (const row of rows) this.#foldRow(row, observer, marks);
      const last = rows.at(-1);
      if (last !== undefined) folded = Number(last[LOG.seq]);
      if (rows.length < BATCH) break;
    }
    if (folded !== before) {
      this.#trim.trim(folded, before);
      this.#saveFolded.run(folded);
    }
    return folded;
  }

  /**
   * A bulk load (or a backfill) logs only inserts: when every row is new and
   * logged once, one set-based INSERT folds them all. The metadata's UNIQUE
   * (tbl, pk) index tells otherwise (a row logged twice, or one it knows): the
   * insert is undone and the rows are folded one by one.
   * @returns true when the rows were folded
   */
  #foldNewRows(folded: number): boolean {
    this.#db.exec('SAVEPOINT _sync_bulk_fold');
    try {
      this.#bulkInsert.run(folded);
      this.#db.exec('RELEASE _sync_bulk_fold');
      return true;
    } catch (error) {
      this.#db.exec('ROLLBACK TO _sync_bulk_fold; RELEASE _sync_bulk_fold');
      if ((error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE') return false;
      throw error;
    }
  }

  #foldRow(row: LogRow, observer: FoldObserver, marks: ReformMarks): void {
    const op = Number(row[LOG.op]);
    const pk = row[LOG.pk];
    const hlc = row[LOG.hlc];
    const seq = row[LOG.seq];
    if (op === OP.sentinel) return;
    const tbl = Number(row[LOG.tbl]);
    if (op === OP.reformed) return marks.note(tbl, pk, row[LOG.cols]);
    if (op === OP.replaced && observer.present(tbl, pk)) return; // the REPLACE did not happen (OR IGNORE, a failed statement…)
    const cl = this.#getRow.get(tbl, pk) as number | undefined;
    const alive = cl !== undefined && cl % 2 === 1;
    if (op === OP.update && alive) {
      // An update leaves the key's form as it was, so it keeps a mark for the insert that may follow: an app's
      // BEFORE INSERT trigger (made before the sync triggers, so it fires after them) may update the row a REPLACE deletes.
      this.#foldUpdate(row);
      observer.folded?.(tbl, pk, 'changed');
      return;
    }
    const reformed = marks.size === 0 ? undefined : marks.take(tbl, pk); // the key's next birth or death settles its mark
    if (op === OP.delete || op === OP.replaced) {
      if (alive) this.#die(tbl, pk, cl, row, observer);
      return;
    }
    let life = cl;
    if (alive && boundedCl(cl) === cl) {
      if (this.#writtenWhole(tbl, pk, row, reformed, observer)) return;
      life = this.#die(tbl, pk, cl, row, observer);
    }
    // An update of a row not alive here that its table no longer holds is no birth: a REPLACE deleted the row
    // after this statement's foreign-key action updated it (its op 4, logged by the BEFORE trigger, came first
    // and found it gone), so a birth here would be a ghost, alive in the metadata and in no table.
    if (op === OP.update && !observer.present(tbl, pk)) return;
    // An insert, or an update of a row the metadata does not know: the row is born (again) with every column.
    if (life !== undefined) this.#dropCells.run(tbl, pk);
    // Never above MAX_CL (docs/PROTOCOL.md, "The changeset"): a row at the bound born again gets MAX_CL - 1.
    const next = life === undefined ? 1 : life % 2 === 1 ? boundedCl(life) : grownCl(life);
    this.#putRow.run(tbl, pk, next, hlc, seq);
    observer.folded?.(tbl, pk, 'born');
  }

  /**
   * An insert of a live row's key (INSERT OR REPLACE): the same life written again whole. It keeps its birth,
   * as every other server does (a life keeps its earliest birth), and every cell takes the write's clock.
   * Unless it wrote the key in another form than the row held (`1.0` over `1`: the BEFORE trigger logged the
   * row as reformed): the row then dies and is born again, as for an UPDATE of the key's class, so its next
   * life carries the new form to every server.
   * @returns false when the row must die and be born again instead
   */
  #writtenWhole(tbl: number, pk: SqlValue, row: LogRow, reformed: ReformMark | undefined, observer: FoldObserver): boolean {
    if (reformed !== undefined && formChanged(reformed, this.#presence.storedKey(tbl, pk))) return false;
    this.#putEveryCell.run({ tbl, pk, hlc: row[LOG.hlc], seq: row[LOG.seq] });
    observer.folded?.(tbl, pk, 'born');
    return true;
  }

  /** A live row's death, at the log row's seq and clock: its cells go. @returns its causal length now */
  #die(tbl: number, pk: SqlValue, cl: number, row: LogRow, observer: FoldObserver): number {
    const dead = grownCl(cl);
    this.#dropCells.run(tbl, pk);
    this.#putRow.run(tbl, pk, dead, row[LOG.hlc], row[LOG.seq]);
    observer.folded?.(tbl, pk, 'died');
    return dead;
  }

  #foldUpdate(row: LogRow): void {
    let mask = BigInt.asUintN(64, row[LOG.cols]);
    for (let id = 0n; mask !== 0n; id += 1n, mask >>= 1n) {
      if ((mask & 1n) === 1n) this.#putCell.run(row[LOG.tbl], row[LOG.pk], id, row[LOG.hlc], row[LOG.seq]);
    }
  }
}
