import type Database from 'better-sqlite3';
import { OP } from './capture-sql';
import { numbers } from './prepared';

/** Folds of at least this many log rows empty the log at once (see {@link LogTrim.trim}). */
const WHOLE_TRIM_ROWS = 1000;

/**
 * Trims the capture log once a fold has folded it: every row before the last
 * folded one goes, and the last stays (it keeps `seq` growing and the clock
 * from going back). A range `DELETE` visits each row: 40–70 ms for a 100k-row
 * bulk load, most of a first read's trim. When the fold reached the log's
 * end and folded many rows, the log is emptied by a `DELETE` without `WHERE`
 * (SQLite then frees its pages without visiting each row) and its last row is
 * written back as a sentinel holding the same seq and clock, which is all
 * any reader takes from a folded row.
 */
export class LogTrim {
  readonly #below: Database.Statement;
  readonly #lastSeq: Database.Statement;
  readonly #hlcAt: Database.Statement;
  readonly #whole: Database.Statement;
  readonly #sentinel: Database.Statement;

  /** Prepares the trim's statements. */
  constructor(db: Database.Database) {
    this.#below = numbers(db, 'DELETE FROM _sync_log WHERE seq < ?');
    this.#lastSeq = numbers(db, 'SELECT max(seq) FROM _sync_log').pluck();
    this.#hlcAt = numbers(db, 'SELECT hlc FROM _sync_log WHERE seq = ?').pluck();
    this.#whole = numbers(db, 'DELETE FROM _sync_log');
    this.#sentinel = numbers(db, `INSERT INTO _sync_log (seq, tbl, op, pk, cols, hlc) VALUES (?, 0, ${OP.sentinel}, '', 0, ?)`);
  }

  /**
   * Removes the log rows before `folded`, the last seq folded.
   * @param from - the last seq folded before this fold (the rows after it were folded now)
   */
  trim(folded: number, from: number): void {
    const hlc = folded - from >= WHOLE_TRIM_ROWS && this.#lastSeq.get() === folded ? (this.#hlcAt.get(folded) as number | undefined) : undefined;
    if (hlc === undefined) {
      this.#below.run(folded);
      return;
    }
    this.#whole.run();
    this.#sentinel.run(folded, hlc);
  }
}
