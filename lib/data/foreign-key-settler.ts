import { RowProbes, type RowRef } from './row-probes';
import { quoteIdent } from './sql-names';
import { rowRef, type SettleBatch, type TableParts } from './settle-batch';
import type { TableStatements } from './table-statements';
import type { TrackedForeignKey } from './tracked-table';
import { raisedByAppTrigger } from './trigger-refusal';
import { comingBackRefusal } from './unique-settler';
import type { SqlValue } from './values';

/** A row parked for FOREIGN_KEY, with its values. */
interface Orphan {
  readonly parts: TableParts;
  readonly key: SqlValue[];
  readonly values: SqlValue[];
}

function referenceOf(fk: TrackedForeignKey, row: readonly SqlValue[]): SqlValue[] | undefined {
  const values = RowProbes.pick(row, fk.fromColumns);
  return values.some((value) => value === null) ? undefined : values;
}

/** A text naming a parent row by its table and referenced values, for comparing in JavaScript. */
function parentRef(table: string, values: readonly SqlValue[]): string {
  return rowRef(0, values).replace(/^0:/, `${table}:`);
}

/**
 * The FOREIGN KEY rule: an admitted row is visible when each of its foreign
 * keys has a NULL or matches a visible parent row; the visible rows are the
 * largest set with that property. After a batch: rows that may have lost a
 * parent (touched, entered, children of parents that left) are checked, and an
 * orphan is parked, its own visible children checked in turn; then the rows
 * parked for FOREIGN_KEY whose parents are visible — or parked for FOREIGN_KEY
 * themselves and coming back with them — return to their tables.
 */
export class ForeignKeySettler {
  readonly #probes: RowProbes;
  readonly #parts: ReadonlyMap<string, TableParts>;

  /** @param probes - index probes; @param parts - every tracked table's homes, by name */
  constructor(probes: RowProbes, parts: ReadonlyMap<string, TableParts>) {
    this.#probes = probes;
    this.#parts = parts;
  }

