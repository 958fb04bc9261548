import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';

/*
 * Where a path really leads once symbolic links are resolved, for a path
 * whose last parts may not exist yet (a file about to be uploaded): the
 * check that a client path stays inside its sync root.
 */

/** True when `child` is `parent` or lies below it (both absolute, resolved). */
export function isInside(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(path.sep) ? parent : parent + path.sep);
}

/** How often a path that appears or vanishes between `realpath` and `lstat` is looked at again. */
const RACE_RETRIES = 5;

/**
 * Real path of `absolute`: that of its deepest part that exists, with the
 * parts that do not exist yet after it; a dangling symlink throws. A file or
 * folder created (or removed) by someone else between the two looks is
 * looked at again, not taken for a dangling symlink.
 * @param stopAt - where the climb towards an existing part stops (the root's folder): missing too, its error is thrown
 * @throws the file system's error: `ENOENT` for a dangling symlink (or a path that keeps changing) or a missing `stopAt`, `ENAMETOOLONG` over PATH_MAX, any other as it comes
 */
export async function realpathOfExisting(absolute: string, stopAt: string): Promise<string> {
  let current = absolute;
  for (let retries = 0; ; ) {
    try {
      return path.join(await realpath(current), path.relative(current, absolute));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || current === stopAt) throw err;
      const now = await lstat(current).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code === 'ENAMETOOLONG') throw error; // over PATH_MAX: no part of it will ever open
        return undefined;
      });
      if (now === undefined) current = path.dirname(current);
      else if (now.isSymbolicLink() || retries >= RACE_RETRIES) throw err; // dangling (or a path that keeps changing)
      else retries += 1; // it appeared meanwhile: resolve it again
    }
  }
}
