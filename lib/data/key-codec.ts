import type { SqlValue } from './values';

/**
 * Composite primary keys are stored in the sync metadata as the text SQLite's
 * `quote()` gives for each key column, joined by commas (a trigger can build
 * it in plain SQL; TEXT holding a NUL character as `TX'<hex>'`, since quote()
 * cuts it there). This parses that text back to values.
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
  if ((first === 'X' || first === 'x') && text[at + 1] === "'") return readHex(text, at + 2);
  if (first === 'T' && text[at + 1] === 'X' && text[at + 2] === "'") {
    const [bytes, end] = readHex(text, at + 3);
    return [bytes.toString('utf8'), end]; // TEXT holding a NUL character (see keyPartSql)
  }
  let end = text.indexOf(',', at);
  if (end === -1) end = text.length;
  const literal = text.slice(at, end);
  if (literal === 'NULL') return [null, end];
  if (/^-?\d+$/.test(literal)) return [BigInt(literal), end];
  return [Number(literal), end];
}

function readHex(text: string, at: number): [Buffer, number] {
  const close = text.indexOf("'", at);
  return [Buffer.from(text.slice(at, close), 'hex'), close + 1];
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
