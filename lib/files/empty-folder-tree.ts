import { lstat, readdir, rmdir } from 'node:fs/promises';
import path from 'node:path';

/**
 * The folders of a tree that holds only folders, deepest first (the order to
 * remove them in); undefined when anything else is inside, a file or a
 * symlink (never followed), when `folder` is not a folder itself (a symlink
 * to one included), or when it cannot be read.
 * @param folder - absolute path of the tree's top folder
 */
export async function emptyFolderTree(folder: string): Promise<string[] | undefined> {
  try {
    const own = await lstat(folder);
    if (!own.isDirectory()) return undefined;
    const folders: string[] = [];
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      if (!entry.isDirectory()) return undefined;
      const below = await emptyFolderTree(path.join(folder, entry.name));
      if (below === undefined) return undefined;
      folders.push(...below);
    }
    folders.push(folder);
    return folders;
  } catch {
    return undefined;
  }
}

/**
 * Removes the folders {@link emptyFolderTree} listed, in its order, with
 * `rmdir` only, so nothing else is ever removed (a file written meanwhile
 * makes its `rmdir` fail).
 * @returns false when one of them could not be removed
 */
export async function removeFolders(folders: readonly string[]): Promise<boolean> {
  return (await removeFoldersOrError(folders)) === undefined;
}

/**
 * {@link removeFolders}, with the error of the `rmdir` that failed (ENOTEMPTY for an entry made
 * meanwhile, EACCES, EPERM or EROFS for a folder this server may not change).
 * @returns undefined once all are removed
 */
export async function removeFoldersOrError(folders: readonly string[]): Promise<NodeJS.ErrnoException | undefined> {
  try {
    for (const each of folders) await rmdir(each);
    return undefined;
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
}

/**
 * Removes `folder` when it holds nothing but (empty) folders, bottom-up with
 * `rmdir` only: what a file of its name, synced from a peer, takes the place of
 * (the files it held were deleted; the folders are no content to keep).
 * @returns false when it holds anything else (or is not a folder)
 */
export async function removeEmptyFolderTree(folder: string): Promise<boolean> {
  const folders = await emptyFolderTree(folder);
  return folders !== undefined && (await removeFolders(folders));
}
