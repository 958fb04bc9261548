import { childLookup } from './child-lookup';
import { quoteIdent } from './sql-names';
import type { TableStatements } from './table-statements';
import type { TouchedRows } from './touched-rows';
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

  /** True when some tracked table has a foreign key to a tracked table. */
  anyForeignKeys(): boolean {
    return this.#referenced.size > 0;
  }

  /**
   * Keys of the visible rows of `child` (a one-column key) logged at seqs
   * `from` (excluded) to `to` whose foreign keys match no visible parent: the
   * orphans a bulk load written with foreign keys off may have made, found by
   * one query (the log's seq order, the child's key index, the parents' indexes).
   */
  danglingLogged(child: TableStatements, from: number, to: number): SqlValue[][] {
    const [only] = child.table.key;
    if (child.table.foreignKeys.length === 0 || only === undefined || child.table.key.length !== 1) return [];
    if (this.#noneDangling(child, to - from)) return [];
    const statement = child.cache.get('dangling-logged', () => {
      const key = `c.${quoteIdent(only.name)}`;
      return `SELECT ${key} FROM _sync_log AS l JOIN ${child.quotedName} AS c ON ${key} = l.pk WHERE l.seq > ? AND l.seq <= ? AND l.tbl = ? AND ${this.#danglingSql(child)}`;
    });
    return statement.raw(true).all(from, to, child.table.id) as SqlValue[][];
  }

  /**
   * True when `child` is small next to a fold of `logged` seqs (fewer rows
   * than twice as many, counted no further) and none of its rows dangles: a
   * scan in the table's own order then answers for every logged row at once,
   * cheaper than finding each through the key index (a bulk load into a
   * fresh table: 24 ms instead of 100 ms for 100k rows).
   */
  #noneDangling(child: TableStatements, logged: number): boolean {
    const bound = 2 * logged;
    const rows = child.cache.get('rows-up-to', () => `SELECT count(*) FROM (SELECT 1 FROM ${child.quotedName} LIMIT ?)`).pluck().safeIntegers(false).get(bound) as number;
    if (rows >= bound) return false;
    return child.cache.get('any-dangling', () => `SELECT 1 FROM ${child.quotedName} AS c WHERE ${this.#danglingSql(child)} LIMIT 1`).pluck().get() === undefined;
  }

  /** Keys of every visible row of `child` whose foreign keys match no visible parent (a scan: for the rare case its parent's values are not known). */
  danglingRows(child: TableStatements): SqlValue[][] {
    if (child.table.foreignKeys.length === 0) return [];
    const keyList = child.table.key.map((column) => `c.${quoteIdent(column.name)}`).join(', ');
    return child.cache.get('dangling-rows', () => `SELECT ${keyList} FROM ${child.quotedName} AS c WHERE ${this.#danglingSql(child)}`).raw(true).all() as SqlValue[][];
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
    const statement = statements.cache.get(`holders:${unique.ref}:${textBytesKey(values)}`, () => {
      const keyList = statements.table.key.map((column) => quoteIdent(column.name)).join(', ');
      const match = unique.columns.map((column, i) => `${quoteIdent(column.name)} = ${placeholderOf(values[i] ?? null)} COLLATE ${unique.collations[i] ?? 'BINARY'}`).join(' AND ');
      return `SELECT ${keyList} FROM ${statements.quotedName} WHERE ${match}`;
    });
    return statement.raw(true).all(...values.map(bindable)) as SqlValue[][];
  }

  /**
   * The rows among `rows` that may be orphans: those whose foreign-key values
   * match no visible parent (each distinct value is looked up once: a batch of
   * children mostly shares a few parents), and those whose values are not
   * known here. The caller checks each with {@link isOrphan}.
   */
  maybeOrphans(child: TableStatements, rows: TouchedRows): SqlValue[][] {
    return rows.maybeOrphans((fk, values) => this.parentVisible(child, fk, values));
  }

  /** SQL true for a child row `c` that has a foreign key with every column set and no visible parent. */
  #danglingSql(child: TableStatements): string {
    const dangling = child.table.foreignKeys.map((fk) => {
      const set = fk.fromColumns.map((column) => `c.${quoteIdent(column.name)} IS NOT NULL`).join(' AND ');
      // `+c.x`: the child's value without its column's affinity, so the parent column's applies, as in SQLite's own check.
      const match = fk.to.map((name, i) => `p.${quoteIdent(name)} = +c.${quoteIdent(fk.fromColumns[i]?.name ?? '')}`).join(' AND ');
      return `(${set} AND NOT EXISTS (SELECT 1 FROM ${quoteIdent(fk.parent)} AS p WHERE ${match}))`;
    });
    return `(${dangling.join(' OR ')})`;
  }

  /**
   * True when the visible row with this key has a foreign key whose columns are
   * all set and match no visible parent row: one query per row, through the
   * child's key and the parent's index.
   */
  isOrphan(child: TableStatements, key: readonly SqlValue[]): boolean {
    const { foreignKeys } = child.table;
    if (foreignKeys.length === 0) return false;
    const statement = child.cache.get(`orphan:${textBytesKey(key)}`, () => {
      const where = child.table.key.map((column, i) => `c.${quoteIdent(column.name)} = ${placeholderOf(key[i] ?? null)}`).join(' AND ');
      return `SELECT 1 FROM ${child.quotedName} AS c WHERE ${where} AND ${this.#danglingSql(child)}`;
    });
    return statement.pluck().get(...key.map(bindable)) !== undefined;
  }

  /** True when `values` (a row's foreign-key columns) match a visible row of the parent table. */
  parentVisible(child: TableStatements, fk: TrackedForeignKey, values: readonly SqlValue[]): boolean {
    const statement = child.cache.get(`parent:${JSON.stringify([fk.parent, fk.from, fk.to])}:${textBytesKey(values)}`, () => {
      const match = fk.to.map((name, i) => `${quoteIdent(name)} = ${placeholderOf(values[i] ?? null)}`).join(' AND ');
      return `SELECT 1 FROM ${quoteIdent(fk.parent)} WHERE ${match} LIMIT 1`;
    });
    return statement.pluck().get(...values.map(bindable)) !== undefined;
  }

  /**
   * The visible rows of every tracked table whose foreign key points at
   * `parentRow` (a row of `parent`, values in column order), as SQLite's own
   * check pairs them: the parent column's affinity and collation applied to
   * the child's value (see {@link childLookup}).
   */
  visibleChildren(parent: TableStatements, parentRow: readonly SqlValue[]): RowRef[] {
    const found: RowRef[] = [];
    for (const child of this.#tables) {
      for (const fk of child.table.foreignKeys) {
        if (fk.parent !== parent.table.name) continue;
        const values = fk.to.map((name) => parentRow[parent.table.columns.findIndex((column) => column.name === name)] ?? null);
        if (values.some((value) => value === null)) continue;
        const lookup = childLookup(child.table, fk, parent.table, values);
        const statement = child.cache.get(`children:${lookup.sql}`, () => lookup.sql);
        for (const key of statement.raw(true).all(...lookup.params) as SqlValue[][]) found.push({ statements: child, key });
      }
    }
    return found;
  }

  /** True when some tracked table has a foreign key to `parent`. */
  isParent(parent: TableStatements): boolean {
    return this.#referenced.has(parent.table.name);
  }
}
