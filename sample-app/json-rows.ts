import { encodeValue } from '../index';

/** True for a cell JSON has no plain form of: a BLOB, or a REAL that is ±Infinity. */
function needsWireForm(value: unknown): value is Buffer | number {
  return Buffer.isBuffer(value) || (typeof value === 'number' && !Number.isFinite(value));
}

/**
 * A row of the scouting tables as the JSON API answers it: a BLOB cell (a peer
 * may sync one into any column: SQLite keeps what it is given) as
 * `{"$blob":"<base64>"}`, and a REAL cell holding ±Infinity as
 * `{"$real":"Infinity"}` / `{"$real":"-Infinity"}`, the sync wire format's forms
 * (`encodeValue`); every other value as it is. `res.json` wrote a Buffer as
 * `{"type":"Buffer","data":[…]}`, one number per byte, and ±Infinity as `null`.
 * @param table - the row's table, for the cell's name in an error
 */
export function jsonRow(row: unknown, table: string): unknown {
  if (row === null || typeof row !== 'object') return row;
  const cells = Object.entries(row as Record<string, unknown>).map(([column, value]) => [column, needsWireForm(value) ? encodeValue(value, `${table}.${column}`) : value]);
  return Object.fromEntries(cells);
}

/** {@link jsonRow} for each row of `rows`. */
export function jsonRows(rows: readonly unknown[], table: string): unknown[] {
  return rows.map((row) => jsonRow(row, table));
}
