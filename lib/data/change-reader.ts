import type Database from 'better-sqlite3';
import type { MetaReader, RowMeta } from './meta-reader';
import { AT, FLAG, windowSql } from './page-window';
import type { PageCells, PageSink } from './page-sinks';
import { ParentLinks } from './parent-links';
import { exact } from './prepared';
import type { TableParts } from './settle-batch';
import type { SiteRegistry } from './site-registry';
import { SyncError } from '../sync-error';
import type { TableStatements } from './table-statements';
import { encodeCell, mayHideBytes, type SqlValue, type WireValue } from './values';
import { WindowChunks } from './window-chunks';

/** Where a page ends and whether another follows, and the site ids its changes refer to by index. */
export interface PageEnd {
  readonly sites: string[];
  readonly next: number;
  readonly more: boolean;
}

/** A row of the window, as better-sqlite3 reads it (see `AT`). */
type Part = SqlValue[];

/** A row of the window whose birth is not in it: only cells changed, sent once the window is read. */
interface Changed {
  readonly tbl: number;
  readonly pk: SqlValue;
  readonly cols: Set<number>;
}

/** What one page read keeps while it runs. */
interface PageRun {
  readonly sink: PageSink;
  readonly exclude: number | undefined;
  readonly siteIndex: Map<number, number>;
  readonly sites: string[];
  /** Rows sent, by birth seq. */
  readonly sent: Set<number>;
  /** Parents already found in the page, per foreign key. */
  readonly parents: Map<object, Set<unknown>>;
  /** The seq of the part being read: parents born after it are pulled forward. */
  position: number;
  /** A scratch array of cells, one slot per non-key column. */
  readonly cells: PageCells;
}

const MAX_PARENT_DEPTH = 8;

/**
 * Reads pages of changes. Every part of a row's state carries its own seq: the
 * birth or death of the row, and each cell changed since. A page is the parts
 * in a seq window, grouped by row, never cut inside one seq; a birth carries
 * every column. So a peer whose cursor passed a seq has that part, whatever
 * happened to the row later. A new parent a row points at is pulled forward
 * into the page, so no receiver sees a child before its parent.
 *
 * One query reads the window in seq order, chunk by chunk (see
 * `WindowChunks`), with each birth's values joined
 * in (see `windowSql`): a row born in the window is sent as soon as its birth
 * is read, from that query's row; rows with only changed cells are sent at the
 * end of the window (their cells may come in several parts). Rows are named by
 * their birth seq, a number.
 */
export class ChangeReader {
  readonly #window: Database.Statement;
  readonly #chunks: WindowChunks;
  readonly #meta: MetaReader;
  readonly #sites: SiteRegistry;
  readonly #homes: ReadonlyMap<number, TableParts>;
  readonly #parents: ParentLinks;

  /** Prepares the window query and one parent lookup per foreign key between tracked tables. */
  constructor(db: Database.Database, homes: ReadonlyMap<number, TableParts>, meta: MetaReader, sites: SiteRegistry) {
    const tables = [...homes.values()].map((parts) => parts.statements);
    this.#window = exact(db, windowSql(tables.map((statements) => statements.table))).raw(true);
    this.#chunks = new WindowChunks(db);
    this.#meta = meta;
    this.#sites = sites;
    this.#homes = homes;
    this.#parents = new ParentLinks(db, tables, meta);
  }

