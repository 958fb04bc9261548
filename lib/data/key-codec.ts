import type { SqlValue } from './values';

/**
 * Composite primary keys are stored in the sync metadata as the text SQLite's
 * `quote()` gives for each key column, joined by commas (a trigger can build
 * it in plain SQL; TEXT holding a NUL character as `J` and its JSON string,
 * since quote() cuts it there). This parses that text back to values.
 * @throws Error when the text is not such a list (a corrupted metadata row)
 */
export function parseQuotedKey(text: string): SqlValue[] {
  const values: SqlValue[] = [];
  let at = 0;
  while (at < text.length) {
    const [value, end] = readLiteral(text, at);
    values.push(value);
    if (end < text.length && text[end] !== ',') throw new Error(`bad key text at ${end}: ${text}`);
    at = end + 1;
  }
  return values;
}

function readLiteral(text: string, at: number): [SqlValue, number] {
  const first = text[at];
  if (first === "'") return readText(text, at + 1);
  if ((first === 'X' || first === 'x') && text[at + 1] === "'") {
    const close = text.indexOf("'", at + 2);
    return [Buffer.from(text.slice(at + 2, close), 'hex'), close + 1];
  }
  if (first === 'J' && text[at + 1] === '"') return readJsonText(text, at + 1); // TEXT holding a NUL character (see keyPartSql)
  let end = text.indexOf(',', at);
  if (end === -1) end = text.length;
  const literal = text.slice(at, end);
  if (literal === 'NULL') return [null, end];
  if (/^-?\d+$/.test(literal)) return [BigInt(literal), end];
  return [Number(literal), end];
}

function readJsonText(text: string, quote: number): [string, number] {
  let index = quote + 1;
  while (index < text.length && text[index] !== '"') index += text[index] === '\\' ? 2 : 1;
  if (index >= text.length) throw new Error(`unterminated text in key: ${text}`);
  return [JSON.parse(text.slice(quote, index + 1)) as string, index + 1];
}

function readText(text: string, at: number): [string, number] {
  let out = '';
  let index = at;
  for (;;) {
    const quote = text.indexOf("'", index);
    if (quote === -1) throw new Error(`unterminated text in key: ${text}`);
    out += text.slice(index, quote);
    if (text[quote + 1] === "'") {
      out += "'";
      index = quote + 2;
    } else return [out, quote + 1];
  }
}
