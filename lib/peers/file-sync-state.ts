import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomically } from '../files/atomic-file';
import { withFileLock } from '../files/file-locks';
import { openRegularFile } from '../files/regular-file';

interface StoredState {
  readonly version: 1;
  /** The site id of the peer this base is with (none in files written before it was kept). */
  readonly site?: string;
  /** This server's own site id when the base was kept (none in files written before it was kept, or by a server without data). */
  readonly local?: string;
  readonly roots: Record<string, Record<string, string>>;
}

/** Per root, per path: the SHA-256 both sides hold, or undefined when neither holds the path. */
type Settlements = Map<string, Map<string, string | undefined>>;

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

/** The site ids a stored state names, if any: the peer's (`site`) and this server's (`local`). */
function storedSites(text: string): { readonly site: string | undefined; readonly local: string | undefined } {
  try {
    const stored = JSON.parse(text) as { site?: unknown; local?: unknown } | null;
    return { site: typeof stored?.site === 'string' ? stored.site : undefined, local: typeof stored?.local === 'string' ? stored.local : undefined };
  } catch {
    return { site: undefined, local: undefined };
  }
}

/** True when both ids are known and differ. */
function differs(wanted: string | undefined, stored: string | undefined): boolean {
  return wanted !== undefined && stored !== undefined && wanted !== stored;
}

/** What a state file holds now: the roots and the two site ids. */
interface ReadState {
  roots: Map<string, Map<string, string>>;
  site: string | undefined;
  local: string | undefined;
}

/**
 * The text of a state file; undefined when it is missing or no regular file (a named pipe, a link to a device:
 * never opened so that it blocks, since a pipe would hold the round, and the peer's every later one, for good).
 * Either is no base: a first sync, which deletes nothing; the round's save puts a file in its place.
 * @throws the file system's error for a file that cannot be read
 */