  /**
   * Reads the changes of up to `limit` rows after `since` (more when parents
   * are pulled forward) into `sink`. Call inside a read transaction, after folding.
   * @param localSeq - the last folded seq: the cursor when nothing more is left
   * @param exclude - site number whose changes are left out
   * @param skip - true for the seqs whose parts are left out (windows the peer sent: see `EchoRanges.skipper`)
   * @throws SyncError `UNSENDABLE_VALUE` (500) for a key that is not valid UTF-8 (or a NaN, which SQLite never stores)
   */
  read(since: number, limit: number, localSeq: number, exclude: number | undefined, sink: PageSink, skip?: (seq: number) => boolean): PageEnd {
    const width = Math.max(0, ...[...this.#homes.values()].map((parts) => parts.statements.table.values.length));
    const run: PageRun = { sink, exclude, siteIndex: new Map(), sites: [], sent: new Set(), parents: new Map(), position: since, cells: new Array<undefined>(width) };
    const rows = new Map<number, Changed | undefined>();
    const end = this.#chunks.pageEnd(since, limit, exclude ?? null);
    const until = end ?? Number.MAX_SAFE_INTEGER;
    let cursor = since;
    let more = false;
    for (let from = since; !more && from < until; ) {
      const to = this.#chunks.chunkEnd(from, until, limit, exclude ?? null);
      for (const part of this.#window.all({ since: from, until: to, exclude: exclude ?? null }) as Part[]) {
        const s = Number(part[AT.s]);
        if (skip?.(s) === true) continue;
        const rid = (part[AT.rid] as number | null) ?? s;
        if (!rows.has(rid)) {
          if (rows.size >= limit && s !== cursor) {
            more = true;
            break;
          }
          rows.set(rid, undefined);
        }
        cursor = s;
        run.position = s;
        if ((part[AT.col] as number) < 0) this.#birth(part, rid, run);
        else if (!run.sent.has(rid)) this.#changedCell(part, rid, rows);
      }
      from = to;
    }
    for (const [rid, changed] of rows) if (changed !== undefined && !run.sent.has(rid)) this.#sendChanged(changed, rid, run);
    // Every part up to the window's end was read: the page ends there, and what follows comes next.
    if (!more && end !== undefined && end < localSeq) return { sites: run.sites, next: end, more: true };
    return { sites: run.sites, next: more ? cursor : Math.max(cursor, localSeq), more };
  }

  #siteRef(run: PageRun, site: number): number {
    let index = run.siteIndex.get(site);
    if (index === undefined) {
      index = run.sites.push(this.#sites.siteOf(site)) - 1;
      run.siteIndex.set(site, index);
    }
    return index;
  }

  #changedCell(part: Part, rid: number, rows: Map<number, Changed | undefined>): void {
    let changed = rows.get(rid);
    if (changed === undefined) {
      changed = { tbl: part[AT.tbl] as number, pk: part[AT.pk] ?? null, cols: new Set() };
      rows.set(rid, changed);
    }
    changed.cols.add(part[AT.col] as number);
  }

  /** A birth or death in the window: sent now, with every column (its clock site is not the excluded one: the query left those out). */
  #birth(part: Part, rid: number, run: PageRun): void {
    if (run.sent.has(rid)) return;
    const statements = this.#homes.get(part[AT.tbl] as number)?.statements;
    if (statements === undefined) return;
    const flags = part[AT.flags] as number;
    const pk = part[AT.pk] ?? null;
    const row: RowMeta = { tbl: statements.table.id, pk, cl: part[AT.cl] as number, hlc: part[AT.hlc] as number, site: part[AT.site] as number, born: rid };
    const plain = (flags & (FLAG.found | FLAG.overrides | FLAG.unjoined)) === FLAG.found && !this.#hidesBytes(part, statements);
    if (row.cl % 2 === 1 && plain) this.#sendJoined(statements, row, part, run, 0);
    else this.#send(statements, row, undefined, run, 0);
  }

