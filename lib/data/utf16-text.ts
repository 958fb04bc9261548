import { encodedAs, TextBytes, type SqlValue, type TextEncoding } from './values';

/**
 * U+FFFE and U+FFFF: a UTF-16 database (`PRAGMA encoding`) stores each as U+FFFD when it is written as a
 * bound string, in the table and the metadata alike (SQLite turns the UTF-8 that better-sqlite3 binds into
 * UTF-16, and replaces them on the way). Its UTF-16 code units written with `CAST(? AS TEXT)` land as they are.
 */
const REPLACED_IN_UTF16 = /[\uFFFE\uFFFF]/;

/** True when a UTF-16 database stores this string, written as a bound string, as another one (see {@link REPLACED_IN_UTF16}). */
export function replacedInUtf16(value: SqlValue | undefined): value is string {
  return typeof value === 'string' && REPLACED_IN_UTF16.test(value);
}

/**
 * A decoded row's values as a UTF-16 database must write them to hold what was sent: a string holding U+FFFE
 * or U+FFFF becomes {@link TextBytes} of its UTF-16 code units in the database's byte order, which
 * `CAST(? AS TEXT)` writes unchanged and better-sqlite3 reads back as the string sent (it travels and
 * compares as that string: `TextBytes.text`). A merge that wrote the
 * string left U+FFFD in a UTF-16 database where a UTF-8 one holds the character under the same clock, and the
 * servers differed for good. Call only for a UTF-16 database: a UTF-8 one stores every valid string as sent.
 * @returns `values` itself when it holds no such string (the common case), else a copy
 */
export function keptInUtf16(values: readonly (SqlValue | undefined)[], encoding: TextEncoding): readonly (SqlValue | undefined)[] {
  let kept: (SqlValue | undefined)[] | undefined;
  values.forEach((value, index) => {
    if (!replacedInUtf16(value)) return;
    kept ??= [...values];
    kept[index] = new TextBytes(encodedAs(value, encoding), value);
  });
  return kept ?? values;
}
