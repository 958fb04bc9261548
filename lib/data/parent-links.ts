import type Database from 'better-sqlite3';
import type { MetaReader, RowMeta } from './meta-reader';
import { exact } from './prepared';
import { valuesId } from './row-ref';
import { quoteIdent } from './sql-names';
import type { TableStatements } from './table-statements';
import { bindable, type SqlValue } from './values';

/** One foreign key between tracked tables, as the reader follows it. */
interface ParentLink {
  readonly parent: TableStatements;
  /** Positions of the child's foreign-key columns among its columns. */
  readonly from: readonly number[];
  readonly fromNames: readonly string[];
  /** Finds the parent's key by the values the child holds. */
  readonly find: Database.Statement;
}

/** A parent to send before its child: its table, metadata key and clock register. */
export interface ParentToSend {
  readonly parent: TableStatements;
  readonly pk: SqlValue;
  readonly row: RowMeta;
}

/** A value that names itself in a Set (bigint, number and string compare by value). */
function isPlain(value: SqlValue): value is string | number | bigint {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint';
}

/**
 * The foreign keys between tracked tables, for pulling parents forward: a row
 * a page refers to as a parent and whose birth comes later in seq order is
 * sent before its child. A page remembers the parents it found already sent
 * (most children share a few parents), so each is looked up once a page.
 */
export class ParentLinks {
  readonly #links = new Map<number, ParentLink[]>();
  readonly #meta: MetaReader;

  /** Prepares one parent lookup per foreign key between tracked tables. */
  constructor(db: Database.Database, tables: Iterable<TableStatements>, meta: MetaReader) {
    this.#meta = meta;
    const all = [...tables];
    const byName = new Map(all.map((statements) => [statements.table.name, statements]));
    for (const child of all) {
      const links: ParentLink[] = [];
      for (const fk of child.table.foreignKeys) {
        const parent = byName.get(fk.parent);
        const from = fk.from.map((name) => child.table.columns.findIndex((column) => column.name === name));
        if (parent === undefined || from.some((index) => index < 0)) continue;
        const keyColumns = parent.table.key.map((column) => quoteIdent(column.name)).join(', ');
        const where = fk.to.map((name) => `${quoteIdent(name)} = ?`).join(' AND ');
        const find = exact(db, `SELECT ${keyColumns} FROM ${quoteIdent(parent.table.name)} WHERE ${where}`).raw(true);
        links.push({ parent, from, fromNames: fk.from, find });
      }
      if (links.length > 0) this.#links.set(child.table.id, links);
    }
  }

  /** True when rows of this table may point at parents. */
  has(child: TableStatements): boolean {
    return this.#links.has(child.table.id);
  }

  /**
   * The parents of a row (values in column order from `offset` of `values`)
   * born after `position`, when the row is new (`sentColumns` undefined) or its
   * foreign-key columns are among the cells sent.
   * @param known - the page's memory of parents already found sent, by link
   */
  later(child: TableStatements, values: readonly SqlValue[], offset: number, sentColumns: readonly string[] | undefined, position: number, known: Map<object, Set<unknown>>): ParentToSend[] {
    const found: ParentToSend[] = [];
    for (const link of this.#links.get(child.table.id) ?? []) {
      if (sentColumns !== undefined && !link.fromNames.some((name) => sentColumns.includes(name))) continue;
      const reference = link.from.map((index) => values[offset + index] ?? null);
      if (reference.some((value) => value === null)) continue;
      const [first] = reference;
      const memo = reference.length === 1 && first !== undefined && isPlain(first) ? first : valuesId(reference);
      let seen = known.get(link);
      if (seen === undefined) known.set(link, (seen = new Set()));
      if (seen.has(memo)) continue;
      const parentKey = link.find.get(...reference.map(bindable)) as SqlValue[] | undefined;
      if (parentKey === undefined) continue; // no parent yet: looked up again for the next child
      seen.add(memo); // sent before this part, or pulled forward now: either way in the page
      const pk = link.parent.metaKey(parentKey);
      const row = this.#meta.row(link.parent.table.id, pk);
      if (row !== undefined && row.cl % 2 === 1 && row.born > position) found.push({ parent: link.parent, pk, row });
    }
    return found;
  }
}