  /** True when a TEXT value of the joined row may hide bytes better-sqlite3 replaced (read it again, exactly). */
  #hidesBytes(part: Part, statements: TableStatements): boolean {
    const end = AT.values + statements.table.columns.length;
    for (let index = AT.values; index < end; index += 1) if (mayHideBytes(part[index] ?? null)) return true;
    return false;
  }

  /** The common case: a live row born in the window, found in its table, without cell clocks of its own. */
  #sendJoined(statements: TableStatements, row: RowMeta, part: Part, run: PageRun, depth: number): void {
    const { table } = statements;
    run.sent.add(row.born);
    if (depth < MAX_PARENT_DEPTH && this.#parents.has(statements)) this.#sendParents(statements, part, AT.values, undefined, run, depth);
    // Joined rows have a one-column key: it travels as the row stores it (the metadata's own copy is the first
    // spelling captured: a key column without affinity holds 1 and 1.0 as one key, and the row may hold the other).
    const [keyColumn] = table.key;
    const key: WireValue[] = [encodeCell(keyColumn === undefined ? row.pk : (part[AT.values + keyColumn.index] ?? null), table.name, keyColumn?.name ?? '')];
    const site = this.#siteRef(run, row.site);
    const { cells } = run;
    const { values } = table;
    for (let index = 0; index < values.length; index += 1) {
      const column = values[index] as (typeof values)[number];
      cells[index] = encodeCell(part[AT.values + column.index] ?? null, table.name, column.name, row.pk);
    }
    run.sink.add(statements, key, row.cl, row.hlc, site, cells);
  }

  #sendParents(child: TableStatements, values: readonly SqlValue[], offset: number, sentColumns: readonly string[] | undefined, run: PageRun, depth: number): void {
    for (const { parent, pk, row } of this.#parents.later(child, values, offset, sentColumns, run.position, run.parents)) {
      if (run.sent.has(row.born)) continue;
      // The peer wrote this parent's birth: it has the row. Not marked sent: cells others changed later in
      // the window must still go (\`later\` already remembers the parent, so it is not looked up again).
      if (row.site === run.exclude) continue;
      this.#send(parent, { ...row, pk }, undefined, run, depth + 1);
    }
  }

  /** A row with only changed cells in the window: sent with those cells, unless they were written by the excluded site. */
  #sendChanged(changed: Changed, rid: number, run: PageRun): void {
    const statements = this.#homes.get(changed.tbl)?.statements;
    const row = statements === undefined ? undefined : this.#meta.row(changed.tbl, changed.pk);
    if (statements === undefined || row === undefined || row.born !== rid) return;
    this.#send(statements, row, changed.cols, run, 0);
  }

  /**
   * Any row, read on its own: a death, a row found elsewhere (parked) or with
   * cell clocks of its own, a parent pulled forward (`cols` undefined: every
   * column), or the changed cells `cols` of a row born before the window.
   */
  #send(statements: TableStatements, row: RowMeta, cols: ReadonlySet<number> | undefined, run: PageRun, depth: number): void {
    run.sent.add(row.born);
    const key = statements.keyValues(row.pk);
    const { name } = statements.table;
    if (row.cl % 2 === 0) {
      const wireKey = key.map((value, index) => encodeCell(value, name, statements.table.key[index]?.name));
      if (cols === undefined) run.sink.add(statements, wireKey, row.cl, row.hlc, this.#siteRef(run, row.site), undefined);
      return;
    }
    const values = statements.select(key) ?? this.#homes.get(statements.table.id)?.parked.select(key);
    if (values === undefined) {
      if (key.some(mayHideBytes)) throw new SyncError('UNSENDABLE_VALUE', 500, `a key of ${name} is TEXT that is not valid UTF-8; keys must be valid UTF-8`);
      return; // a row the table lost while capture was off
    }
    const site = this.#siteRef(run, row.site);
    const clocks = this.#clocks(statements, row, cols, run);
    if (cols !== undefined && clocks.every((clock) => clock === undefined)) return;
    const sentColumns = cols === undefined ? undefined : statements.table.values.filter((_, index) => clocks[index] !== undefined).map((column) => column.name);
    if (depth < MAX_PARENT_DEPTH && this.#parents.has(statements)) this.#sendParents(statements, values, 0, sentColumns, run, depth);
    statements.table.values.forEach((column, index) => {
      const clock = clocks[index];
      if (clock === undefined) {
        run.cells[index] = undefined;
        return;
      }
      const encoded = encodeCell(values[column.index] ?? null, name, column.name, row.pk);
      run.cells[index] = clock.hlc === row.hlc && clock.site === row.site ? encoded : [encoded, clock.hlc, this.#siteRef(run, clock.site)];
    });
    // The key as the row stores it: the metadata quotes a whole REAL in a column without affinity as its INTEGER.
    const wireKey = statements.table.key.map((column) => encodeCell(values[column.index] ?? null, name, column.name, row.pk));
    run.sink.add(statements, wireKey, row.cl, row.hlc, site, run.cells);
  }

  /** The clock of each non-key column to send: every column (`cols` undefined), or the changed ones not written by the excluded site. */
  #clocks(statements: TableStatements, row: RowMeta, cols: ReadonlySet<number> | undefined, run: PageRun): ({ readonly hlc: number; readonly site: number } | undefined)[] {
    const overrides = this.#meta.cells(row.tbl, row.pk);
    return statements.table.values.map((column) => {
      const clock = overrides.get(column.id) ?? row;
      return cols !== undefined && (!cols.has(column.id) || clock.site === run.exclude) ? undefined : clock;
    });
  }
}
