import fc from 'fast-check';
import type { Page, PageCell, PageRow } from './page';
import { HOSTILE_KEYS, HOSTILE_VALUES, tableNamed } from './schema';

/** Defects a hostile or buggy peer puts in a page; each is written the same way in both protocols. */
export const PAGE_DEFECTS = [
  'value', 'keyValue', 'keyLength', 'keyCell', 'unknownColumn', 'dropCell', 'olderCell', 'equalCell', 'futureCell', 'futureRow',
  'rowSite', 'cellSite', 'deadWithCells', 'cl', 'hlc', 'emptySites', 'unknownTable',
] as const;

/** Defects that leave a page whose outcome the merge-rule model predicts (see `mergeModel`). */
export const MODELLED_DEFECTS: readonly PageDefect['kind'][] = ['dropCell', 'olderCell', 'equalCell', 'deadWithCells'];

/** One defect, and numbers that pick its row, cell and value (taken modulo what there is). */
export interface PageDefect {
  readonly kind: (typeof PAGE_DEFECTS)[number];
  readonly row: number;
  readonly cell: number;
  readonly pick: number;
}

/** Defects written in one protocol's JSON only: anything anywhere, and the compact page's own shapes. */
export const JSON_DEFECTS = ['remove', 'replace', 'wrap', 'extraField', 'dupColumn', 'keyColumn', 'extraCell', 'emptyCell', 'shortCell', 'longCell'] as const;

/** A defect in a page's JSON: where (the n-th node, depth first) and with what. */
export interface JsonDefect {
  readonly kind: (typeof JSON_DEFECTS)[number];
  readonly node: number;
  readonly pick: number;
}

/** A page defect. */
export const pageDefectArbitrary: fc.Arbitrary<PageDefect> = fc.record({
  kind: fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...MODELLED_DEFECTS) }, { weight: 2, arbitrary: fc.constantFrom(...PAGE_DEFECTS) }),
  row: fc.nat(),
  cell: fc.nat(),
  pick: fc.nat(),
});
/** A JSON defect. */
export const jsonDefectArbitrary: fc.Arbitrary<JsonDefect> = fc.record({ kind: fc.constantFrom(...JSON_DEFECTS), node: fc.nat(), pick: fc.nat() });

