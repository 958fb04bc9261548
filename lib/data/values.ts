import { SyncError } from '../sync-error';

/** A value as better-sqlite3 reads it with `safeIntegers(true)`: the five SQLite storage classes. */
export type SqlValue = null | bigint | number | string | Buffer;

/**
 * A value on the wire. Plain JSON carries NULL, TEXT, safe INTEGERs and
 * non-integral finite REALs; the rest is tagged so every value round-trips
 * with its SQLite type: `{"$int":"9007199254740993"}` for integers beyond
 * ±(2^53 − 1), `{"$real":1}` for a REAL whose value is integral,
 * `{"$blob":"<base64>"}` for a BLOB.
 */
export type WireValue = null | string | number | { readonly $int: string } | { readonly $real: number } | { readonly $blob: string };

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Encodes one SQLite value for the wire.
 * @param where - names the cell in the error message, e.g. `teams.rating`
 * @throws SyncError `UNSENDABLE_VALUE` (500) for a REAL that is NaN or ±Infinity, which JSON cannot carry
 */
export function encodeValue(value: SqlValue, where: string): WireValue {
  if (value === null || typeof value === 'string') return value;
  if (typeof value === 'bigint') return value >= -MAX_SAFE && value <= MAX_SAFE ? Number(value) : { $int: value.toString() };
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new SyncError('UNSENDABLE_VALUE', 500, `${where} holds ${value}, which the changeset format cannot carry; store NULL or a finite number`);
    }
    return Number.isInteger(value) ? { $real: value } : value;
  }
  return { $blob: value.toString('base64') };
}

function refuse(code: string, where: string, detail: string): never {
  throw new SyncError(code, 400, `${where}: ${detail}`);
}

/**
 * Decodes one wire value (already shape-checked by the changeset schema) to
 * the value bound to SQLite: integers as `bigint` so they stay INTEGER.
 * @throws SyncError `UNSAFE_INTEGER` (400) for a plain JSON integer beyond ±(2^53 − 1): its precision was lost in transit
 * @throws SyncError `INVALID_VALUE` (400) for a non-finite number or an `$int` outside 64 bits
 */
export function decodeValue(value: WireValue, where: string): SqlValue {
  if (value === null || typeof value === 'string') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return refuse('INVALID_VALUE', where, 'NaN and Infinity are not values');
    if (!Number.isInteger(value)) return value;
    if (!Number.isSafeInteger(value)) {
      return refuse('UNSAFE_INTEGER', where, `the integer ${value} is beyond 2^53 and lost precision as a JSON number; send it as {"$int":"<digits>"}`);
    }
    return BigInt(value);
  }
  if ('$int' in value) {
    const big = BigInt(value.$int);
    if (big < INT64_MIN || big > INT64_MAX) return refuse('INVALID_VALUE', where, `${value.$int} does not fit in a 64-bit INTEGER`);
    return big;
  }
  if ('$real' in value) {
    if (!Number.isFinite(value.$real)) return refuse('INVALID_VALUE', where, 'NaN and Infinity are not values');
    return value.$real;
  }
  return Buffer.from(value.$blob, 'base64');
}
