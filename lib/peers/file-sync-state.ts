import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { commitTempFile, openTempFile } from '../files/atomic-file';

interface StoredState {
  readonly version: 1;
  readonly roots: Record<string, Record<string, string>>;
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

  /** Loads the state kept in `file`; a missing file is an empty state. */
  static async load(file: string): Promise<FileSyncState> {
    const state = new FileSyncState(file);
    const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return undefined;
      throw error;
    });
    if (text !== undefined) {
      const stored = JSON.parse(text) as StoredState;
      for (const [root, files] of Object.entries(stored.roots)) state.#roots.set(root, new Map(Object.entries(files)));
    }
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