  /** Settles foreign keys after a batch. */
  settle(batch: SettleBatch): void {
    const check: RowRef[] = [...batch.entered];
    for (const [tableId, keys] of batch.touched) {
      const parts = [...this.#parts.values()].find((entry) => entry.statements.table.id === tableId);
      if (parts === undefined) continue;
      // The new or re-pointed rows: only the orphans among them are checked one by one below.
      for (const key of this.#probes.maybeOrphans(parts.statements, keys)) check.push({ statements: parts.statements, key });
    }
    for (const { statements, row } of batch.gone) check.push(...this.#probes.visibleChildren(statements, row));
    for (const parts of this.#parts.values()) {
      if (!parts.statements.table.foreignKeys.some((fk) => batch.rescan.has(fk.parent))) continue;
      for (const key of this.#probes.danglingRows(parts.statements)) check.push({ statements: parts.statements, key });
    }
    this.#removeOrphans(check, batch);
    this.#bringBack(batch);
  }

  #partsOf(statements: TableStatements): TableParts {
    const parts = this.#parts.get(statements.table.name);
    if (parts === undefined) throw new Error(`no parked rows for ${statements.table.name}`);
    return parts;
  }

  #removeOrphans(check: RowRef[], batch: SettleBatch): void {
    for (let next = check.pop(); next !== undefined; next = check.pop()) {
      const { statements, key } = next;
      if (!this.#probes.isOrphan(statements, key)) continue;
      const row = statements.select(key);
      if (row === undefined) continue;
      const parts = this.#partsOf(statements);
      batch.noteParking(parts, key, false);
      parts.parked.fromTable(key, 'FOREIGN_KEY', batch.at);
      batch.left(parts, row);
      check.push(...this.#probes.visibleChildren(statements, row));
    }
  }

  /** Parked orphans whose parents are visible, or come back with them, return (the largest such set). */
  #bringBack(batch: SettleBatch): void {
    let orphans: Orphan[] = [];
    for (const parts of this.#parts.values()) {
      if (parts.statements.table.foreignKeys.length === 0 || parts.parked.count() === 0) continue;
      for (const key of this.#mayReturn(parts)) orphans.push({ parts, key, values: parts.parked.select(key) ?? [] });
    }
    for (let changed = orphans.length > 0; changed; ) {
      const returning = new Set(orphans.flatMap((orphan) => this.#referencedBy(orphan)));
      const kept = orphans.filter((orphan) => this.#parentsFound(orphan, returning));
      changed = kept.length !== orphans.length;
      orphans = kept;
    }
    for (const orphan of orphans) {
      try {
        orphan.parts.parked.toTable(orphan.key);
      } catch (error) {
        // An app trigger's RAISE or failed write refuses the page (it would stay parked on this server only).
        if ((error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_TRIGGER') throw error;
        if (raisedByAppTrigger(error, orphan.parts.statements)) throw comingBackRefusal(error, orphan.parts, orphan.key);
        continue; // it cannot come back as it is; it stays parked
      }
      batch.noteParking(orphan.parts, orphan.key, true);
    }
  }

  /**
   * Keys of the rows of a table parked for FOREIGN_KEY that may come back: for
   * each foreign key, a NULL, a visible parent, or a parent parked for
   * FOREIGN_KEY too (compared as SQLite compares, and never narrower than
   * {@link #parentsFound}). One query over the parked rows: an orphan whose
   * parent is gone everywhere costs no JavaScript.
   */
  #mayReturn(parts: TableParts): SqlValue[][] {
    const { statements } = parts;
    return statements.cache
      .get('fk:mayReturn', () => {
        const each = statements.table.foreignKeys.map((fk) => {
          const nulls = fk.fromColumns.map((column) => `o.${quoteIdent(column.name)} IS NULL`).join(' OR ');
          // `+o.x`: the parked value without the parked column's (BLOB) affinity, so the parent column's applies, as SQLite's own check and a bound value get it.
          const match = (alias: string, plus: string): string => fk.to.map((name, i) => `${alias}.${quoteIdent(name)} = ${plus}o.${quoteIdent(fk.fromColumns[i]?.name ?? '')}`).join(' AND ');
          const parent = this.#parts.get(fk.parent);
          const parked = parent === undefined ? '' : ` OR EXISTS (SELECT 1 FROM ${parent.parked.name} AS q WHERE q._sync_reason = 'FOREIGN_KEY' AND ${match('q', '')})`;
          return `(${nulls} OR EXISTS (SELECT 1 FROM ${quoteIdent(fk.parent)} AS p WHERE ${match('p', '+')})${parked})`;
        });
        const keys = statements.table.key.map((column) => `o.${quoteIdent(column.name)}`).join(', ');
        return `SELECT ${keys} FROM ${parts.parked.name} AS o WHERE o._sync_reason = 'FOREIGN_KEY' AND ${each.join(' AND ')}`;
      })
      .raw(true)
      .all() as SqlValue[][];
  }

  /** Texts naming the values an orphan would offer as a parent, for every foreign key pointing at its table. */
  #referencedBy(orphan: Orphan): string[] {
    const { table } = orphan.parts.statements;
    const offered: string[] = [];
    for (const parts of this.#parts.values()) {
      for (const fk of parts.statements.table.foreignKeys) {
        if (fk.parent !== table.name) continue;
        const values = fk.to.map((name) => orphan.values[table.columns.findIndex((column) => column.name === name)] ?? null);
        offered.push(parentRef(table.name, values));
      }
    }
    return offered;
  }

  #parentsFound(orphan: Orphan, returning: ReadonlySet<string>): boolean {
    const { statements } = orphan.parts;
    return statements.table.foreignKeys.every((fk) => {
      const reference = referenceOf(fk, orphan.values);
      return reference === undefined || this.#probes.parentVisible(statements, fk, reference) || returning.has(parentRef(fk.parent, reference));
    });
  }
}
