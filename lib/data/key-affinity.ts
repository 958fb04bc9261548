import { SyncError } from '../sync-error';
import type { TrackedColumn } from './tracked-table';
import { replacedInUtf16 } from './utf16-text';
import { TextBytes, type SqlValue, type TextEncoding } from './values';

/** SQLite's type affinity of a declared column type (https://sqlite.org/datatype3.html, 3.1). */
export type Affinity = 'INTEGER' | 'TEXT' | 'BLOB' | 'REAL' | 'NUMERIC';

/** Affinities already worked out, by declared type (a table has few). */
const known = new Map<string, Affinity>();

function affinityOf(declared: string): Affinity {
  let affinity = known.get(declared);
  if (affinity === undefined) {
    affinity = affinityOfType(declared.toUpperCase());
    known.set(declared, affinity);
  }
  return affinity;
}

function affinityOfType(type: string): Affinity {
  // ANY keeps every value as it is in a STRICT table (NUMERIC otherwise): never refuse what an honest peer read back.
  if (type === 'ANY') return 'BLOB';
  if (type.includes('INT')) return 'INTEGER';
  if (type.includes('CHAR') || type.includes('CLOB') || type.includes('TEXT')) return 'TEXT';
  if (type.includes('BLOB') || type === '') return 'BLOB';
  if (type.includes('REAL') || type.includes('FLOA') || type.includes('DOUB')) return 'REAL';
  return 'NUMERIC';
}

/** The type affinity of a column, from its declared type (`BLOB` for none). */
export function columnAffinity(column: { readonly type: string }): Affinity {
  return affinityOf(column.type);
}

/**
 * True when a key column has no type affinity (no declared type, `BLOB`, or `ANY`): it holds the INTEGER 1
 * and the REAL 1.0 (0 and -0.0) as one key, each in the storage class it was written with.
 */
export function keepsKeyForms(column: TrackedColumn): boolean {
  return affinityOf(column.type) === 'BLOB';
}

/** -2^63: the one REAL with an integral value that a column with INTEGER or NUMERIC affinity keeps as a REAL while it equals an INTEGER. */
const INT64_MIN = -(2n ** 63n);

/**
 * True when two servers may store this key value in two forms that name one row: a number in a key
 * column without affinity (`1` and `1.0`, see {@link keepsKeyForms}), or -2^63 in one with INTEGER or
 * NUMERIC affinity, which stores the REAL -2^63 (a JavaScript number `-9223372036854775808`) as a
 * REAL, equal to the INTEGER -2^63. The merge then gives the key the form of the row's earliest birth.
 */
export function keyFormsMayDiffer(column: TrackedColumn, value: SqlValue | undefined): boolean {
  const affinity = affinityOf(column.type);
  if (affinity === 'BLOB') return typeof value === 'number' || typeof value === 'bigint';
  return (affinity === 'INTEGER' || affinity === 'NUMERIC') && (value === INT64_MIN || value === Number(INT64_MIN));
}

/** TEXT that a numeric affinity turns into a number (a well-formed integer or real literal; SQLite allows ASCII spaces around it, no others). */
export const NUMERIC_TEXT = /^[ \t\n\v\f\r]*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?[ \t\n\v\f\r]*$/;

/** The part of a text SQLite reads as a number: up to its first NUL (it stops there: `'5\0x'` is stored as 5). */
function beforeNul(text: string): string {
  const end = text.indexOf('\0');
  return end < 0 ? text : text.slice(0, end);
}

/**
 * False for numeric text (see {@link conversion}) that a database of `encoding` still stores as TEXT. A UTF-8
 * database reads a number up to the first NUL whatever follows; a UTF-16 one reads none from text holding a
 * character beyond U+00FF anywhere (SQLite gives up at its first such character: `'5\0ā'` stays TEXT) or
 * from TEXT that is not UTF-16 (a lone surrogate is one).
 */
export function readsNumber(text: SqlValue, encoding: TextEncoding): boolean {
  if (encoding === 'UTF-8') return true;
  return typeof text === 'string' && !/[\u0100-\uffff]/.test(text);
}

/** 2^63: a REAL with an integral value strictly between -2^63 and 2^63 is stored as an INTEGER by an INTEGER or NUMERIC column. */
const INT64_LIMIT = 2 ** 63;

/**
 * The storage class a column of `affinity` would store `value` in, when it is another one (`'TEXT'`, `'REAL'`,
 * `'INTEGER'`, or `'a number'` for numeric text); undefined when the value is stored as sent.
 */
export function conversion(affinity: Affinity, value: SqlValue): string | undefined {
  if (affinity === 'TEXT') return typeof value === 'bigint' || typeof value === 'number' ? 'TEXT' : undefined;
  if (affinity === 'BLOB') return undefined;
  if (typeof value === 'string') return NUMERIC_TEXT.test(beforeNul(value)) ? 'a number' : undefined;
  if (value instanceof TextBytes) return NUMERIC_TEXT.test(beforeNul(value.text ?? value.bytes.toString('latin1'))) ? 'a number' : undefined;
  if (affinity === 'REAL') return typeof value === 'bigint' ? 'REAL' : undefined;
  return typeof value === 'number' && Number.isInteger(value) && value > -INT64_LIMIT && value < INT64_LIMIT ? 'INTEGER' : undefined;
}

/**
 * Refuses a key value that the key column's affinity would store as another
 * value (an INTEGER `5` in a TEXT key is stored as `'5'`): the clocks would
 * be kept under one key and the row under another, two identities for one
 * row. Capture always sends keys as they are stored, so only a hand-made page
 * meets this. TEXT that is not valid UTF-8 (`$text`) is refused in every key
 * (no sender sends it: such a key is `UNSENDABLE_VALUE` there). Numeric text
 * that the receiving database keeps as TEXT is taken (see {@link readsNumber}:
 * `'5\0ā'` in a NUMERIC key of a UTF-16 database, which stores it as sent). A
 * UTF-16 database refuses a key holding U+FFFE or U+FFFF (it would store U+FFFD).
 * @param where - names the change in a message (called only to refuse: building it for every key is costly)
 * @param encoding - the receiving database's text encoding
 * @throws SyncError `INVALID_VALUE` (400)
 */
export function checkKeyValue(column: TrackedColumn, value: SqlValue, where: () => string, encoding: TextEncoding): void {
  if (value instanceof TextBytes) {
    // A composite key is kept in the metadata as quote() of its bound values, which writes these bytes as a BLOB: two identities.
    throw new SyncError('INVALID_VALUE', 400, `${where()}: the key column ${column.name} is sent TEXT that is not valid UTF-8 ($text); key values must be valid text, numbers or blobs`);
  }
  if (encoding !== 'UTF-8' && replacedInUtf16(value)) {
    // The metadata and the table would hold U+FFFD: another key than the sender's, and one two keys of a UTF-8 server may share.
    throw new SyncError('INVALID_VALUE', 400, `${where()}: the key column ${column.name} is sent text holding U+FFFE or U+FFFF, which this ${encoding} database stores as U+FFFD (another key); keep these characters out of keys, or keep the fleet on UTF-8 databases`);
  }
  const becomes = conversion(affinityOf(column.type), value);
  if (becomes === undefined || (becomes === 'a number' && !readsNumber(value, encoding))) return;
  throw new SyncError('INVALID_VALUE', 400, `${where()}: the key column ${column.name} (${column.type || 'no type'}) would store this value as ${becomes}; send key values as the table stores them`);
}
