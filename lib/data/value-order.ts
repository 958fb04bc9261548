import { TextBytes, type SqlValue } from './values';

/** Storage classes in the order {@link compareValues} puts them: NULL, INTEGER, REAL, TEXT, BLOB (SQLite's own order, INTEGER and REAL apart). */
function classRank(value: SqlValue): number {
  if (value === null) return 0;
  if (typeof value === 'bigint') return 1;
  if (typeof value === 'number') return 2;
  if (typeof value === 'string' || value instanceof TextBytes) return 3;
  return 4;
}

/** TEXT as the bytes every server compares: its UTF-8 (or, not being UTF-8, the bytes SQLite holds). */
function textBytes(value: string | TextBytes): Buffer {
  if (!(value instanceof TextBytes)) return Buffer.from(value, 'utf8');
  return value.text === undefined ? value.bytes : Buffer.from(value.text, 'utf8');
}

/** Two REALs: by value, then `-0` before `0` (equal to SQL, two values on the wire). */
function compareReals(a: number, b: number): number {
  if (a !== b) return a < b ? -1 : 1;
  if (a !== 0) return 0;
  const aNegative = Object.is(a, -0);
  return aNegative === Object.is(b, -0) ? 0 : aNegative ? -1 : 1;
}

/**
 * A total order of values that every server computes alike, byte for byte: by storage class
 * (NULL, INTEGER, REAL, TEXT, BLOB), then by value (TEXT and BLOB by their bytes, `-0` before `0`).
 * 0 only for the same value in the same class. The merge breaks a tie of two cells with the same clock
 * (hlc and site) with it, so servers holding two values under one clock (two writers that shared a site
 * id) end with the same one, the greater.
 * @returns a negative number when `a` comes first, positive when `b` does, 0 when they are the same
 */
export function compareValues(a: SqlValue, b: SqlValue): number {
  const rank = classRank(a) - classRank(b);
  if (rank !== 0) return rank;
  if (typeof a === 'bigint' && typeof b === 'bigint') return a === b ? 0 : a < b ? -1 : 1;
  if (typeof a === 'number' && typeof b === 'number') return compareReals(a, b);
  if ((typeof a === 'string' || a instanceof TextBytes) && (typeof b === 'string' || b instanceof TextBytes)) {
    return typeof a === 'string' && typeof b === 'string' && a === b ? 0 : Buffer.compare(textBytes(a), textBytes(b));
  }
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return Buffer.compare(a, b);
  return 0; // NULL and NULL
}
