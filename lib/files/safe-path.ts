import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { shellWord } from '../shell-word';
import { canonicalFileName } from './name-folding';
import { isInside, realpathOfExisting } from './existing-realpath';
import { SyncError } from '../sync-error';

/** Longest client path accepted, in characters. */
export const MAX_PATH_LENGTH = 1024;
/** Longest single path segment accepted, in UTF-8 bytes (most file systems allow 255). */
export const MAX_SEGMENT_BYTES = 255;
/** Marker in the names of our own temp files; such names are never listed nor addressable. */
export const TEMP_FILE_MARKER = '.sync-tmp-';

/** A client path resolved inside one sync root. */
export interface ResolvedSyncPath {
  /** The root's name, the first segment of the client path. */
  readonly root: string;
  /** The root's directory on disk, absolute. */
  readonly rootDir: string;
  /** The rest of the client path, `/`-separated, `''` for the root itself. */
  readonly relative: string;
  /** The absolute path on disk. */
  readonly absolute: string;
  /**
   * Where a symbolic link on the way leads, relative to the root and
   * `/`-separated (`store.db` for `alias.txt -> store.db`); undefined when no
   * link is on the way (it would equal `relative`). Name rules apply to it as
   * to `relative`: a link must not give a database a name that passes them.
   */
  readonly linked?: string;
}

// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const FORBIDDEN_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\\<>:"|?*]/;
/**
 * Names Windows opens as a device, not a file: CON, PRN, AUX, NUL, COM0-9 and
 * LPT0-9 (also with the superscript digits ¹ ² ³, which it takes for digits),
 * CONIN$ and CONOUT$; with any extension, also after spaces (`nul .txt`).
 */
const WINDOWS_DEVICE = /^(con|prn|aux|nul|conin\$|conout\$|com[0-9\u00b9\u00b2\u00b3]|lpt[0-9\u00b9\u00b2\u00b3]) *(\..*)?$/i;

function badPath(reason: string): SyncError {
  return new SyncError('BAD_PATH', 400, `bad path: ${reason}`);
}

/** Errors of a file system that refuses this server's user (permissions), not the path. */
export const NOT_PERMITTED: ReadonlySet<string> = new Set(['EACCES', 'EPERM']);

/**
 * The refusal of a file (or a folder on its path) this server's user may not
 * read or enter: its permissions, not the client's path.
 * @param cause - the file system's error (`EACCES`, `EPERM`), kept as the error's `cause`
 * @returns SyncError `FILE_UNREADABLE` (403)
 */
