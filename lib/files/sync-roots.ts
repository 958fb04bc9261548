import { mkdirSync, realpathSync } from 'node:fs';
import path from 'node:path';

const ROOT_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/**
 * Checks the sync-root map, creates missing directories and resolves each to
 * its real path, so later containment checks compare like with like.
 * @param roots - root name to directory (relative directories resolve against the working directory)
 * @throws TypeError when `roots` is not an object of directory strings
 * @throws RangeError when a root name is not a short `[A-Za-z0-9_-]` word
 */
export function resolveSyncRoots(roots: unknown): ReadonlyMap<string, string> {
  if (typeof roots !== 'object' || roots === null || Array.isArray(roots)) {
    throw new TypeError('express-sqlite-sync: `roots` must be an object mapping root names to directories, e.g. { uploads: "./data/uploads" }');
  }
  const resolved = new Map<string, string>();
  for (const [name, directory] of Object.entries(roots)) {
    if (!ROOT_NAME.test(name)) {
      throw new RangeError(`express-sqlite-sync: root name ${JSON.stringify(name)} must be 1-64 characters of A-Z, a-z, 0-9, "_" or "-"`);
    }
    if (typeof directory !== 'string' || directory === '') {
      throw new TypeError(`express-sqlite-sync: roots.${name} must be a directory path string`);
    }
    const absolute = path.resolve(directory);
    mkdirSync(absolute, { recursive: true });
    resolved.set(name, realpathSync(absolute));
  }
  return resolved;
}