const at = <T>(items: readonly T[], index: number): T => items[index % items.length] as T;
const future = (): number => (Date.now() + 3_600_000) * 1024;
const NAMES = ['nope', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', '', 'title" = 1; --', 'ID'];

function withCell(row: PageRow, index: number, edit: (cell: PageCell) => PageCell | undefined): PageRow {
  if (row.cells.length === 0) return row;
  const target = index % row.cells.length;
  const cells = row.cells.flatMap((cell, position) => (position === target ? (edit(cell) ?? []) : [cell]));
  return { ...row, cells };
}

function defectiveRow(row: PageRow, defect: PageDefect, sites: number): PageRow {
  const { cell, pick } = defect;
  const table = tableNamed(row.table);
  switch (defect.kind) {
    case 'value': return withCell(row, cell, (c) => ({ ...c, value: at(HOSTILE_VALUES, pick) }));
    case 'keyValue': return { ...row, key: row.key.map((value, position) => (position === cell % row.key.length ? at(HOSTILE_KEYS, pick) : value)) };
    case 'keyLength': return { ...row, key: pick % 2 === 0 ? [...row.key, 'extra'] : row.key.slice(1) };
    case 'keyCell': return { ...row, cells: [...row.cells, { name: at(table.key, pick), value: 'k9' }] };
    case 'unknownColumn': return { ...row, cells: [...row.cells.filter((c) => c.name !== at(NAMES, pick)), { name: at(NAMES, pick), value: 'x' }] };
    case 'dropCell': return withCell(row, cell, () => undefined);
    case 'olderCell': {
      // An older hlc, or the row's hlc with a smaller site id (the row's site moved up to have one).
      const site = Math.max(1, Number(row.site));
      return withCell({ ...row, site }, cell, (c) => ({ ...c, hlc: pick % 2 === 0 ? Number(row.hlc) - 1 - (pick % 5) : row.hlc, site: pick % 2 === 0 ? pick % 3 : site - 1 }));
    }
    case 'equalCell': return withCell(row, cell, (c) => ({ ...c, hlc: row.hlc, site: row.site }));
    case 'futureCell': return withCell(row, cell, (c) => ({ ...c, hlc: future(), site: 0 }));
    case 'futureRow': return { ...row, hlc: future() };
    case 'rowSite': return { ...row, site: sites + (pick % 3) };
    case 'cellSite': return withCell(row, cell, (c) => ({ ...c, hlc: Number(row.hlc) + 1, site: sites + (pick % 3) }));
    case 'deadWithCells': return { ...row, cl: 2, cells: row.cells.length > 0 ? row.cells : [{ name: at(table.columns, pick).name, value: null }] };
    case 'cl': return { ...row, cl: at([0, -1, 1.5, 2 ** 50, 2 ** 50 - 1, 2 ** 50 + 1, 2 ** 53, '1', null], pick) };
    case 'hlc': return { ...row, hlc: at([-1, 1.5, 2 ** 53, 2 ** 53 - 1, 0, '5', null], pick) };
    case 'unknownTable': return { ...row, table: at(['players', '_sync_rows', '"notes"', 'Notes', '__proto__', 'notes; DROP TABLE pairs'], pick) };
    case 'emptySites': return row;
  }
}

/** The page with one defect in one of its rows (or its sites). */
export function withPageDefect(page: Page, defect: PageDefect): Page {
  if (defect.kind === 'emptySites') return { ...page, sites: [] };
  const target = defect.row % page.rows.length;
  return { ...page, rows: page.rows.map((row, index) => (index === target ? defectiveRow(row, defect, page.sites.length) : row)) };
}

/** A clock near the pages' own. */
const T0_JSON = 1_700_000_000_000 * 1024;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function nodes(value: Json, out: Json[] = []): Json[] {
  out.push(value);
  if (Array.isArray(value)) for (const item of value) nodes(item, out);
  else if (value !== null && typeof value === 'object') for (const key of Object.keys(value)) nodes(value[key] as Json, out);
  return out;
}

function containers(value: Json): (Json[] | { [key: string]: Json })[] {
  return nodes(value).filter((node): node is Json[] | { [key: string]: Json } => node !== null && typeof node === 'object');
}

function compactTables(page: Json): { columns: string[]; rows: Json[][] }[] {
  const tables = (page as { tables?: unknown }).tables;
  return Array.isArray(tables) ? (tables as { columns: string[]; rows: Json[][] }[]) : [];
}

/** A page's JSON (parsed, any protocol) with one defect written in it, in place. */
export function withJsonDefect(page: Json, defect: JsonDefect): void {
  const { node, pick } = defect;
  const holder = at(containers(page), node);
  const slots: Record<string | number, Json> = holder as Record<string | number, Json>;
  const keys: readonly (string | number)[] = Array.isArray(holder) ? holder.map((_, index) => index) : Object.keys(holder);
  const key = keys.length === 0 ? undefined : at(keys, pick);
  const tables = compactTables(page);
  const table = tables.length === 0 ? undefined : at(tables, node);
  const row = table === undefined || table.rows.length === 0 ? undefined : at(table.rows, pick);
  const cellAt = row === undefined || row.length <= 4 ? undefined : 4 + (pick % (row.length - 4));
  const hostile = at(HOSTILE_VALUES, pick + node) as Json;
  switch (defect.kind) {
    case 'remove':
      if (key !== undefined && Array.isArray(holder)) holder.splice(Number(key), 1);
      else if (key !== undefined) Reflect.deleteProperty(holder, key);
      return;
    case 'replace': if (key !== undefined) slots[key] = hostile; return;
    case 'wrap': if (key !== undefined) slots[key] = [slots[key] as Json]; return;
    case 'extraField': if (Array.isArray(holder)) holder.push(hostile); else holder[at(['extra', '__proto__', 'constructor', 'cells', 'tables'], pick)] = hostile; return;
    case 'dupColumn': if (table !== undefined && table.columns.length > 0) table.columns.push(at(table.columns, pick)); return;
    case 'keyColumn': if (table !== undefined) table.columns.splice(pick % (table.columns.length + 1), 0, at(['id', 'k1', 'k2'], pick)); return;
    case 'extraCell': if (row !== undefined) row.push(...Array.from({ length: 1 + (pick % 3) }, () => hostile)); return;
    case 'emptyCell': if (row !== undefined && cellAt !== undefined) row[cellAt] = []; return;
    case 'shortCell': if (row !== undefined && cellAt !== undefined) row[cellAt] = [row[cellAt] as Json, T0_JSON]; return;
    case 'longCell': if (row !== undefined && cellAt !== undefined) row[cellAt] = [row[cellAt] as Json, T0_JSON, 0, 0]; return;
  }
}
