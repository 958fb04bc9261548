import picomatch from 'picomatch';
import { refuseUnknownOptions, stringList } from '../option-checks';
import { canonicalFileName, foldedName, INVISIBLE, PLAIN_ASCII } from './name-folding';
import { isTokenFileName } from './token-file-names';

export { canonicalFileName } from './name-folding';

/** Database extensions refused by name, each also with `-wal`, `-shm` and `-journal`. */
export const DATABASE_EXTENSIONS: readonly string[] = ['.db', '.sqlite', '.sqlite3', '.db3', '.s3db', '.sl3'];

/** The suffix of the file express-sqlite-sync keeps beside a database: the last mark it served (docs/PROTOCOL.md, "Identity"). */
export const SERVED_MARK_SUFFIX = '-syncmark';

/** Suffixes of a database's side files: SQLite's own, and express-sqlite-sync's served-mark file. */
export const DATABASE_SIDE_SUFFIXES: readonly string[] = ['', '-wal', '-shm', '-journal', SERVED_MARK_SUFFIX];

/** File names refused whatever their extension, unless the caller replaces this list. */
export const DEFAULT_DATABASE_FILE_NAMES: readonly string[] = ['app.db', 'database.db', 'scouting.db'];

/** Bytes needed to recognise every database header this module knows. */
export const DATABASE_HEADER_BYTES = 16;

const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');
const WAL_MAGICS: readonly number[] = [0x377f0682, 0x377f0683];
const JOURNAL_MAGIC = Buffer.from([0xd9, 0xd5, 0x05, 0xf9, 0x20, 0xa1, 0x63, 0xd7]);
/** The WAL-index (`-shm`) version number, stored in native byte order at offset 0. */
const SHM_VERSION = 3007000;

/** The option names {@link createFilePolicy} knows; any other is refused (a typo must not switch a rule off). */
const POLICY_OPTIONS: ReadonlySet<string> = new Set(['databaseFileNames', 'extraPatterns']);

/** Options of {@link createFilePolicy}. */
export interface FilePolicyOptions {
  /**
   * Exact file names (case-insensitive) that are databases whatever their extension.
   * @defaultValue {@link DEFAULT_DATABASE_FILE_NAMES}
   */
  readonly databaseFileNames?: readonly string[];
  /**
   * Extra picomatch globs (case-insensitive) for files never to sync, matched
   * against the path relative to its root and against the base name, folded as
   * the built-in names are (the pattern too: `**\/Straße.json` refuses
   * `STRASSE.json`). They add to the built-in rules; nothing can remove those.
   * @defaultValue `[]`
   */
  readonly extraPatterns?: readonly string[];
}

/** Decides whether a file is a database file, by name and by content. */
export interface FilePolicy {
  /**
   * True when any segment of `relativePath` (a folder on the way as much as
   * the file) is a database name, or the path matches an extra pattern: a
   * folder named `app.db-journal` or `app.db` stops SQLite from opening
   * `app.db`, so it is refused like the file.
   */
  isDatabaseName(relativePath: string): boolean;
  /** True when `header` (the first bytes of a file) is SQLite, WAL or journal content. */
  isDatabaseContent(header: Uint8Array): boolean;
  /**
   * The configured extra pattern that refuses `relativePath` when no built-in
   * rule does (so a refusal can name the operator's pattern, not call the file
   * a database); undefined otherwise. Optional: a policy without it is refused
   * with the database-name message.
   */
  refusingPattern?(relativePath: string): string | undefined;
}

const EXTENSION_SET: ReadonlySet<string> = new Set(DATABASE_EXTENSIONS);
const SIDE_SUFFIXES = DATABASE_SIDE_SUFFIXES.filter((suffix) => suffix !== '');

/**
 * SQLite's super-journal (`<database>-mj` then six hex digits, `9`, two hex
 * digits): written beside the main database while a transaction over attached
 * databases commits in rollback-journal mode, and left there by a crash for the
 * recovery, which the child journals name. Deleted or replaced by a sync, the
 * recovery would leave the half-committed transaction in place.
 */
const SUPER_JOURNAL_SUFFIX = /-mj[0-9a-f]{6}9[0-9a-f]{2}$/i;

