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
  readonly #probes = new Map<number, { readonly statement: Database.Statement; readonly composite: boolean } | undefined>();

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

  /** The ids of the tracked tables whose key has more than one column. */
  compositeTables(): number[] {
    const ids = numbers(this.#db, 'SELECT id FROM _sync_tables').pluck().all() as number[];
    return ids.filter((tbl) => this.#probe(tbl)?.composite === true);
  }

  #probe(tbl: number): { readonly statement: Database.Statement; readonly composite: boolean } | undefined {
    if (this.#probes.has(tbl)) return this.#probes.get(tbl);
    const name = numbers(this.#db, 'SELECT name FROM _sync_tables WHERE id = ?').pluck().get(tbl) as string | undefined;
    const key = name === undefined ? [] : (numbers(this.#db, 'SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk').pluck().all(name) as string[]);
    const probe =
      name === undefined || key.length === 0
        ? undefined
        : { statement: exact(this.#db, `SELECT 1 FROM ${quoteIdent(name)} WHERE ${key.map((column) => `${quoteIdent(column)} = ?`).join(' AND ')}`).pluck(), composite: key.length > 1 };
    this.#probes.set(tbl, probe);
    return probe;
  }
}
