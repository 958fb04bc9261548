import type Database from 'better-sqlite3';
import { parseQuotedKey } from './key-codec';
import { exact, numbers } from './prepared';
import { quoteIdent } from './sql-names';
import { bindable, type SqlValue } from './values';

/**
 * Whether a tracked table holds the row with a metadata key, for a fold that
 * has no table statements at hand (enabling capture, importing or adopting a
 * snapshot): the table and its key columns are read from the database's own
 * schema, one prepared probe per table.
 */
export class TablePresence {
  readonly #db: Database.Database;
  readonly #probes = new Map<number, Probe | undefined>();

  /** @param db - the connection the fold runs on */
  constructor(db: Database.Database) {
    this.#db = db;
  }

  /** True when table `tbl` holds the row whose metadata key is `pk` (also when the table is unknown: nothing to confirm). */
  present(tbl: number, pk: SqlValue): boolean {
    const probe = this.#probe(tbl);
    if (probe === undefined) return true;
    const key = probe.composite ? parseQuotedKey(String(pk)) : [pk];
    return probe.statement.get(...key.map(bindable)) !== undefined;
  }

  /**
   * The key of the row whose metadata key is `pk`, as its table stores it now: an INTEGER as a bigint, a
   * REAL as a number (the sign of zero kept). Undefined when the table does not hold it, or is unknown.
   */
  storedKey(tbl: number, pk: SqlValue): SqlValue[] | undefined {
    const probe = this.#probe(tbl);
    if (probe === undefined) return undefined;
    const key = probe.composite ? parseQuotedKey(String(pk)) : [pk];
    probe.read ??= exact(this.#db, `SELECT ${probe.columns} FROM ${probe.from} WHERE ${probe.where}`).raw(true);
    return probe.read.get(...key.map(bindable)) as SqlValue[] | undefined;
  }

  /** The ids of the tracked tables whose key has more than one column. */
  compositeTables(): number[] {
    const ids = numbers(this.#db, 'SELECT id FROM _sync_tables').pluck().all() as number[];
    return ids.filter((tbl) => this.#probe(tbl)?.composite === true);
  }

  #probe(tbl: number): Probe | undefined {
    if (this.#probes.has(tbl)) return this.#probes.get(tbl);
    const name = numbers(this.#db, 'SELECT name FROM _sync_tables WHERE id = ?').pluck().get(tbl) as string | undefined;
    const key = name === undefined ? [] : (numbers(this.#db, 'SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk').pluck().all(name) as string[]);
    let probe: Probe | undefined;
    if (name !== undefined && key.length > 0) {
      const from = quoteIdent(name);
      const where = key.map((column) => `${quoteIdent(column)} = ?`).join(' AND ');
      const columns = key.map(quoteIdent).join(', ');
      probe = { statement: exact(this.#db, `SELECT 1 FROM ${from} WHERE ${where}`).pluck(), composite: key.length > 1, from, where, columns };
    }
    this.#probes.set(tbl, probe);
    return probe;
  }
}

/** One table's probes: its presence probe, and the read of its stored key (prepared when first needed). */
interface Probe {
  readonly statement: Database.Statement;
  readonly composite: boolean;
  readonly from: string;
  readonly where: string;
  readonly columns: string;
  read?: Database.Statement;
}