/**
 * The side-file suffix a name ends with (`-wal`, `-shm`, `-journal`, `-syncmark`,
 * a super-journal's `-mj…`), with nothing before it counted; undefined for none.
 */
export function sideFileSuffix(name: string): string | undefined {
  const lower = name.toLowerCase();
  const fixed = SIDE_SUFFIXES.find((suffix) => lower.endsWith(suffix) && lower.length > suffix.length);
  if (fixed !== undefined) return fixed;
  const superJournal = SUPER_JOURNAL_SUFFIX.exec(lower);
  return superJournal !== null && superJournal.index > 0 ? superJournal[0] : undefined;
}

/**
 * Where the side-file suffix of `name` starts, compared folded (see
 * canonicalFileName: `store-ſhm`, `store-ＷAL` are `store`'s side files on a
 * case-insensitive disk); undefined when it has none.
 * @returns an index into `name` itself, so `name.slice(0, index)` is the database's own name
 */
export function sideFileStart(name: string): number | undefined {
  const suffix = sideFileSuffix(foldedName(name));
  if (suffix === undefined) return undefined;
  if (PLAIN_ASCII.test(name)) return name.length - suffix.length;
  for (let start = name.length - 1; start > 0; start -= 1) if (foldedName(name.slice(start)) === suffix) return start;
  return undefined;
}

/** The name without a side-file suffix (see {@link sideFileSuffix}). */
function withoutSideSuffix(canonical: string): string {
  const suffix = sideFileSuffix(canonical);
  return suffix === undefined ? canonical : canonical.slice(0, canonical.length - suffix.length);
}

/** The built-in rules: `.lock`, the database extensions and the named files, each with their side files; and the sync token file and its copies (see isTokenFileName). */
function isBuiltInDatabaseName(canonical: string, names: ReadonlySet<string>): boolean {
  if (canonical.endsWith('.lock') || isTokenFileName(canonical)) return true;
  const main = withoutSideSuffix(canonical);
  const dot = main.lastIndexOf('.');
  return (dot !== -1 && EXTENSION_SET.has(main.slice(dot))) || names.has(main);
}

/** True when the first bytes are an SQLite database, WAL, WAL-index (`-shm`) or rollback-journal header. */
export function isDatabaseHeader(header: Uint8Array): boolean {
  const bytes = Buffer.from(header.buffer, header.byteOffset, header.byteLength);
  if (bytes.length >= SQLITE_HEADER.length && bytes.subarray(0, SQLITE_HEADER.length).equals(SQLITE_HEADER)) return true;
  if (bytes.length >= 4 && WAL_MAGICS.includes(bytes.readUInt32BE(0))) return true;
  if (bytes.length >= 4 && (bytes.readUInt32LE(0) === SHM_VERSION || bytes.readUInt32BE(0) === SHM_VERSION)) return true;
  return bytes.length >= JOURNAL_MAGIC.length && bytes.subarray(0, JOURNAL_MAGIC.length).equals(JOURNAL_MAGIC);
}

/**
 * Refuses a negated pattern (`!*.db`, also `！*.db` with a fullwidth `！` or one
 * with an invisible code point before `!`, which fold to it): as a database pattern it would make
 * every file that does not match a database, so nothing would sync, silently.
 * @param option - the option's name as the caller knows it
 * @throws TypeError naming the option and the pattern
 */
export function refuseNegatedPatterns(patterns: readonly string[], option: string): void {
  // Folded too (see foldedMatcher): a fullwidth `！`, or an invisible code point before `!`, is a `!` there.
  const negated = patterns.find((pattern) => pattern.startsWith('!') || negatedOnceFolded(pattern));
  if (negated === undefined) return;
  throw new TypeError(
    `express-sqlite-sync: \`${option}\` holds ${JSON.stringify(negated)}, a negated pattern: it would make every file that does not match ${JSON.stringify(negated.replace(/^!+/, ''))} a database file, so none would sync; list only the names to refuse (the built-in rules always apply)`,
  );
}

