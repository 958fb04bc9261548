import { SyncError } from '../sync-error';

/**
 * TEXT whose bytes are not valid UTF-8 (the `sqlite3` shell writes it happily:
 * `'x' || char(55357)`). JavaScript strings cannot hold such bytes, so they
 * travel as they are, tagged, and are written back with `CAST(? AS TEXT)`.
 */
export class TextBytes {
  /** The exact bytes SQLite holds. */
  readonly bytes: Buffer;
  /**
   * The valid string these bytes are, when they are written as bytes only to land as that string: text holding
   * U+FFFE or U+FFFF in a UTF-16 database (see `keptInUtf16`). It travels, compares and names a row as that
   * string. Undefined for TEXT that is not valid UTF-8.
   */
  readonly text: string | undefined;
  /**
   * @param bytes - the bytes of the TEXT value
   * @param text - the valid string they are in this database, when there is one (see {@link text})
   */
  constructor(bytes: Buffer, text?: string) {
    this.bytes = bytes;
    this.text = text;
  }
}

/** A value as read with `safeIntegers(true)`: the five SQLite storage classes, and TEXT that is not valid UTF-8. */
export type SqlValue = null | bigint | number | string | Buffer | TextBytes;

/**
 * A value on the wire. Plain JSON carries NULL, valid-UTF-8 TEXT, safe INTEGERs
 * and non-integral finite REALs; the rest is tagged so every value round-trips
 * byte for byte: `{"$int":"9007199254740993"}` for integers beyond ±(2^53 − 1),
 * `{"$real":1}` for a REAL whose value is integral, `{"$real":"-0"}` for a
 * negative zero, `{"$real":"Infinity"}` and `{"$real":"-Infinity"}` for the
 * infinities a REAL column can hold (JSON has no literal for them),
 * `{"$blob":"<base64>"}` for a BLOB, `{"$text":"<base64>"}` for TEXT that is
 * not valid UTF-8. SQLite stores no NaN (it writes NULL instead).
 */
export type WireValue =
  | null
  | string
  | number
  | { readonly $int: string }
  | { readonly $real: number | '-0' | 'Infinity' | '-Infinity' }
  | { readonly $blob: string }
  | { readonly $text: string };

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/**
 * Encodes one SQLite value for the wire.
 * @param where - names the cell in the error message, e.g. `teams.rating`
 * @throws SyncError `UNSENDABLE_VALUE` (500) for NaN, which no SQLite column holds (it stores NULL)
 */
export function encodeValue(value: SqlValue, where: string): WireValue {
  return encodeCell(value, where, undefined);
}

/** A row's metadata key as a message names it: `"t1"`, `42`, `x'00ff'`, or a composite key's quoted parts. */
function keyInWords(key: SqlValue): string {
  if (typeof key === 'string') return JSON.stringify(key);
  if (Buffer.isBuffer(key)) return `x'${key.toString('hex')}'`;
  return String(key);
}

/**
 * Encodes one SQLite value of `table`.`column` for the wire, as
 * {@link encodeValue} does; the cell's name is put together only when the
 * value is refused (the reader encodes every cell of a page).
 * @param key - the row's metadata key, named in a refusal so the row can be found
 * @throws SyncError `UNSENDABLE_VALUE` (500) for NaN, which no SQLite column holds
 */
export function encodeCell(value: SqlValue, table: string, column: string | undefined, key?: SqlValue): WireValue {
  if (value === null || typeof value === 'string') return value;
  if (typeof value === 'bigint') return value >= -MAX_SAFE && value <= MAX_SAFE ? Number(value) : { $int: value.toString() };
  if (typeof value === 'number') {
    if (value === Infinity) return { $real: 'Infinity' };
    if (value === -Infinity) return { $real: '-Infinity' };
    if (Number.isNaN(value)) {
      const where = `${column === undefined ? table : `${table}.${column}`}${key === undefined ? '' : ` (the row of key ${keyInWords(key)})`}`;
      throw new SyncError('UNSENDABLE_VALUE', 500, `${where} holds ${value}, which the changeset format cannot carry; store NULL or a finite number`);
    }
    if (Object.is(value, -0)) return { $real: '-0' };
    return Number.isInteger(value) ? { $real: value } : value;
  }
  if (value instanceof TextBytes) return value.text ?? { $text: value.bytes.toString('base64') };
  return { $blob: value.toString('base64') };
}

function refuse(code: string, where: string, detail: string): never {
  throw new SyncError(code, 400, `${where}: ${detail}`);
}