async function readStateText(file: string): Promise<string | undefined> {
  const opened = await openRegularFile(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (opened === undefined) return undefined;
  try {
    return await opened.handle.readFile('utf8');
  } finally {
    await opened.handle.close();
  }
}

/**
 * What `file` holds now, root by root (empty when missing or not a state), and
 * the site ids it names. A base with another site than `site` is empty: the
 * files that peer held are not the ones the URL's server holds now (its data
 * folder wiped, it took a new identity); a base from then would delete here
 * every file it no longer has. So is a base kept by this server under another
 * site id than `local`: this server is a copy of the one that kept it (a data
 * folder copied to another laptop, or put back from an older copy), and its
 * files are not the ones that base names.
 */
async function readRoots(file: string, site: string | undefined, local: string | undefined): Promise<ReadState> {
  const text = await readStateText(file);
  const stored = text === undefined ? { site: undefined, local: undefined } : storedSites(text);
  const roots = text === undefined || differs(site, stored.site) || differs(local, stored.local) ? undefined : storedRoots(text);
  return { roots: new Map(Object.entries(roots ?? {}).map(([root, files]) => [root, new Map(Object.entries(files))])), site: site ?? stored.site, local: local ?? stored.local };
}

/** Records one settled path in `roots`. */
function settleIn(roots: Map<string, Map<string, string | undefined>>, root: string, relative: string, sha256: string | undefined): void {
  let files = roots.get(root);
  if (files === undefined) {
    files = new Map();
    roots.set(root, files);
  }
  files.set(relative, sha256);
}

/** `later` over `earlier`, per path. */
function mergedFiles(earlier: ReadonlyMap<string, string | undefined>, later: ReadonlyMap<string, string | undefined> | undefined): Map<string, string | undefined> {
  return new Map([...earlier, ...(later ?? [])]);
}

/** `later` over `earlier`, per root and path. */
function mergedSettlements(earlier: Settlements, later: Settlements): Settlements {
  const roots = new Set([...earlier.keys(), ...later.keys()]);
  return new Map([...roots].map((root) => [root, mergedFiles(earlier.get(root) ?? new Map(), later.get(root))]));
}

/**
 * What both sides held after the last file sync with one peer, per root and
 * path (the "base" of the three-way comparison). Kept in a JSON file, written
 * atomically (temp file, fsync, rename), so a crash leaves the old state.
 *
 * Both sides of a pair keep it: a round updates the base of the server that
 * runs it, and that server tells the peer what it settled (`POST
 * /files/settled`), which the peer records with {@link FileSyncState.record}.
 * A save writes only the paths settled since the load over what the file
 * holds then, under one lock per file, so a round and a peer's settlements
 * made meanwhile never lose each other's paths.
 */
export class FileSyncState {
  readonly #file: string;
  /** The peer's site id the base is with, when known. */
  #site: string | undefined;
  /** This server's site id the base is kept under, when known. */
  #local: string | undefined;
  #roots = new Map<string, Map<string, string>>();
  /** Paths settled since the load and not saved yet. */
  #pending: Settlements = new Map();
  /** Paths settled since the load and saved. */
  #saved: Settlements = new Map();

  private constructor(file: string, site: string | undefined, local: string | undefined) {
    this.#file = file;
    this.#site = site;
    this.#local = local;
  }

  /**
   * Loads the state kept in `file`. A missing file is an empty state, and so
   * is one that is not a state (emptied, cut short, edited by hand): the next
   * sync with that peer is then a first sync — nothing is deleted on either
   * side, files both sides changed are kept as conflict copies — and its save
   * writes a good file again. File sync with that peer never stops on it.
   * Likewise a state kept with another site than the peer's `site` (its data
   * folder wiped, a new identity): its files are not the ones that base
   * names, and an old base would delete here every file it no longer has.
   * And a state this server kept under another site id than `local` (it is a
   * copy of the server that kept it: its files are not the ones that base names).
   * @param site - the peer's site id (its host when it syncs no data); the state's saves keep it
   * @param local - this server's own site id (none without data); the state's saves keep it
   */
  static async load(file: string, site?: string, local?: string): Promise<FileSyncState> {
    const state = new FileSyncState(file, site, local);
    ({ roots: state.#roots, site: state.#site, local: state.#local } = await readRoots(file, site, local));
    return state;
  }

  /**
   * Records paths in the state kept in `file` at once (loaded, updated and
   * saved under the file's lock): what a peer's own round settled with this
   * server. A round with that peer saving meanwhile keeps them, apart from
   * the paths it settled itself. With the peer's `site`, a base kept with
   * another site is dropped first (see {@link FileSyncState.load}).
   */
  static async record(file: string, settled: ReadonlyMap<string, ReadonlyMap<string, string | undefined>>, site?: string): Promise<void> {
    const state = new FileSyncState(file, site, undefined);
    for (const [root, files] of settled) for (const [relative, sha256] of files) settleIn(state.#pending, root, relative, sha256);
    await state.save();
  }

  /** The base of one root (empty when never synced). */
  base(root: string): ReadonlyMap<string, string> {
    return this.#roots.get(root) ?? new Map();
  }

  /** Records what both sides now hold at a path; undefined means neither has it. */
  settle(root: string, relative: string, sha256: string | undefined): void {
    if (this.#roots.get(root)?.get(relative) === sha256) return; // nothing new: a peer's settlement of it is not overwritten
    settleIn(this.#pending, root, relative, sha256);
    this.#apply(root, relative, sha256);
  }

  /** The paths of a root whose base changed since the load and was saved, with what both sides hold there. */
  savedChanges(root: string): ReadonlyMap<string, string | undefined> {
    return this.#saved.get(root) ?? new Map();
  }

  /**
   * Writes the state to its file atomically: the paths settled since the
   * last save over what the file holds now (a peer's settlements recorded
   * meanwhile are kept, and read into this state).
   */
  async save(): Promise<void> {
    const pending = this.#pending;
    this.#pending = new Map();
    try {
      await mkdir(path.dirname(this.#file), { recursive: true }); // first: the lock's key is the folder's real path
      await withFileLock(this.#file, async () => {
        ({ roots: this.#roots, site: this.#site, local: this.#local } = await readRoots(this.#file, this.#site, this.#local));
        for (const [root, files] of pending) for (const [relative, sha256] of files) this.#apply(root, relative, sha256);
        await this.#write();
      });
    } catch (error) {
      this.#pending = mergedSettlements(pending, this.#pending); // kept for the next save
      throw error;
    }
    this.#saved = mergedSettlements(this.#saved, pending);
  }

  #apply(root: string, relative: string, sha256: string | undefined): void {
    let files = this.#roots.get(root);
    if (files === undefined) {
      files = new Map();
      this.#roots.set(root, files);
    }
    if (sha256 === undefined) files.delete(relative);
    else files.set(relative, sha256);
  }

  async #write(): Promise<void> {
    const stored: StoredState = {
      version: 1,
      ...(this.#site === undefined ? {} : { site: this.#site }),
      ...(this.#local === undefined ? {} : { local: this.#local }),
      roots: Object.fromEntries([...this.#roots].map(([root, files]) => [root, Object.fromEntries(files)])),
    };
    await writeFileAtomically(this.#file, JSON.stringify(stored));
  }
}
