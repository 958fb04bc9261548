import { TextBytes, type SqlValue } from './values';

/** 2^63: a REAL of an integral value in [-2^63, 2^63) equals an INTEGER. */
const INT64_LIMIT = 2 ** 63;

/**
 * A string naming a row, for maps: the table id and the key's typed values.
 * A REAL of an integral value names the row its INTEGER names (SQLite's key
 * index holds `1` and `1.0`, `0` and `-0.0`, as one key in a column without
 * affinity), so one row read back as `1n` and received as `1` is one row.
 */
export function rowRef(tableId: number, key: readonly SqlValue[]): string {
  const parts = key.map((value) => {
    if (Buffer.isBuffer(value)) return `x${value.toString('hex')}`;
    if (value instanceof TextBytes) return value.text === undefined ? `t${value.bytes.toString('hex')}` : `string:${value.text}`; // the string it is
    if (typeof value === 'number' && Number.isInteger(value) && value >= -INT64_LIMIT && value < INT64_LIMIT) return `bigint:${BigInt(value)}`;
    return `${typeof value}:${String(value)}`;
  });
  // JSON keeps a text holding a separator apart: ('a|b', 'c') and ('a', 'b|c') are two rows.
  return `${tableId}:${JSON.stringify(parts)}`;
}

/**
 * A string naming a foreign key's values (none NULL) by their storage classes:
 * INTEGER 1 and REAL 1.0 are two parents here (a TEXT parent column tells them
 * apart, as SQLite's own check does: '1' is not '1.0'), unlike `rowRef`, which
 * names one row key by both. JSON keeps a text holding a separator apart.
 */
export function valuesId(values: readonly SqlValue[]): string {
  return JSON.stringify(
    values.map((value) => {
      if (Buffer.isBuffer(value)) return `x${value.toString('hex')}`;
      if (value instanceof TextBytes) return value.text === undefined ? `t${value.bytes.toString('hex')}` : `s${value.text}`; // the string it is
      if (typeof value === 'bigint') return `i${value}`;
      if (typeof value === 'number') return `r${value}`;
      return `s${String(value)}`;
    }),
  );
}