export function fileUnreadable(clientPath: string, cause?: unknown): SyncError {
  return new SyncError(
    'FILE_UNREADABLE',
    403,
    `${clientPath} cannot be read by this server (its permissions, or a folder's on the way, refuse this server's user); its operator can make it readable (chmod or chown) or move it out of the sync root`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * The refusal of a client path that passes every check but is too long for
 * this server's file system once joined to its root (ENAMETOOLONG: over PATH_MAX).
 * @returns SyncError `BAD_PATH` (400)
 */
export function pathTooLong(clientPath: string): SyncError {
  return badPath(`${clientPath} is too long for this server's file system; use shorter names`);
}

/** Every form the string takes when percent-decoded again, up to three times. */
function decodedForms(input: string): string[] {
  const forms = [input];
  let current = input;
  for (let round = 0; round < 3 && current.includes('%'); round += 1) {
    try {
      const next = decodeURIComponent(current);
      if (next === current) break;
      forms.push(next);
      current = next;
    } catch {
      break; // not percent-encoding, e.g. a file named "50%.pdf"
    }
  }
  return forms;
}

/** A name with nothing to decode or normalise. */
const PLAIN_NAME = /^[\w.-]+$/;

function checkSegment(segment: string): void {
  if (segment === '') throw badPath('empty segment (leading, trailing or doubled "/")');
  if (segment === '.' || segment === '..') throw badPath('"." and ".." segments are not allowed');
  if (/[. ]$/.test(segment)) throw badPath(`"${segment}" ends with a dot or a space`);
  if (WINDOWS_DEVICE.test(segment)) throw badPath(`"${segment}" is a reserved device name`);
  if (Buffer.byteLength(segment, 'utf8') > MAX_SEGMENT_BYTES) throw badPath('a segment is longer than 255 bytes');
  if (segment.includes(TEMP_FILE_MARKER)) throw badPath('names holding ".sync-tmp-" are reserved for temp files');
  if (!PLAIN_NAME.test(segment) && canonicalFileName(segment) === '') throw badPath('a name shows no character: only invisible characters, combining marks, dots or spaces');
}

function checkForm(form: string): void {
  if (FORBIDDEN_CHARACTERS.test(form)) {
    throw badPath('control characters, backslashes and <>:"|?* are not allowed');
  }
  if (form.startsWith('/')) throw badPath('absolute paths are not allowed');
  if (form.split('/').some((segment) => segment === '..' || segment === '.')) {
    throw badPath('"." and ".." segments are not allowed (also when percent-encoded)');
  }
}

/**
 * Checks the syntax of a client path `<root>[/<relative>]` and splits it.
 * Refuses non-strings, empty or over-long paths, absolute paths, `.`/`..`
 * (also percent- or double-encoded), backslashes, NUL and control
 * characters, characters Windows cannot store, and names not in NFC.
 * @throws SyncError `BAD_PATH` (400)
 */
export function parseSyncPath(input: unknown): { readonly root: string; readonly segments: readonly string[] } {
  if (typeof input !== 'string') throw badPath('give exactly one `path` query parameter');
  if (input === '') throw badPath('the path is empty');
  if (input.length > MAX_PATH_LENGTH) throw badPath(`the path is longer than ${MAX_PATH_LENGTH} characters`);
  if (!(input as string & { isWellFormed(): boolean }).isWellFormed()) throw badPath('the path holds a lone UTF-16 surrogate, which no file name on disk can hold');
  for (const form of decodedForms(input)) checkForm(form);
  if (input.normalize('NFC') !== input) throw badPath('the path is not in Unicode NFC form');
  const segments = input.split('/');
  segments.forEach(checkSegment);
  const [root, ...rest] = segments;
  return { root: root ?? '', segments: rest };
}

/**
 * True when a file or folder name on disk can travel: a path holding it as a
 * segment passes {@link parseSyncPath}. The manifest leaves other names out
 * (not in NFC, control characters, `\\`, `CON`, `a:b`…): the routes would
 * refuse them, and a peer would refuse the whole listing that held one.
 */
export function isSyncableName(name: string): boolean {
  return unsyncableNameReason(name) === undefined;
}

/**
 * Why a file or folder name on disk cannot travel ("the path is not in
 * Unicode NFC form", "\"CON\" is a reserved device name"…), for an operator;
 * undefined when it can (see {@link isSyncableName}).
 */
export function unsyncableNameReason(name: string): string | undefined {
  try {
    // The common name (ASCII letters, digits, `_ . -`) has nothing to decode or normalise: only the segment rules apply.
    if (PLAIN_NAME.test(name)) checkSegment(name);
    else parseSyncPath(`r/${name}`);
    return undefined;
  } catch (error) {
    return error instanceof SyncError ? error.message.replace(/^bad path: /, '') : String(error);
  }
}

/**
 * The refusal of any path in a sync root whose folder is missing on this
 * server (removed or renamed, a symlink to nothing, or a file in its place):
 * the server's state, not the client's path, so the message names the folder
 * and the fix.
 * @param isFile - true when a file stands where the root's folder should be
 * @returns SyncError `ROOT_MISSING` (409)
 */
export function rootMissing(root: string, rootDir: string, isFile = false): SyncError {
  const what = isFile ? 'is a file on this server, not a folder: move the file away and create the folder' : 'is missing on this server: create the folder';
  return new SyncError('ROOT_MISSING', 409, `sync root ${root} (${rootDir}) ${what} (mkdir -p ${shellWord(rootDir)})`);
}

/** Why the root's folder cannot hold paths, or undefined when it is a folder (or cannot be looked at). */
async function rootProblem(root: string, rootDir: string): Promise<SyncError | undefined> {
  const stats = await stat(rootDir).catch((error: unknown) => ((error as NodeJS.ErrnoException).code === 'ENOENT' ? null : undefined));
  if (stats === null) return rootMissing(root, rootDir);
  return stats === undefined || stats.isDirectory() ? undefined : rootMissing(root, rootDir, true);
}

/**
 * Resolves a client path inside the configured sync roots, or refuses it.
 * Besides {@link parseSyncPath}'s checks, the deepest existing part of the
 * path must stay inside the root once symlinks are resolved, and the whole
 * path must not be too long for the file system (over PATH_MAX).
 * @param roots - root name to absolute directory
 * @param input - the client's `path` parameter
 * @param needsFile - true when the path must name something below the root
 * @throws SyncError `BAD_PATH` (400), `UNKNOWN_ROOT` (404), `PATH_CONFLICT` (409), `ROOT_MISSING` (409) when the root's folder is missing on disk, or `FILE_UNREADABLE` (403) when this server may not enter a folder on the path
 */
export async function resolveSyncPath(
  roots: ReadonlyMap<string, string>,
  input: unknown,
  needsFile: boolean,
): Promise<ResolvedSyncPath> {
  const { root, segments } = parseSyncPath(input);
  const rootDir = roots.get(root);
  if (rootDir === undefined) {
    throw new SyncError('UNKNOWN_ROOT', 404, `unknown sync root "${root}"; known roots: ${[...roots.keys()].join(', ')}`);
  }
  if (needsFile && segments.length === 0) throw badPath('name a file inside the root, as <root>/<file>');
  const absolute = path.join(rootDir, ...segments);
  const [rootReal, targetReal] = await Promise.all([realpath(rootDir), realpathOfExisting(absolute, rootDir)]).catch(
    async (error: unknown) => {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') {
        const problem = await rootProblem(root, rootDir);
        if (problem !== undefined) throw problem;
      }
      if (code === 'ENOTDIR') {
        throw new SyncError('PATH_CONFLICT', 409, `${root}/${segments.join('/')} runs through a file where a folder is needed`);
      }
      if (code === 'ENAMETOOLONG') throw pathTooLong(`${root}/${segments.join('/')}`);
      if (code !== undefined && NOT_PERMITTED.has(code)) throw fileUnreadable([root, ...segments].join('/'), error);
      throw badPath('a symlink on the path is dangling or unreadable');
    },
  );
  if (!isInside(targetReal, rootReal)) throw badPath('a symlink on the path leads outside its sync root');
  if (segments.length === 0) {
    const problem = await rootProblem(root, rootDir); // the root itself: a file there is no folder to list
    if (problem !== undefined) throw problem;
  }
  const relative = segments.join('/');
  const linked = path.relative(rootReal, targetReal).split(path.sep).join('/');
  return { root, rootDir, relative, absolute, ...(linked === relative ? {} : { linked }) };
}
