import type Database from 'better-sqlite3';
import type { WireCell, WireChange } from './changeset-schema';
import type { CellMeta, MetaReader, RowMeta } from './row-meta';
import type { SiteRegistry } from './sites';
import { quoteIdent } from './sql-names';
import type { TableStatements } from './table-statements';
import { encodeValue, type SqlValue } from './values';

/** A page of changes before the changeset envelope is added. */
export interface ChangePage {
  readonly changes: WireChange[];
  readonly sites: string[];
  readonly next: number;
  readonly more: boolean;
}

interface PageState {
  readonly since: number;
  readonly exclude: number | undefined;
  readonly changes: WireChange[];
  readonly siteIndex: Map<number, number>;
  readonly sites: string[];
  readonly sent: Set<string>;
}

interface ParentLink {
  readonly parent: TableStatements;
  readonly from: readonly number[];
  readonly find: Database.Statement;
}

/** How deep parent rows are pulled forward into a page. */
const MAX_PARENT_DEPTH = 8;

function rowId(tbl: number, pk: SqlValue): string {
  return `${tbl}:${Buffer.isBuffer(pk) ? `x${pk.toString('hex')}` : `${typeof pk}:${String(pk)}`}`;
}

function toRowMeta(row: Record<string, unknown>): RowMeta {
  return {
    tbl: Number(row.tbl),
    pk: row.pk as SqlValue,
    cl: Number(row.cl),
    hlc: Number(row.hlc),
    site: Number(row.site),
    born: Number(row.born),
    seq: Number(row.seq),
  };
}

/**
 * Reads pages of changes from the clock tables: each change is one row's
 * current state since the cursor, never split across pages. A row born or
 * revived after the cursor carries every column; parents of such a row that
 * are also new are pulled forward into the page, so a receiver never gets a
 * child before its parent.
 */
export class ChangeReader {
  readonly #page: Database.Statement;
  readonly #meta: MetaReader;
  readonly #sites: SiteRegistry;
  readonly #tables: ReadonlyMap<number, TableStatements>;
  readonly #parents = new Map<number, ParentLink[]>();

  /** Prepares the page query and one parent lookup per foreign key between tracked tables. */
  constructor(db: Database.Database, tables: ReadonlyMap<number, TableStatements>, meta: MetaReader, sites: SiteRegistry) {
    this.#page = db.prepare('SELECT tbl, pk, cl, hlc, site, born, seq FROM _sync_rows WHERE seq > ? ORDER BY seq LIMIT ?').safeIntegers(true);
    this.#meta = meta;
    this.#sites = sites;
    this.#tables = tables;
    const byName = new Map([...tables.values()].map((statements) => [statements.table.name, statements]));
    for (const child of tables.values()) {
      const links: ParentLink[] = [];
      for (const fk of child.table.foreignKeys) {
        const parent = byName.get(fk.parent);
        const from = fk.from.map((name) => child.table.columns.findIndex((column) => column.name === name));
        if (parent === undefined || from.some((index) => index < 0)) continue;
        const keyColumns = parent.table.key.map((column) => quoteIdent(column.name)).join(', ');
        const where = fk.to.map((name) => `${quoteIdent(name)} = ?`).join(' AND ');
        const find = db.prepare(`SELECT ${keyColumns} FROM ${quoteIdent(parent.table.name)} WHERE ${where}`).raw(true).safeIntegers(true);
        links.push({ parent, from, find });
      }
      if (links.length > 0) this.#parents.set(child.table.id, links);
    }
  }

