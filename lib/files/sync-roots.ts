import { mkdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { sweepStaleTempFilesSync } from './temp-files';

const ROOT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Creates a root's directory; a file or something else in its place is named plainly. */
function openRootDirectory(name: string, absolute: string): string {
  try {
    const existing = statSync(absolute, { throwIfNoEntry: false });
    if (existing !== undefined && !existing.isDirectory()) {
      throw new TypeError(`express-sqlite-sync: roots.${name} is ${absolute}, which is a file, not a folder; point it at a folder (it is created when missing)`);
    }
    mkdirSync(absolute, { recursive: true });
  } catch (error) {
    if (error instanceof TypeError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new TypeError(`express-sqlite-sync: roots.${name}: cannot create the folder ${absolute} (${code}); a file may stand where a folder on its way is needed`, { cause: error });
  }
  return realpathSync(absolute);
}

/**
 * The name → directory pairs of a `roots` option: a plain object, or a `Map`
 * (what {@link resolveSyncRoots} returns, so its result may be passed on).
 * Names and directories are checked by the caller.
 * @throws TypeError for anything else, or a Map key that is not a string
 */
export function syncRootEntries(roots: unknown): Array<[string, unknown]> {
  if (roots instanceof Map) {
    return [...(roots as Map<unknown, unknown>)].map(([name, directory]) => {
      if (typeof name !== 'string') throw new TypeError(`express-sqlite-sync: \`roots\` as a Map must have root names (strings) as keys, got ${typeof name}`);
      return [name, directory];
    });
  }
  if (typeof roots !== 'object' || roots === null || Array.isArray(roots) || roots instanceof Set) {
    throw new TypeError('express-sqlite-sync: `roots` must be an object (or a Map) of root names to directories, e.g. { uploads: "./data/uploads" }');
  }
  return Object.entries(roots);
}

/**
 * Checks the sync-root map, creates missing directories and resolves each to
 * its real path, so later containment checks compare like with like. Crash
 * leftovers (stale temp files, see `sweepStaleTempFilesSync`) are removed.
 * @param roots - root name to directory, as an object or a Map (relative directories resolve against the working directory)
 * @throws TypeError when `roots` is not an object or Map of directory strings, or a root is a file
 * @throws RangeError when a root name is not a short `[A-Za-z0-9_-]` word
 */
export function resolveSyncRoots(roots: unknown): ReadonlyMap<string, string> {
  const resolved = new Map<string, string>();
  for (const [name, directory] of syncRootEntries(roots)) {
    if (!ROOT_NAME.test(name)) {
      throw new RangeError(`express-sqlite-sync: root name ${JSON.stringify(name)} must be 1-64 characters of A-Z, a-z, 0-9, "_" or "-"`);
    }
    if (typeof directory !== 'string' || directory === '') {
      throw new TypeError(`express-sqlite-sync: roots.${name} must be a directory path string`);
    }
    const real = openRootDirectory(name, path.resolve(directory));
    refuseOverlap(resolved, name, real);
    sweepStaleTempFilesSync(real);
    resolved.set(name, real);
  }
  return resolved;
}

/**
 * Two roots on one folder, or one inside another, would list the same file
 * under two paths: synced twice, deleted through one while kept through the other.
 * @throws RangeError naming both
 */
function refuseOverlap(resolved: ReadonlyMap<string, string>, name: string, real: string): void {
  for (const [other, directory] of resolved) {
    const inside = (child: string, parent: string): boolean => child.startsWith(parent.endsWith(path.sep) ? parent : parent + path.sep);
    if (directory === real) throw new RangeError(`express-sqlite-sync: roots.${other} and roots.${name} are the same folder (${real}); give each root its own folder`);
    if (inside(real, directory) || inside(directory, real)) {
      const [outer, inner] = inside(real, directory) ? [other, name] : [name, other];
      throw new RangeError(`express-sqlite-sync: roots.${inner} is inside roots.${outer}; a file there would sync under both names. Give each root its own folder, side by side`);
    }
  }
}
