import { canonicalFileName } from './name-folding';

/*
 * The sync token file by name: `.sync-token` (the sample app's `DATA_DIR/.sync-token`) and the copies of
 * it that hold the same secret. The file policy refuses them as it refuses database names
 * (lib/files/file-policy.ts), so a data folder placed inside a sync root never lists, serves or takes them.
 */

/**
 * The file a sync token is kept in (the sample app's `DATA_DIR/.sync-token`): refused by
 * name wherever it is, as a database name is, so a data folder placed inside a sync root
 * never lists, serves or takes the server's secret.
 */
export const TOKEN_FILE_NAME = '.sync-token';

/**
 * {@link TOKEN_FILE_NAME} and the copies of it that hold the same secret, as canonical names: a backup or an
 * editor's leftover (`.sync-token` then anything that starts with a character other than a letter or digit:
 * `.sync-token.bak`, `.sync-token~`, `.sync-token.swp`, `.sync-token.~1~`, `.sync-token-old`,
 * `.sync-token copy`), or Emacs's lock and auto-save files (`.#.sync-token`, `#.sync-token#`).
 */
const TOKEN_FILE_AND_COPIES = /^(?:\.#|#)?\.sync-token(?:[^\p{L}\p{N}].*)?$/su;

/** True when `canonical` (a name as canonicalFileName leaves it) is {@link TOKEN_FILE_NAME} or a copy of it ({@link TOKEN_FILE_AND_COPIES}). */
export function isTokenFileName(canonical: string): boolean {
  return TOKEN_FILE_AND_COPIES.test(canonical);
}

/**
 * True when a segment of `relativePath` is {@link TOKEN_FILE_NAME} or a copy of it (`.sync-token.bak`,
 * `.sync-token~`, `.#.sync-token` …), compared as database names are (case, invisible code points, folding).
 */
export function namesTokenFile(relativePath: string): boolean {
  return nameSegments(relativePath).some((segment) => isTokenFileName(canonicalFileName(segment)));
}

/** True when {@link namesTokenFile} is, and no segment is {@link TOKEN_FILE_NAME} itself: the path names a copy of it. */
export function namesTokenFileCopy(relativePath: string): boolean {
  const names = nameSegments(relativePath).map(canonicalFileName);
  return !names.includes(TOKEN_FILE_NAME) && names.some(isTokenFileName);
}

/** The non-empty segments of a path, split at `/` or `\\`. */
function nameSegments(relativePath: string): string[] {
  return relativePath.split(/[/\\]/).filter((segment) => segment !== '');
}
