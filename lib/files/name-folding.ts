/*
 * Names folded as a case-insensitive, normalising file system (macOS,
 * Windows) or a person reading them takes them: for comparing names only
 * (the file policy's database names, safe paths' names that show nothing).
 */

/**
 * Code points that show as nothing (zero-width space and joiners, BOM, word
 * joiner, bidi marks and overrides, soft hyphen, variation selectors…): a name
 * holding them looks like the name without them, to a person and to software
 * that folds them away.
 */
export const INVISIBLE = /\p{Default_Ignorable_Code_Point}/gu;

/** Combining marks, left once a name is decomposed: `b` + U+0301 reads as `b`. */
const MARKS = /\p{M}/gu;

/** Printable ASCII: nothing to normalise or fold beyond lower case. */
export const PLAIN_ASCII = /^[\x20-\x7e]*$/;

/**
 * A name folded as a case-insensitive, normalising file system (macOS,
 * Windows) or a reader may take it: compatibility forms to their letters
 * (NFKC: fullwidth `ｄ`, `ℹ`, mathematical and circled letters), full case
 * folding (lower, upper, then lower case: `ſ` long s to `s`, `ı` dotless i to `i`, `ẞ` and `ß` to `ss`,
 * the Kelvin sign to `k`), then combining marks dropped (`b` + U+0301 to `b`).
 */
export function foldedName(name: string): string {
  if (PLAIN_ASCII.test(name)) return name.toLowerCase();
  // Lower case first: a capital ẞ upper-cases to itself, and only ß upper-cases to SS.
  return name.normalize('NFKC').toLowerCase().toUpperCase().toLowerCase().normalize('NFKD').replace(MARKS, '').normalize('NFC');
}

/**
 * Reduces a name to what a file system would store, or a person would read:
 * drops an NTFS stream suffix (`app.db::$DATA`, `app.db:x`), invisible
 * (default-ignorable) code points (`app.db` + U+200B), trailing dots and
 * spaces (Windows strips them), and folds it: compatibility forms, full case
 * folding and combining marks (`app.ｄb`, `app.ſqlite`, `app.db` + U+0301 are
 * all `app.db`, `app.sqlite`; see foldedName). Only for comparing names: a
 * name is stored and sent as it is.
 */
export function canonicalFileName(name: string): string {
  const base = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  const colon = base.indexOf(':');
  const folded = foldedName(withoutTrailingDots((colon === -1 ? base : base.slice(0, colon)).replace(INVISIBLE, ''))).replace(INVISIBLE, '');
  const trimmed = withoutTrailingDots(folded);
  return trimmed === '' ? folded : trimmed; // `‥` (U+2025) folds to `..`: a name of its own, not an empty one
}

/** The name without the trailing dots and spaces Windows strips. */
function withoutTrailingDots(name: string): string {
  const last = name.charCodeAt(name.length - 1);
  return last === 0x2e || last === 0x20 ? name.replace(/[. ]+$/, '') : name;
}