  /**
   * Reads up to `limit` changes after `since` (more when parents are pulled forward).
   * Call inside a read transaction, after folding.
   * @param head - the last folded seq: the cursor when nothing more is left
   * @param exclude - site number whose changes are left out
   */
  read(since: number, limit: number, head: number, exclude: number | undefined): ChangePage {
    const state: PageState = { since, exclude, changes: [], siteIndex: new Map(), sites: [], sent: new Set() };
    let cursor = since;
    for (;;) {
      const batch = (this.#page.all(cursor, limit + 1) as Record<string, unknown>[]).map(toRowMeta);
      for (const row of batch) {
        if (state.changes.length >= limit) return { changes: state.changes, sites: state.sites, next: cursor, more: true };
        cursor = row.seq;
        if (!state.sent.has(rowId(row.tbl, row.pk))) this.#emit(row, state, 0);
      }
      if (batch.length <= limit) break;
    }
    return { changes: state.changes, sites: state.sites, next: Math.max(cursor, head), more: false };
  }

  #siteRef(state: PageState, site: number): number {
    let index = state.siteIndex.get(site);
    if (index === undefined) {
      index = state.sites.push(this.#sites.siteOf(site)) - 1;
      state.siteIndex.set(site, index);
    }
    return index;
  }

  #emit(row: RowMeta, state: PageState, depth: number): void {
    const statements = this.#tables.get(row.tbl);
    if (statements === undefined) return;
    state.sent.add(rowId(row.tbl, row.pk));
    const key = statements.keyValues(row.pk);
    const change = this.#build(statements, row, key, state);
    if (change === undefined) return;
    if (change.values !== undefined && depth < MAX_PARENT_DEPTH) this.#emitParents(statements, row, change.values, state, depth);
    state.changes.push(change.change);
  }

  #build(statements: TableStatements, row: RowMeta, key: SqlValue[], state: PageState): { change: WireChange; values?: SqlValue[] } | undefined {
    const { table } = statements;
    const head = {
      table: table.name,
      key: key.map((value, index) => encodeValue(value, `${table.name}.${table.key[index]?.name ?? ''}`)),
      cl: row.cl,
      hlc: row.hlc,
      site: this.#siteRef(state, row.site),
    };
    if (row.cl % 2 === 0) return row.site === state.exclude ? undefined : { change: head };
    const values = statements.select(key);
    if (values === undefined) return undefined; // parked by a foreign-key conflict: nothing to send
    const full = row.born > state.since && row.site !== state.exclude;
    const overrides = this.#meta.cells(row.tbl, row.pk);
    const cells = this.#cells(statements, row, values, overrides, full, state);
    if (!full && cells.length === 0) return undefined;
    return { change: { ...head, cells: Object.fromEntries(cells) }, values: full ? values : undefined };
  }

  #cells(statements: TableStatements, row: RowMeta, values: SqlValue[], overrides: Map<number, CellMeta>, full: boolean, state: PageState): [string, WireCell][] {
    const cells: [string, WireCell][] = [];
    const { table } = statements;
    for (const column of table.values) {
      const clock = overrides.get(column.id) ?? { hlc: row.hlc, site: row.site, seq: row.born };
      if (!full && (clock.seq <= state.since || clock.site === state.exclude)) continue;
      const value = values[column.index] ?? null;
      const encoded = encodeValue(value, `${table.name}.${column.name}`);
      const ownClock = clock.hlc === row.hlc && clock.site === row.site;
      cells.push([column.name, ownClock ? encoded : [encoded, clock.hlc, this.#siteRef(state, clock.site)]]);
    }
    return cells;
  }

  #emitParents(child: TableStatements, row: RowMeta, values: SqlValue[], state: PageState, depth: number): void {
    for (const link of this.#parents.get(child.table.id) ?? []) {
      const reference = link.from.map((index) => values[index] ?? null);
      if (reference.some((value) => value === null)) continue;
      const parentKey = link.find.get(...reference) as SqlValue[] | undefined;
      if (parentKey === undefined) continue;
      const metaKey = link.parent.metaKey(parentKey);
      if (state.sent.has(rowId(link.parent.table.id, metaKey))) continue;
      const parent = this.#meta.row(link.parent.table.id, metaKey);
      if (parent === undefined || parent.born <= state.since || parent.seq <= row.seq) continue;
      this.#emit({ ...parent, pk: metaKey }, state, depth + 1);
    }
  }
}
