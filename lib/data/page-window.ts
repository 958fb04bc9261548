import { quoteIdent } from './sql-names';
import type { TrackedTable } from './tracked-table';

/**
 * Positions in a row of the window query. Every part of the window is one
 * row: `s` its seq (the order), `tbl`, `col` (−1 for a row's birth or death,
 * else the cell's column id), `rid` (the row's birth seq: a number naming the
 * row while it lives; NULL for a birth: its `s`), the birth clock (`cl`,
 * `hlc`, births only), the part's `site`, `flags`, the metadata key `pk`
 * (always: the name the row travels by, even when its values were joined), then the
 * row's values in column order (births of tables joined by their key; NULLs
 * otherwise).
 */
export const AT = { s: 0, tbl: 1, col: 2, rid: 3, cl: 4, hlc: 5, site: 6, flags: 7, pk: 8, values: 9 } as const;

/** Bits of `flags`: the row was found in its table; it has cell clocks of its own; its values were not joined (read them). */
export const FLAG = { found: 1, overrides: 2, unjoined: 4 } as const;

/** `CAST(… AS REAL)`: metadata below 2^53 read as a JavaScript number, exact, from a statement reading user integers as bigint. */
function real(expression: string): string {
  return `CAST(${expression} AS REAL)`;
}

function nulls(count: number): string[] {
  return Array.from({ length: count }, () => 'NULL');
}

/** The births and deaths of one table's rows in the window, joined with their values when the key is one column. */
function birthsOf(table: TrackedTable, width: number): string {
  const head = `r.born AS s, ${real(String(table.id))}, -1.0, NULL, ${real('r.cl')}, ${real('r.hlc')}, ${real('r.site')}`;
  const where = `r.born > @since AND r.born <= @until AND +r.tbl = ${table.id} AND r.site IS NOT @exclude`;
  const [only] = table.key;
  if (table.key.length !== 1 || only === undefined) {
    return `SELECT ${head}, ${FLAG.unjoined}.0, r.pk${nulls(width).map((value) => `, ${value}`).join('')} FROM _sync_rows AS r WHERE ${where}`;
  }
  const key = `t.${quoteIdent(only.name)}`;
  const overrides = 'EXISTS (SELECT 1 FROM _sync_cells AS c WHERE c.tbl = r.tbl AND c.pk = r.pk)';
  const flags = real(`(${key} IS NOT NULL) | (${overrides} << 1)`);
  const values = [...table.columns.map((column) => `t.${quoteIdent(column.name)}`), ...nulls(width - table.columns.length)];
  // Key columns are BINARY (enableCapture refuses another collation), so the key's index finds the very value.
  return `SELECT ${head}, ${flags}, r.pk, ${values.join(', ')} FROM _sync_rows AS r LEFT JOIN ${quoteIdent(table.name)} AS t ON ${key} = r.pk WHERE ${where}`;
}

/** The cells changed in the window, with the birth seq of their row. */
function cells(width: number): string {
  const head = `c.seq AS s, ${real('c.tbl')}, ${real('c.col')}, ${real('r.born')}, NULL, NULL, ${real('c.site')}, NULL, c.pk`;
  return `SELECT ${head}${nulls(width).map((value) => `, ${value}`).join('')} FROM _sync_cells AS c JOIN _sync_rows AS r ON r.tbl = c.tbl AND r.pk = c.pk WHERE c.seq > @since AND c.seq <= @until AND c.site IS NOT @exclude`;
}

/**
 * The page window as one query: every part after `@since` and up to
 * `@until` not written by `@exclude`, in seq order (SQLite merges per-table
 * scans of `_sync_rows` by rowid and the cells' seq index: no sort), each
 * birth joined with its row's values through the table's key, so a page reads
 * no row on its own. Parts of tables that are no longer tracked are not read.
 * `@until` bounds each table's scan: without it, a table with no row left in
 * the window scans to the end of `_sync_rows` on every page.
 */
export function windowSql(tables: readonly TrackedTable[]): string {
  const width = Math.max(0, ...tables.map((table) => table.columns.length));
  return [...tables.map((table) => birthsOf(table, width)), cells(width)].join('\nUNION ALL\n') + '\nORDER BY s';
}
