import type Database from 'better-sqlite3';
import type { WireCell, WireChange, WireChangeset } from './wire-schema';
import type { CellMeta, MetaReader, RowMeta } from './meta-reader';
import { exact } from './prepared';
import type { TableParts } from './settle-batch';
import type { SiteRegistry } from './site-registry';
import { quoteIdent } from './sql-names';
import { SyncError } from '../sync-error';
import type { TableStatements } from './table-statements';
import { bindable, encodeValue, mayHideBytes, TextBytes, type SqlValue } from './values';

/** A page of changes: a changeset without its envelope (protocol, site, schema, since). */
export type ChangePage = Required<Pick<WireChangeset, 'changes' | 'sites' | 'next' | 'more'>>;

/** One part of a row's state with its own seq: its birth or death (`col` −1), or one cell changed since. */
interface Part {
  readonly s: number;
  readonly tbl: number;
  readonly pk: SqlValue;
  readonly col: number;
  /** The site that wrote this part (the row's clock site for a birth or death). */
  readonly site: number;
  readonly row: RowMeta | undefined;
}

function toPart(raw: Record<string, unknown>): Part {
  const s = Number(raw.s);
  const tbl = Number(raw.tbl);
  const pk = raw.pk as SqlValue;
  const col = Number(raw.col);
  const site = Number(raw.site);
  const row = col < 0 ? { tbl, pk, cl: Number(raw.cl), hlc: Number(raw.hlc), site, born: s } : undefined;
  return { s, tbl, pk, col, site, row };
}

/** The parts of one row inside the page window. */
interface Pending {
  readonly tbl: number;
  readonly pk: SqlValue;
  /** The row's metadata when its birth or death is in the window (read with it). */
  row: RowMeta | undefined;
  readonly cols: Set<number>;
}

interface PageState {
  readonly exclude: number | undefined;
  readonly changes: WireChange[];
  readonly siteIndex: Map<number, number>;
  readonly sites: string[];
  readonly sent: Set<string>;
  /** Parents already looked up in this page (most children share a few parents). */
  readonly checkedParents: Set<string>;
  /** The seq of the part being emitted: parents born after it are pulled forward. */
  position: number;
  /** The rows of the page window, by row id: a parent pulled forward is sent with its own parts in the window. */
  readonly window: ReadonlyMap<string, Pending>;
}

interface ParentLink {
  readonly parent: TableStatements;
  readonly from: readonly number[];
  readonly fromNames: readonly string[];
  readonly find: Database.Statement;
}

const MAX_PARENT_DEPTH = 8;

function rowId(tbl: number, pk: SqlValue): string {
  if (Buffer.isBuffer(pk)) return `${tbl}:x${pk.toString('hex')}`;
  if (pk instanceof TextBytes) return `${tbl}:t${pk.bytes.toString('hex')}`;
  return `${tbl}:${typeof pk}:${String(pk)}`;
}

/**
 * Reads pages of changes. Every part of a row's state carries its own seq: the
 * birth or death of the row, and each cell changed since. A page is the parts
 * in a seq window, grouped by row, never cut inside one seq; a birth carries
 * every column. So a peer whose cursor passed a seq has that part, whatever
 * happened to the row later. A new parent a row points at is pulled forward
 * into the page, so no receiver sees a child before its parent.
 */
export class ChangeReader {
  readonly #parts: Database.Statement;
  readonly #meta: MetaReader;
  readonly #sites: SiteRegistry;
  readonly #tables: ReadonlyMap<number, TableStatements>;
  readonly #homes: ReadonlyMap<number, TableParts>;
  readonly #parents = new Map<number, ParentLink[]>();

