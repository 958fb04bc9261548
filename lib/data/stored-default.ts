import { columnAffinity, NUMERIC_TEXT } from './key-affinity';

/** A number literal (`1.0`, `-0.0`, `0x10`, `1e3`), signed or not. */
const NUMBER_LITERAL = /^[+-]?(?:0[xX][0-9a-fA-F]+|(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)$/;
/** A string literal: `'…'` (SQL), or `"…"`, which SQLite reads as a string in a DEFAULT. */
const STRING_LITERAL = /^(?:'(?:[^']|'')*'|"(?:[^"]|"")*")$/s;
/** One pair of parentheses around a DEFAULT (`DEFAULT (2)`), and the spaces inside them. */
const PARENTHESES = /^\(\s*([\s\S]*?)\s*\)$/;

/** A literal DEFAULT: its SQL (a string always single-quoted) and, for a string, its text. */
interface Literal {
  readonly sql: string;
  readonly text?: string;
}

/** The DEFAULT `dflt` (`pragma_table_info`'s `dflt_value`) when it is a number or string literal, in parentheses or not. */
function literalOf(dflt: string): Literal | undefined {
  let inner = dflt.trim();
  for (let match = PARENTHESES.exec(inner); match !== null; match = PARENTHESES.exec(inner)) inner = match[1] ?? '';
  if (NUMBER_LITERAL.test(inner)) return { sql: inner };
  if (!STRING_LITERAL.test(inner)) return undefined;
  const quote = inner.charAt(0);
  const text = inner.slice(1, -1).replaceAll(quote + quote, quote);
  return { sql: `'${text.replaceAll("'", "''")}'`, text };
}

/**
 * What an INTEGER or NUMERIC column makes of a number: a REAL that is an integer becomes the INTEGER, except
 * the REAL -2^63, which the column keeps as a REAL (only a REAL strictly between -2^63 and 2^63 is converted).
 */
function integerAffinitySql(value: string): string {
  return `CASE WHEN typeof(${value}) = 'real' AND ${value} <> -9223372036854775808 AND ${value} = CAST(${value} AS INTEGER) THEN CAST(${value} AS INTEGER) ELSE ${value} END`;
}

/**
 * The SQL of the value a column stores for its DEFAULT, when the DEFAULT is a number or string literal:
 * the literal with the column's affinity applied, as SQLite applies it when it stores the DEFAULT. A
 * column without affinity keeps it as it is; a TEXT one stores a number as its text; a REAL, INTEGER or
 * NUMERIC one stores a string that reads as a number (`'7'`, `' 1.0 '`, `'-9223372036854775808.0'`) as
 * that number, and a REAL one a number as a REAL. Undefined for no DEFAULT, or one SQL must compute
 * (an expression, `CURRENT_TIMESTAMP`), a NULL or a blob: a trigger cannot read what it stores.
 */
export function storedDefaultSql(column: { readonly type: string; readonly dflt?: string | null }): string | undefined {
  const literal = column.dflt == null ? undefined : literalOf(column.dflt);
  if (literal === undefined) return undefined;
  const value = `(${literal.sql})`;
  const affinity = columnAffinity(column);
  if (affinity === 'BLOB') return value;
  if (affinity === 'TEXT') return literal.text === undefined ? `CAST(${value} AS TEXT)` : value;
  if (literal.text !== undefined && !NUMERIC_TEXT.test(literal.text)) return value;
  if (affinity === 'REAL') return `CAST(${value} AS REAL)`;
  return integerAffinitySql(literal.text === undefined ? value : `CAST(${value} AS NUMERIC)`);
}
