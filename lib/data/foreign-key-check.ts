import type Database from 'better-sqlite3';
import { quoteIdent } from './sql-names';
import type { TableStatements } from './table-statements';
import type { SqlValue } from './values';

/** A tracked row whose foreign key points at no parent row. */
export interface ForeignKeyViolation {
  readonly child: TableStatements;
  /** The child row, values in column order. */
  readonly values: SqlValue[];
  readonly parent: string;
  /** The parent key values the row points at. */
  readonly reference: SqlValue[];
}

interface Probe {
  readonly child: TableStatements;
  readonly parent: string;
  readonly from: readonly number[];
  readonly statement: Database.Statement;
}

/**
 * Finds rows of tracked tables whose foreign key has no parent, one prepared
 * query per foreign key. Used before commit, when deferred keys are settled:
 * what is still dangling then is a conflict no merge rule settles.
 */
export class ForeignKeyCheck {
  readonly #probes: Probe[] = [];

  /** Prepares one query per foreign key of the tracked tables. */
  constructor(db: Database.Database, tables: Iterable<TableStatements>) {
    for (const child of tables) {
      const columns = child.table.columns.map((column) => `c.${quoteIdent(column.name)}`).join(', ');
      for (const fk of child.table.foreignKeys) {
        const from = fk.from.map((name) => child.table.columns.findIndex((column) => column.name === name));
        if (from.some((index) => index < 0) || fk.to.length !== fk.from.length) continue;
        const notNull = fk.from.map((name) => `c.${quoteIdent(name)} IS NOT NULL`).join(' AND ');
        const match = fk.from.map((name, index) => `p.${quoteIdent(fk.to[index] ?? '')} = c.${quoteIdent(name)}`).join(' AND ');
        const sql = `SELECT ${columns} FROM ${quoteIdent(child.table.name)} AS c WHERE ${notNull} AND NOT EXISTS (SELECT 1 FROM ${quoteIdent(fk.parent)} AS p WHERE ${match})`;
        this.#probes.push({ child, parent: fk.parent, from, statement: db.prepare(sql).raw(true).safeIntegers(true) });
      }
    }
  }

  /** True when some tracked table has a foreign key. */
  get hasForeignKeys(): boolean {
    return this.#probes.length > 0;
  }

  /** Dangling rows among foreign keys whose child or parent table is in `touched`. */
  violations(touched: ReadonlySet<string>): ForeignKeyViolation[] {
    const found: ForeignKeyViolation[] = [];
    for (const probe of this.#probes) {
      if (!touched.has(probe.child.table.name) && !touched.has(probe.parent)) continue;
      for (const values of probe.statement.all() as SqlValue[][]) {
        found.push({ child: probe.child, values, parent: probe.parent, reference: probe.from.map((index) => values[index] ?? null) });
      }
    }
    return found;
  }
}
