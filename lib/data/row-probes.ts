import { quoteIdent } from './sql-names';
import type { TableStatements } from './table-statements';
import type { TrackedForeignKey, TrackedUnique } from './tracked-table';
import { bindable, placeholderOf, textBytesKey, type SqlValue } from './values';

/** A row of a tracked table, named by its statements and key. */
export interface RowRef {
  readonly statements: TableStatements;
  readonly key: SqlValue[];
}

/**
 * Index probes of the visible tables that the constraint rules need: who holds
 * a UNIQUE value, whether a row's parent is visible, which visible rows point
 * at a parent. Each probe is one prepared query through an index (the child
 * side of a foreign key is as fast as the application's index on it).
 */
export class RowProbes {
  readonly #tables: readonly TableStatements[];
  readonly #byName: ReadonlyMap<string, TableStatements>;
  /** Parent table name → the columns foreign keys point at. */
  readonly #referenced = new Map<string, Set<string>>();

  /** @param tables - the tracked tables' statements */
  constructor(tables: readonly TableStatements[]) {
    this.#tables = tables;
    this.#byName = new Map(tables.map((statements) => [statements.table.name, statements]));
    for (const child of tables) {
      for (const fk of child.table.foreignKeys) {
        const columns = this.#referenced.get(fk.parent) ?? new Set<string>();
        fk.to.forEach((name) => columns.add(name));
        this.#referenced.set(fk.parent, columns);
      }
    }
  }

  /** The columns of `parent` that foreign keys point at (empty when none). */
  referencedColumns(parent: TableStatements): ReadonlySet<string> {
    return this.#referenced.get(parent.table.name) ?? new Set();
  }

  /** The tracked table of this name, if any. */
  table(name: string): TableStatements | undefined {
    return this.#byName.get(name);
  }

  /** Values of some columns of a row (values in column order). */
  static pick(row: readonly SqlValue[], columns: readonly { readonly index: number }[]): SqlValue[] {
    return columns.map((column) => row[column.index] ?? null);
  }

  /** Keys of the visible rows holding `values` in `unique` (at most one, by the index). */
  holders(statements: TableStatements, unique: TrackedUnique, values: readonly SqlValue[]): SqlValue[][] {
    const statement = statements.cache.get(`holders:${unique.label}:${textBytesKey(values)}`, () => {
      const keyList = statements.table.key.map((column) => quoteIdent(column.name)).join(', ');
      const match = unique.columns.map((column, i) => `${quoteIdent(column.name)} = ${placeholderOf(values[i] ?? null)} COLLATE ${unique.collations[i] ?? 'BINARY'}`).join(' AND ');
      return `SELECT ${keyList} FROM ${statements.quotedName} WHERE ${match}`;
    });
    return statement.raw(true).all(...values.map(bindable)) as SqlValue[][];
  }

  /** True when `values` (a row's foreign-key columns) match a visible row of the parent table. */
  parentVisible(child: TableStatements, fk: TrackedForeignKey, values: readonly SqlValue[]): boolean {
    const statement = child.cache.get(`parent:${fk.parent}:${fk.from.join(',')}:${textBytesKey(values)}`, () => {
      const match = fk.to.map((name, i) => `${quoteIdent(name)} = ${placeholderOf(values[i] ?? null)}`).join(' AND ');
      return `SELECT 1 FROM ${quoteIdent(fk.parent)} WHERE ${match} LIMIT 1`;
    });
    return statement.pluck().get(...values.map(bindable)) !== undefined;
  }

  /** The visible rows of every tracked table whose foreign key points at `parentRow` (a row of `parent`, values in column order). */
  visibleChildren(parent: TableStatements, parentRow: readonly SqlValue[]): RowRef[] {
    const found: RowRef[] = [];
    for (const child of this.#tables) {
      for (const fk of child.table.foreignKeys) {
        if (fk.parent !== parent.table.name) continue;
        const values = fk.to.map((name) => parentRow[parent.table.columns.findIndex((column) => column.name === name)] ?? null);
        if (values.some((value) => value === null)) continue;
        const statement = child.cache.get(`children:${fk.parent}:${fk.from.join(',')}:${textBytesKey(values)}`, () => {
          const keyList = child.table.key.map((column) => quoteIdent(column.name)).join(', ');
          const match = fk.fromColumns.map((column, i) => `${quoteIdent(column.name)} = ${placeholderOf(values[i] ?? null)}`).join(' AND ');
          return `SELECT ${keyList} FROM ${child.quotedName} WHERE ${match}`;
        });
        for (const key of statement.raw(true).all(...values.map(bindable)) as SqlValue[][]) found.push({ statements: child, key });
      }
    }
    return found;
  }

  /** True when some tracked table has a foreign key to `parent`. */
  isParent(parent: TableStatements): boolean {
    return this.#referenced.has(parent.table.name);
  }
}
