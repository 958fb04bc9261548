import type { TextEncoding } from '../../lib/data/values';

/** The bytes a database of `encoding` holds for a string. */
export function encodedAs(text: string, encoding: TextEncoding): Buffer {
  if (encoding === 'UTF-8') return Buffer.from(text, 'utf8');
  const bytes = Buffer.from(text, 'utf16le');
  return encoding === 'UTF-16be' ? bytes.swap16() : bytes;
}

/** A TEXT's characters as its stored bytes (`hex(value)`) spell them, lone surrogates and all, for a database of `encoding`. */
export function spelled(hex: string, encoding: TextEncoding): string {
  const bytes = Buffer.from(hex, 'hex');
  if (encoding === 'UTF-8') return bytes.toString('utf8');
  return (encoding === 'UTF-16be' ? Buffer.from(bytes).swap16() : bytes).toString('utf16le');
}