/**
 * Builds the database-file policy. The built-in extension, side-file, `.lock`,
 * sync-token-file (`.sync-token` and its copies) and header rules always apply; options can only add to them.
 * @throws TypeError when an option is not an array of non-empty strings, for a negated pattern (see {@link refuseNegatedPatterns}), or for an unknown option (`extraDatabasePatterns` is the router's name; here it is `extraPatterns`)
 */
export function createFilePolicy(options: FilePolicyOptions = {}): FilePolicy {
  refuseUnknownOptions(options, POLICY_OPTIONS, 'createFilePolicy');
  const names = new Set(
    stringList(options.databaseFileNames ?? DEFAULT_DATABASE_FILE_NAMES, 'databaseFileNames').map(canonicalFileName),
  );
  const patterns = stringList(options.extraPatterns ?? [], 'extraPatterns');
  refuseNegatedPatterns(patterns, 'extraPatterns');
  const matchers = patterns.map((pattern) => ({ pattern, matches: picomatch(pattern, { nocase: true, dot: true }), folded: foldedMatcher(pattern) }));
  const builtIn = (relativePath: string): boolean =>
    // No name at all is refused as one; a name that shows nothing (`\u200b`) is no database name: paths refuse it as BAD_PATH.
    relativePath === '' || segmentsOf(relativePath).some((segment) => isBuiltInDatabaseName(canonicalFileName(segment), names));
  const extraPattern = (relativePath: string): string | undefined => {
    if (matchers.length === 0) return undefined;
    const canonical = segmentsOf(relativePath).map(canonicalFileName);
    const forms = [canonical.join('/'), ...canonical];
    return matchers.find(({ matches, folded }) => matches(relativePath) || forms.some((form) => matches(form) || folded(form)))?.pattern;
  };
  return {
    isDatabaseName: (relativePath: string): boolean => builtIn(relativePath) || extraPattern(relativePath) !== undefined,
    isDatabaseContent: isDatabaseHeader,
    refusingPattern: (relativePath: string): string | undefined => (builtIn(relativePath) ? undefined : extraPattern(relativePath)),
  };
}

/** Characters picomatch reads as structure (groups, classes, braces, extglobs, escapes): all its glob syntax but the wildcards `*` and `?`. */
const GLOB_STRUCTURE = /[()[\]{}!@+|\\,]/g;

/**
 * A pattern folded as names are, invisible code points removed (see foldedMatcher),
 * one code point at a time. A character outside ASCII that folds to a wildcard
 * (fullwidth `＊ ？`) is one, as its writer meant; one that folds to other glob
 * syntax (fullwidth `（ ）［ ］｛ ｝！`, common in Japanese names) stays a literal
 * character, escaped, so `report（1）.json` never becomes the group `report(1).json`.
 */
function foldedPattern(pattern: string): string {
  let folded = '';
  for (const char of pattern.replace(INVISIBLE, '')) {
    folded += char.charCodeAt(0) < 0x80 ? char.toLowerCase() : foldedName(char).replace(GLOB_STRUCTURE, '\\$&');
  }
  return folded;
}

/** True when a pattern reads as negated once folded: `!`, or `！` (fullwidth) or an invisible code point before it. */
function negatedOnceFolded(pattern: string): boolean {
  return foldedName(pattern.replace(INVISIBLE, '')).startsWith('!');
}

/**
 * The matcher of a pattern folded as names are (see foldedName: `Straße` is `strasse`, fullwidth
 * `Ｓｅｃｒｅｔｓ` is `secrets`, `é` is `e`; invisible code points removed), for the folded names: a
 * pattern written with letters outside ASCII matches what a case-insensitive disk or a reader
 * takes as its names. Never for the path as written (the pattern as given matches that).
 */
function foldedMatcher(pattern: string): (name: string) => boolean {
  const folded = foldedPattern(pattern);
  if (folded === pattern.toLowerCase()) return () => false; // plain ASCII: the pattern as given already matches the folded names
  return picomatch(folded, { nocase: true, dot: true });
}

/** The non-empty segments of a path split at `/` and `\\`. */
function segmentsOf(relativePath: string): string[] {
  return relativePath.split(/[/\\]/).filter((segment) => segment !== '');
}
