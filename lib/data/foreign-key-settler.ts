import { parkedParentMatch } from './child-lookup';
import { RowProbes, type RowRef } from './row-probes';
import { quoteIdent } from './sql-names';
import { rowRef } from './row-ref';
import type { SettleBatch, TableParts } from './settle-batch';
import type { TableStatements } from './table-statements';
import type { TrackedForeignKey } from './tracked-table';
import { raisedByAppTrigger } from './trigger-refusal';
import { comingBackRefusal } from './unique-settler';
import { bindable, type SqlValue } from './values';
import { SyncError } from '../sync-error';

/** A row parked for FOREIGN_KEY that may come back. */
interface Orphan {
  readonly parts: TableParts;
  readonly key: SqlValue[];
  /** Names it among the orphans ({@link rowRef} of its table id and key). */
  readonly ref: string;
  /** For each foreign key without a NULL or a visible parent: the parked parents it may come back with (their refs). */
  readonly waitsFor: readonly (readonly string[])[];
}

function referenceOf(fk: TrackedForeignKey, row: readonly SqlValue[]): SqlValue[] | undefined {
  const values = RowProbes.pick(row, fk.fromColumns);
  return values.some((value) => value === null) ? undefined : values;
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
      parts.parked.fromTable(key, 'FOREIGN_KEY', batch);
      batch.left(parts, row);
      check.push(...this.#probes.visibleChildren(statements, row));
    }
  }

  /** Parked orphans whose parents are visible, or come back with them, return (the largest such set). */
  #bringBack(batch: SettleBatch): void {
    let orphans: Orphan[] = [];
    for (const parts of this.#parts.values()) {
      if (parts.statements.table.foreignKeys.length === 0 || parts.parked.count() === 0) continue;
      for (const key of this.#mayReturn(parts)) {
        const orphan = this.#orphan(parts, key);
        if (orphan !== undefined) orphans.push(orphan);
      }
    }
    for (let changed = orphans.length > 0; changed; ) {
      const returning = new Set(orphans.map((orphan) => orphan.ref));
      const kept = orphans.filter((orphan) => orphan.waitsFor.every((parents) => parents.some((parent) => returning.has(parent))));
      changed = kept.length !== orphans.length;
      orphans = kept;
    }
    for (const orphan of orphans) {
      try {
        orphan.parts.parked.toTable(orphan.key, batch.settled);
      } catch (error) {
        // An app trigger's RAISE or failed write refuses the page (it would stay parked on this server only).
        if ((error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_TRIGGER' || error instanceof SyncError) throw error; // SyncError: its RAISE(IGNORE)
        if (raisedByAppTrigger(error, orphan.parts.statements)) throw comingBackRefusal(error, orphan.parts, orphan.key, batch.settled);
        continue; // it cannot come back as it is; it stays parked
      }
      batch.noteParking(orphan.parts, orphan.key, true);
    }
  }

  /**
   * Keys of the rows of a table parked for FOREIGN_KEY that may come back: for
   * each foreign key, a NULL, a visible parent, or a parent parked for
   * FOREIGN_KEY too, paired as SQLite's own check pairs them (the parent
   * column's affinity and collation applied to the child's value; see
   * {@link parkedParentMatch}). One query over the parked rows, each probing
   * the parents' indexes: an orphan whose parent is gone everywhere costs no JavaScript.
   */
  #mayReturn(parts: TableParts): SqlValue[][] {
    const { statements } = parts;
    return statements.cache
      .get('fk:mayReturn', () => {
        const each = statements.table.foreignKeys.map((fk) => {
          const nulls = fk.fromColumns.map((column) => `o.${quoteIdent(column.name)} IS NULL`).join(' OR ');
          // `+o.x`: the parked value without the parked column's (BLOB) affinity, so the parent column's (and its collation) applies, as SQLite's own check and a bound value get it.
          const visible = fk.to.map((name, i) => `p.${quoteIdent(name)} = +o.${quoteIdent(fk.fromColumns[i]?.name ?? '')}`).join(' AND ');
          const parent = this.#parts.get(fk.parent);
          const parked = parent === undefined ? '' : ` OR EXISTS (SELECT 1 FROM ${parent.parked.name} AS q WHERE q._sync_reason = 'FOREIGN_KEY' AND ${parkedParentMatch(fk, parent.statements.table, 'q', 'o')})`;
          return `(${nulls} OR EXISTS (SELECT 1 FROM ${quoteIdent(fk.parent)} AS p WHERE ${visible})${parked})`;
        });
        const keys = statements.table.key.map((column) => `o.${quoteIdent(column.name)}`).join(', ');
        return `SELECT ${keys} FROM ${parts.parked.name} AS o WHERE o._sync_reason = 'FOREIGN_KEY' AND ${each.join(' AND ')}`;
      })
      .raw(true)
      .all() as SqlValue[][];
  }

  /** The orphan parked with this key, with what it waits for; undefined when a foreign key has no parent it could come back with. */
  #orphan(parts: TableParts, key: SqlValue[]): Orphan | undefined {
    const { statements } = parts;
    const values = parts.parked.select(key);
    if (values === undefined) return undefined;
    const waitsFor: string[][] = [];
    for (const fk of statements.table.foreignKeys) {
      const reference = referenceOf(fk, values);
      if (reference === undefined || this.#probes.parentVisible(statements, fk, reference)) continue;
      const parents = this.#parkedParents(parts, fk, key);
      if (parents.length === 0) return undefined;
      waitsFor.push(parents);
    }
    return { parts, key, ref: rowRef(statements.table.id, key), waitsFor };
  }

  /** Refs of the parent rows parked for FOREIGN_KEY that the orphan parked with this key points at by `fk` (paired as in {@link #mayReturn}). */
  #parkedParents(parts: TableParts, fk: TrackedForeignKey, key: readonly SqlValue[]): string[] {
    const parent = this.#parts.get(fk.parent);
    if (parent === undefined) return [];
    const { statements } = parts;
    const statement = statements.cache.get(`fk:parkedParents:${JSON.stringify([fk.parent, fk.from, fk.to])}`, () => {
      const parentKeys = parent.statements.table.key.map((column) => `q.${quoteIdent(column.name)}`).join(', ');
      const where = statements.table.key.map((column) => `o.${quoteIdent(column.name)} = ?`).join(' AND ');
      return `SELECT ${parentKeys} FROM ${parts.parked.name} AS o, ${parent.parked.name} AS q WHERE ${where} AND q._sync_reason = 'FOREIGN_KEY' AND ${parkedParentMatch(fk, parent.statements.table, 'q', 'o')}`;
    });
    const tableId = parent.statements.table.id;
    return (statement.raw(true).all(...key.map(bindable)) as SqlValue[][]).map((parentKey) => rowRef(tableId, parentKey));
  }
}
