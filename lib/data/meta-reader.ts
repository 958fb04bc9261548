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
    // Read as arrays: better-sqlite3 builds an object per row by name, which costs more than the lookup itself.
    this.#row = numbers(db, 'SELECT cl, hlc, site, born FROM _sync_rows WHERE tbl = ? AND pk = ?').raw(true);
    this.#cells = numbers(db, 'SELECT col, hlc, site, seq FROM _sync_cells WHERE tbl = ? AND pk = ?').raw(true);
  }

  /** The existence register of a row, or undefined when the metadata has never seen it. */
  row(tbl: number, pk: SqlValue): RowMeta | undefined {
    const row = this.#row.get(tbl, pk) as [number, number, number, number] | undefined;
    return row === undefined ? undefined : { tbl, pk, cl: row[0], hlc: row[1], site: row[2], born: row[3] };
  }

  /** Clocks of the cells changed since the row's birth, by column id. */
  cells(tbl: number, pk: SqlValue): Map<number, CellMeta> {
    const cells = new Map<number, CellMeta>();
    for (const [col, hlc, site, seq] of this.#cells.all(tbl, pk) as [number, number, number, number][]) cells.set(col, { col, hlc, site, seq });
    return cells;
  }
}
