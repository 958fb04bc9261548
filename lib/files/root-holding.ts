import { realpathSync } from 'node:fs';
import path from 'node:path';

/** The real path of `folder`: that of its deepest part that exists, with the rest after it (a symbolic link into a root is seen as inside it). */
function realFolder(folder: string): string {
  const absolute = path.resolve(folder);
  try {
    return realpathSync(absolute);
  } catch {
    const parent = path.dirname(absolute);
    return parent === absolute ? absolute : path.join(realFolder(parent), path.basename(absolute));
  }
}

/**
 * The sync root `folder` is in (or is), if any, as `[name, directory]`, compared by real paths: a folder
 * named through a symbolic link into a root (or whose parent is one) is inside it.
 * @param roots - the sync roots, by their real paths (`resolveSyncRoots`)
 * @param folder - any path, existing or not (relative paths resolve against the working directory)
 */
export function syncRootHolding(roots: ReadonlyMap<string, string>, folder: string): readonly [string, string] | undefined {
  const real = realFolder(folder);
  for (const [name, directory] of roots) {
    if (real === directory || real.startsWith(directory.endsWith(path.sep) ? directory : directory + path.sep)) return [name, directory];
  }
  return undefined;
}
