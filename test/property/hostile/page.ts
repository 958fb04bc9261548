import fc from 'fast-check';
import { HOSTILE_TABLES, tableNamed, VALUES, type HostileTable } from './schema';

/** A cell of a page: a value, with a clock of its own when `hlc` is set. */
export interface PageCell {
  readonly name: string;
  readonly value: unknown;
  readonly hlc?: unknown;
  readonly site?: unknown;
}

/** A row of a page, whatever its protocol: the change's fields and its cells, in the order sent. */
export interface PageRow {
  readonly table: string;
  readonly key: readonly unknown[];
  readonly cl: unknown;
  readonly hlc: unknown;
  readonly site: unknown;
  readonly cells: readonly PageCell[];
}

/** A page before it is written in either protocol. */
export interface Page {
  readonly sites: readonly string[];
  readonly rows: readonly PageRow[];
  readonly window?: { readonly since: number; readonly next: number };
}

/** The sites every page names (fixed, so a seed gives the same pages on every run). */
export const SITES: readonly string[] = ['1'.repeat(32), '2'.repeat(32), '3'.repeat(32)];
/** The clock every page's clocks are near: 2023-11-14, well behind any test machine's wall time. */
export const T0 = 1_700_000_000_000 * 1024;

/** The changeset's schema (the receivers' own description). */
export type SchemaOf = { readonly fingerprint: string; readonly tables: Record<string, [string, string, number][]> };

function cellsObject(cells: readonly PageCell[]): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (const cell of cells) {
    const value = cell.hlc === undefined ? cell.value : [cell.value, cell.hlc, cell.site];
    Object.defineProperty(object, cell.name, { value, enumerable: true, writable: true, configurable: true });
  }
  return object;
}

/** The page as protocol 1 writes it: a change object per row. */
export function protocol1(page: Page, schema: SchemaOf): Record<string, unknown> {
  const changes = page.rows.map((row) => ({ table: row.table, key: row.key, cl: row.cl, hlc: row.hlc, site: row.site, ...(row.cells.length > 0 ? { cells: cellsObject(row.cells) } : {}) }));
  return { protocol: 1, site: page.sites[0], schema, ...page.window, sites: page.sites, changes };
}

/** The page as protocol 2 writes it: per table (in the order of its first row), its columns once, then a row array each. */
export function protocol2(page: Page, schema: SchemaOf): Record<string, unknown> {
  const tables: { table: string; columns: string[]; rows: unknown[][] }[] = [];
  for (const row of page.rows) {
    let entry = tables.find((candidate) => candidate.table === row.table);
    if (entry === undefined) tables.push((entry = { table: row.table, columns: [], rows: [] }));
    for (const cell of row.cells) if (!entry.columns.includes(cell.name)) entry.columns.push(cell.name);
  }
  for (const row of page.rows) {
    const entry = tables.find((candidate) => candidate.table === row.table) as (typeof tables)[number];
    const single = HOSTILE_TABLES.find((table) => table.name === row.table)?.key.length === 1 && row.key.length === 1;
    const cells: unknown[] = entry.columns.map((name) => {
      const cell = row.cells.find((candidate) => candidate.name === name);
      if (cell === undefined) return [];
      return cell.hlc === undefined ? cell.value : [cell.value, cell.hlc, cell.site];
    });
    while (cells.length > 0 && Array.isArray(cells.at(-1)) && (cells.at(-1) as unknown[]).length === 0) cells.pop();
    entry.rows.push([single ? row.key[0] : row.key, row.cl, row.hlc, row.site, ...cells]);
  }
  return { protocol: 2, site: page.sites[0], schema, ...page.window, sites: page.sites, tables };
}

/** What a row of a page does. */
export type RowKind = 'birth' | 'revive' | 'delete' | 'update';

/** An honest row of `table`: a birth (cl 1, every column), a revival (cl 3), a death (even cl) or cell updates (cl 1, some cells). */
function rowArbitrary(table: HostileTable, kinds: readonly RowKind[]): fc.Arbitrary<PageRow> {
  const cellArbitrary = (name: string, values: readonly unknown[], nullable: boolean, rowHlc: number, rowSite: number, clocked: boolean): fc.Arbitrary<PageCell> =>
    fc.record({ value: fc.constantFrom(...values, ...(nullable ? [null] : [])), later: fc.nat(6), site: fc.nat(2), own: clocked ? fc.boolean() : fc.constant(false) }).map(({ value, later, site, own }) =>
      own ? { name, value, hlc: rowHlc + later, site: later === 0 ? Math.max(site, rowSite) : site } : { name, value },
    );
  return fc.record({ kind: fc.constantFrom(...kinds), key: fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...table.keys.slice(0, 5)) }, { weight: 1, arbitrary: fc.constantFrom(...table.keys.slice(5)) }), hlc: fc.nat(12), site: fc.nat(2), keep: fc.array(fc.boolean(), { minLength: table.columns.length, maxLength: table.columns.length }) }).chain(({ kind, key, hlc, site, keep }) => {
    const rowHlc = T0 + hlc;
    const head = { table: table.name, key, hlc: rowHlc, site };
    if (kind === 'delete') return fc.constantFrom(2, 4).map((cl) => ({ ...head, cl, cells: [] }));
    const columns = kind === 'update' ? table.columns.filter((_, index) => keep[index]) : table.columns;
    const cells = columns.map((column) => cellArbitrary(column.name, VALUES[column.kind], column.nullable, rowHlc, site, kind !== 'birth' || hlc % 2 === 0));
    return fc.tuple(...cells).map((built) => ({ ...head, cl: kind === 'revive' ? 3 : 1, cells: built }));
  });
}

/** The rows every receiver holds before the page under test: a birth for each of the first four keys of every table, then a death. */
export function baselinePage(): Page {
  const rows: PageRow[] = [];
  HOSTILE_TABLES.forEach((table, tableIndex) => {
    table.keys.slice(0, 4).forEach((key, keyIndex) => {
      const cells = table.columns.map((column, columnIndex) => ({ name: column.name, value: column.kind === 'ref' ? 'k1' : (VALUES[column.kind][(keyIndex + columnIndex + tableIndex) % VALUES[column.kind].length] as unknown) }));
      const unique = table.name === 'owners' ? cells.map((cell) => (cell.name === 'email' ? { ...cell, value: `m${keyIndex}` } : cell)) : cells;
      rows.push({ table: table.name, key, cl: 1, hlc: T0 + keyIndex * 2, site: keyIndex % 2, cells: unique });
    });
    rows.push({ table: table.name, key: table.keys[3] as readonly unknown[], cl: 2, hlc: T0 + 9, site: 1, cells: [] });
  });
  return { sites: SITES, rows };
}

/** An honest page of 1 to 8 rows over every table, some with a window (since/next; since 3 is beyond the receivers' cursor: an early page). */
export const pageArbitrary: fc.Arbitrary<Page> = fc
  .record({
    rows: fc.array(fc.constantFrom(...HOSTILE_TABLES.map((table) => table.name)).chain((name) => rowArbitrary(tableNamed(name), ['birth', 'revive', 'delete', 'update', 'update'])), { minLength: 1, maxLength: 8 }),
    window: fc.option(fc.record({ since: fc.constantFrom(0, 3), next: fc.integer({ min: 4, max: 50 }) }), { nil: undefined }),
  })
  .map(({ rows, window }) => (window === undefined ? { sites: SITES, rows } : { sites: SITES, rows, window }));