/** `String.prototype.isWellFormed` (Node 20; ES2024, newer than this package's `lib`). */
type MaybeWellFormed = string & { isWellFormed(): boolean };

/**
 * A JSON string is text only when it holds no lone UTF-16 surrogate (`"\ud800"`):
 * such a string has no UTF-8 form, SQLite would store bytes that are not
 * UTF-8 (a key no page could carry again). Text that is not UTF-8 travels as `$text`.
 * @throws SyncError `INVALID_VALUE` (400) for a string with a lone surrogate
 */
export function checkText(value: string, where: string): string {
  if ((value as MaybeWellFormed).isWellFormed()) return value;
  return refuse('INVALID_VALUE', where, 'a string holds a lone UTF-16 surrogate, which is not text; send TEXT that is not valid UTF-8 as {"$text":"<base64 of its bytes>"}');
}

/**
 * Decodes one wire value (already shape-checked by the changeset schema) to
 * the value bound to SQLite: integers as `bigint` so they stay INTEGER.
 * @throws SyncError `UNSAFE_INTEGER` (400) for a plain JSON integer beyond ±(2^53 − 1): its precision was lost in transit
 * @throws SyncError `INVALID_VALUE` (400) for a non-finite number or an `$int` outside 64 bits
 */
export function decodeValue(value: WireValue, where: string): SqlValue {
  if (value === null) return value;
  if (typeof value === 'string') return checkText(value, where);
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
    if (value.$real === '-0') return -0;
    if (value.$real === 'Infinity') return Infinity;
    if (value.$real === '-Infinity') return -Infinity;
    if (!Number.isFinite(value.$real)) return refuse('INVALID_VALUE', where, 'NaN and Infinity are not values; send an infinite REAL as {"$real":"Infinity"} or {"$real":"-Infinity"}');
    return value.$real;
  }
  if ('$text' in value) return textFromBytes(Buffer.from(value.$text, 'base64'));
  return Buffer.from(value.$blob, 'base64');
}

/** A database's text encoding, as `PRAGMA encoding` names it. */
export type TextEncoding = 'UTF-8' | 'UTF-16le' | 'UTF-16be';

/** The bytes a database of `encoding` stores for a valid string (a UTF-16 one: when written as these bytes, see `keptInUtf16`). */
export function encodedAs(text: string, encoding: TextEncoding): Buffer {
  if (encoding === 'UTF-8') return Buffer.from(text, 'utf8');
  const bytes = Buffer.from(text, 'utf16le');
  return encoding === 'UTF-16be' ? bytes.swap16() : bytes;
}

/**
 * TEXT from its bytes: a string when they are valid UTF-8, else {@link TextBytes}.
 * @param read - the string better-sqlite3 read for these bytes, in a database of `encoding`: a
 * UTF-16 database stores a valid string holding U+FFFD as its UTF-16 bytes, which are no UTF-8
 * (sent as `$text`, they became other text on every peer: `x�` as `x\0��` in a UTF-8 one)
 */
export function textFromBytes(bytes: Buffer, read?: string, encoding: TextEncoding = 'UTF-8'): string | TextBytes {
  if (read !== undefined && encoding !== 'UTF-8' && encodedAs(read, encoding).equals(bytes)) return read;
  const text = bytes.toString('utf8');
  return Buffer.from(text, 'utf8').equals(bytes) ? text : new TextBytes(bytes);
}

/** True when SQLite may hold other bytes than this string says: better-sqlite3 turns bytes that are not UTF-8 into U+FFFD. */
export function mayHideBytes(value: SqlValue): value is string {
  return typeof value === 'string' && value.includes('\uFFFD');
}

/** The SQL placeholder for a value: `CAST(? AS TEXT)` for {@link TextBytes}, else `?`. */
export function placeholderOf(value: SqlValue): string {
  return value instanceof TextBytes ? 'CAST(? AS TEXT)' : '?';
}

/** The parameter bound for a value (the bytes of a {@link TextBytes}). */
export function bindable(value: SqlValue): null | bigint | number | string | Buffer {
  return value instanceof TextBytes ? value.bytes : value;
}

/** The positions holding {@link TextBytes}, as a key to pick a statement variant; `''` for none. */
export function textBytesKey(values: readonly SqlValue[]): string {
  let key = '';
  values.forEach((value, index) => {
    if (value instanceof TextBytes) key += `${index},`;
  });
  return key;
}
