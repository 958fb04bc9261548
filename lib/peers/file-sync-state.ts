import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { commitTempFile, openTempFile } from '../files/atomic-file';

interface StoredState {
  readonly version: 1;
  readonly roots: Record<string, Record<string, string>>;
}

/** The roots of a stored state, or undefined when the text is not one. */
function storedRoots(text: string): StoredState['roots'] | undefined {
  let stored: unknown;
  try {
    stored = JSON.parse(text);
  } catch {
    return undefined;
  }
  const roots = (stored as { roots?: unknown } | null)?.roots;
  if (typeof roots !== 'object' || roots === null) return undefined;
  const valid = Object.values(roots).every((files) => typeof files === 'object' && files !== null && Object.values(files as object).every((sha) => typeof sha === 'string'));
  return valid ? (roots as StoredState['roots']) : undefined;
}

/**
 * What both sides held after the last file sync with one peer, per root and
 * path (the "base" of the three-way comparison). Kept in a JSON file, written
 * atomically (temp file, fsync, rename), so a crash leaves the old state.
 */
export class FileSyncState {
  readonly #file: string;
  #roots = new Map<string, Map<string, string>>();

  private constructor(file: string) {
    this.#file = file;
  }

  /**
   * Loads the state kept in `file`. A missing file is an empty state, and so
   * is one that is not a state (emptied, cut short, edited by hand): the next
   * sync with that peer is then a first sync — nothing is deleted on either
   * side, files both sides changed are kept as conflict copies — and its save
   * writes a good file again. File sync with that peer never stops on it.
   */
  static async load(file: string): Promise<FileSyncState> {
    const state = new FileSyncState(file);
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    const roots = text === undefined ? undefined : storedRoots(text);
    for (const [root, files] of Object.entries(roots ?? {})) state.#roots.set(root, new Map(Object.entries(files)));
    return state;
  }

  /** The base of one root (empty when never synced). */
  base(root: string): ReadonlyMap<string, string> {
    return this.#roots.get(root) ?? new Map();
  }

  /** Records what both sides now hold at a path; undefined means neither has it. */
  settle(root: string, relative: string, sha256: string | undefined): void {
    let files = this.#roots.get(root);
    if (files === undefined) {
      files = new Map();
      this.#roots.set(root, files);
    }
    if (sha256 === undefined) files.delete(relative);
    else files.set(relative, sha256);
  }

  /** Writes the state to its file atomically. */
  async save(): Promise<void> {
    await mkdir(path.dirname(this.#file), { recursive: true });
    const stored: StoredState = {
      version: 1,
      roots: Object.fromEntries([...this.#roots].map(([root, files]) => [root, Object.fromEntries(files)])),
    };
    const { tempPath, handle } = await openTempFile(this.#file);
    try {
      await handle.writeFile(JSON.stringify(stored));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await commitTempFile(tempPath, this.#file);
  }
}