  /** Prepares the page query and one parent lookup per foreign key between tracked tables. */
  constructor(db: Database.Database, homes: ReadonlyMap<number, TableParts>, meta: MetaReader, sites: SiteRegistry) {
    this.#parts = exact(
      db,
      `SELECT born AS s, tbl, pk, -1 AS col, cl, hlc, site FROM _sync_rows WHERE born > @since AND site IS NOT @exclude
       UNION ALL SELECT seq AS s, tbl, pk, col, NULL, NULL, site FROM _sync_cells WHERE seq > @since AND site IS NOT @exclude
       ORDER BY s`,
    );
    this.#meta = meta;
    this.#sites = sites;
    this.#homes = homes;
    const tables = new Map([...homes].map(([id, parts]) => [id, parts.statements]));
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
        const find = exact(db, `SELECT ${keyColumns} FROM ${quoteIdent(parent.table.name)} WHERE ${where}`).raw(true);
        links.push({ parent, from, fromNames: fk.from, find });
      }
      if (links.length > 0) this.#parents.set(child.table.id, links);
    }
  }

  /**
   * Reads the changes of up to `limit` rows after `since` (more when parents
   * are pulled forward). Call inside a read transaction, after folding.
   * @param localSeq - the last folded seq: the cursor when nothing more is left
   * @param exclude - site number whose changes are left out
   */
  read(since: number, limit: number, localSeq: number, exclude: number | undefined): ChangePage {
    const { rows, next, more } = this.#window(since, limit, exclude);
    const state: PageState = { exclude, changes: [], siteIndex: new Map(), sites: [], sent: new Set(), checkedParents: new Set(), position: since, window: rows };
    for (const [id, pending] of rows) {
      if (state.sent.has(id)) continue;
      state.position = pending.first;
      this.#emit(pending, state, 0);
    }
    return { changes: state.changes, sites: state.sites, next: more ? next : Math.max(next, localSeq), more };
  }

  /**
   * Collects parts in seq order until `limit` rows are seen, then finishes the
   * last seq. Parts written by the excluded site are passed over here, before
   * any row is read: a peer pushing back what it pulled scans its metadata
   * once instead of reading every row.
   */
  #window(since: number, limit: number, exclude: number | undefined): { rows: Map<string, Pending & { first: number }>; next: number; more: boolean } {
    const rows = new Map<string, Pending & { first: number }>();
    let cursor = since;
    // Streamed in seq order (a merge of two index scans) and left as soon as the page is full;
    // parts written by the excluded site are dropped by SQLite before they reach JavaScript.
    for (const raw of this.#parts.iterate({ since, exclude: exclude ?? null }) as IterableIterator<Record<string, unknown>>) {
      const part = toPart(raw);
      const id = rowId(part.tbl, part.pk);
      if (!rows.has(id) && rows.size >= limit && part.s !== cursor) return { rows, next: cursor, more: true };
      const pending = rows.get(id) ?? { tbl: part.tbl, pk: part.pk, row: undefined, cols: new Set<number>(), first: part.s };
      if (part.row !== undefined) pending.row = part.row;
      else pending.cols.add(part.col);
      rows.set(id, pending);
      cursor = part.s;
    }
    return { rows, next: cursor, more: false };
  }

  #siteRef(state: PageState, site: number): number {
    let index = state.siteIndex.get(site);
    if (index === undefined) {
      index = state.sites.push(this.#sites.siteOf(site)) - 1;
      state.siteIndex.set(site, index);
    }
    return index;
  }

  #emit(pending: Pending, state: PageState, depth: number): void {
    const statements = this.#tables.get(pending.tbl);
    const born = pending.row !== undefined;
    const row = pending.row ?? this.#meta.row(pending.tbl, pending.pk);
    state.sent.add(rowId(pending.tbl, pending.pk));
    if (statements === undefined || row === undefined) return;
    const key = statements.keyValues(pending.pk);
    const head = {
      table: statements.table.name,
      key: key.map((value, index) => encodeValue(value, `${statements.table.name}.${statements.table.key[index]?.name ?? ''}`)),
      cl: row.cl,
      hlc: row.hlc,
      site: this.#siteRef(state, row.site),
    };
    if (row.cl % 2 === 0) {
      if (born && row.site !== state.exclude) state.changes.push(head);
      return;
    }
    const values = statements.select(key) ?? this.#homes.get(pending.tbl)?.parked.select(key);
    if (values === undefined) {
      if (key.some(mayHideBytes)) throw new SyncError('UNSENDABLE_VALUE', 500, `a key of ${statements.table.name} is TEXT that is not valid UTF-8; keys must be valid UTF-8`);
      return; // a row the table lost while capture was off
    }
    const full = born && row.site !== state.exclude;
    const cells = this.#cells(statements, row, values, pending.cols, full, state);
    if (!full && cells.length === 0) return;
    if (depth < MAX_PARENT_DEPTH) this.#emitParents(statements, values, full ? undefined : cells.map(([name]) => name), state, depth);
    state.changes.push({ ...head, cells: Object.fromEntries(cells) });
  }

  #cells(statements: TableStatements, row: RowMeta, values: SqlValue[], cols: ReadonlySet<number>, full: boolean, state: PageState): [string, WireCell][] {
    const cells: [string, WireCell][] = [];
    const overrides: Map<number, CellMeta> = this.#meta.cells(row.tbl, row.pk);
    for (const column of statements.table.values) {
      const clock = overrides.get(column.id) ?? row;
      if (!full && (!cols.has(column.id) || clock.site === state.exclude)) continue;
      const encoded = encodeValue(values[column.index] ?? null, `${statements.table.name}.${column.name}`);
      const ownClock = clock.hlc === row.hlc && clock.site === row.site;
      cells.push([column.name, ownClock ? encoded : [encoded, clock.hlc, this.#siteRef(state, clock.site)]]);
    }
    return cells;
  }

  /**
   * Emits first the parents a row points at (when the row is new, or its
   * foreign-key columns are among the cells sent) whose birth comes later in
   * seq order than the part being emitted.
   */
  #emitParents(child: TableStatements, values: SqlValue[], sentColumns: readonly string[] | undefined, state: PageState, depth: number): void {
    for (const link of this.#parents.get(child.table.id) ?? []) {
      if (sentColumns !== undefined && !link.fromNames.some((name) => sentColumns.includes(name))) continue;
      const reference = link.from.map((index) => values[index] ?? null);
      if (reference.some((value) => value === null)) continue;
      const checked = `${link.parent.table.id}:${reference.map((value) => rowId(0, value)).join('|')}`;
      if (state.checkedParents.has(checked)) continue;
      const parentKey = link.find.get(...reference.map(bindable)) as SqlValue[] | undefined;
      if (parentKey === undefined) continue;
      const metaKey = link.parent.metaKey(parentKey);
      const parent = this.#meta.row(link.parent.table.id, metaKey);
      if (parent === undefined || parent.cl % 2 === 0 || parent.born <= state.position) {
        state.checkedParents.add(checked);
        continue;
      }
      const id = rowId(link.parent.table.id, metaKey);
      if (state.sent.has(id)) continue;
      this.#emit(state.window.get(id) ?? { tbl: link.parent.table.id, pk: metaKey, row: { ...parent, pk: metaKey }, cols: new Set() }, state, depth + 1);
    }
  }
}
