import type Database from 'better-sqlite3';
import { numbers } from './prepared';
import type { SqlValue } from './values';

/** A row of `_sync_rows`: a tracked row's existence register and base clock. */
export interface RowMeta {
  readonly tbl: number;
  readonly pk: SqlValue;
  /** Causal length: odd while the row exists, even once deleted; +1 per delete or revival. */
  readonly cl: number;
  /** Clock of the row's last birth or death: the clock of every cell without its own entry. */
  readonly hlc: number;
  /** Site number of that clock. */
  readonly site: number;
  /** Seq of the last birth or death. */
  readonly born: number;
}

/** A row of `_sync_cells`: a cell changed since its row's birth. */
export interface CellMeta {
  readonly col: number;
  readonly hlc: number;
  readonly site: number;
  readonly seq: number;
}

/** Reads the clock tables (shared by the reader and the merger). */
export class MetaReader {
  readonly #row: Database.Statement;
  readonly #cells: Database.Statement;

  /** Prepares the statements. */
  constructor(db: Database.Database) {
    this.#row = numbers(db, 'SELECT tbl, cl, hlc, site, born FROM _sync_rows WHERE tbl = ? AND pk = ?');
    this.#cells = numbers(db, 'SELECT col, hlc, site, seq FROM _sync_cells WHERE tbl = ? AND pk = ?');
  }

  /** The existence register of a row, or undefined when the metadata has never seen it. */
  row(tbl: number, pk: SqlValue): RowMeta | undefined {
    const row = this.#row.get(tbl, pk) as Omit<RowMeta, 'pk'> | undefined;
    return row === undefined ? undefined : { ...row, pk };
  }

  /** Clocks of the cells changed since the row's birth, by column id. */
  cells(tbl: number, pk: SqlValue): Map<number, CellMeta> {
    const rows = this.#cells.all(tbl, pk) as CellMeta[];
    return new Map(rows.map((cell) => [cell.col, cell]));
  }
}
