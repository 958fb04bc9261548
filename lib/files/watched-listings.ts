import { watch, type FSWatcher } from 'node:fs';
import { sep } from 'node:path';

/** One file of a directory listing that can be trusted while nothing changes. */
export interface ListedFile {
  readonly name: string;
  readonly size: number;
  readonly mtimeMs: number;
  /** The SHA-256, or undefined for database content (never listed). */
  readonly sha256: string | undefined;
}

/** A directory's files and subdirectory names, as the last scan read them. */
export interface Listing {
  readonly files: readonly ListedFile[];
  readonly subdirs: readonly string[];
  /** Names left out because they cannot travel, and why: reported again when the listing is reused. */
  readonly skipped?: ReadonlyArray<{ readonly name: string; readonly reason: string }>;
}

interface DirectoryState {
  watcher: FSWatcher | undefined;
  /** An event arrived since the listing was read, or the watcher failed. */
  changed: boolean;
  verifiedAt: number;
  listing: Listing | undefined;
}

/** Options of {@link WatchedListings}. */
export interface WatchedListingsOptions {
  /** A listing is re-read (every file stat'ed) at least this often, whatever the watcher says. */
  readonly trustForMs: number;
  /** Directories watched at most; beyond, directories are simply re-read each time. */
  readonly maxWatchers: number;
}

/**
 * Directory listings that a warm scan may reuse without a single `lstat`,
 * because an inotify/FSEvents watcher (`fs.watch`, one per directory, not
 * keeping the process alive) saw nothing change since they were read. A
 * listing is not trusted when it held a symlink or a file changed within the
 * racy window, when its watcher reported anything or failed, or when it is
 * older than `trustForMs` (watchers miss writes through `mmap`, hard links in
 * other folders and network file systems, so a full re-read still happens
 * regularly). Sync steps re-check every file they touch, so a listing that is
 * stale for a moment can delay a file, never overwrite one.
 */
export class WatchedListings {
  readonly #options: WatchedListingsOptions;
  readonly #dirs = new Map<string, DirectoryState>();

  /** @param options - how long to trust a listing, and how many directories to watch */
  constructor(options: WatchedListingsOptions) {
    this.#options = options;
  }

  /** The listing of `directory` when it can be trusted now, else undefined. */
  trusted(directory: string, now: number): Listing | undefined {
    const state = this.#dirs.get(directory);
    if (state === undefined || state.changed || state.watcher === undefined || state.listing === undefined) return undefined;
    return now - state.verifiedAt < this.#options.trustForMs ? state.listing : undefined;
  }

  /**
   * Starts (or restarts) watching `directory`, before it is read, so that a
   * change during the read makes the listing untrusted.
   */
  arm(directory: string): void {
    const previous = this.#dirs.get(directory);
    previous?.watcher?.close();
    const state: DirectoryState = { watcher: undefined, changed: false, verifiedAt: 0, listing: undefined };
    if (previous !== undefined || this.#dirs.size < this.#options.maxWatchers) {
      try {
        state.watcher = watch(directory, { persistent: false }, () => {
          state.changed = true;
        });
        state.watcher.on('error', () => {
          state.changed = true;
          state.watcher?.close();
          state.watcher = undefined;
        });
      } catch {
        state.watcher = undefined; // out of watches, or gone: this directory is re-read each time
      }
    }
    this.#dirs.set(directory, state);
  }

  /** Keeps what was read after `arm`; `undefined` when something in it cannot be trusted. */
  store(directory: string, listing: Listing | undefined, readAt: number): void {
    const state = this.#dirs.get(directory);
    if (state === undefined) return;
    state.listing = listing;
    state.verifiedAt = readAt;
  }

  /**
   * Stops watching `directory` and everything below it, except the children
   * named in `keep` (a directory re-read without some former subdirectories,
   * or one that is gone: pass no `keep`).
   */
  forgetBelow(directory: string, keep: readonly string[] | undefined): void {
    const prefix = directory + sep;
    const kept = new Set((keep ?? []).map((name) => prefix + name));
    for (const [path, state] of this.#dirs) {
      const inside = keep === undefined ? path === directory || path.startsWith(prefix) : path.startsWith(prefix);
      if (!inside) continue;
      const child = keep === undefined ? undefined : prefix + path.slice(prefix.length).split(sep)[0];
      if (child !== undefined && kept.has(child)) continue;
      state.watcher?.close();
      this.#dirs.delete(path);
    }
  }

  /** Makes a directory's listing untrusted (a parent changed: it may be another directory now). */
  invalidate(directory: string): void {
    const state = this.#dirs.get(directory);
    if (state !== undefined) state.changed = true;
  }

  /** Directories watched now. */
  get watching(): number {
    let count = 0;
    for (const state of this.#dirs.values()) if (state.watcher !== undefined) count += 1;
    return count;
  }

  /** Stops every watcher. */
  close(): void {
    for (const state of this.#dirs.values()) state.watcher?.close();
    this.#dirs.clear();
  }
}

/**
 * Lets file-system events that happened before now reach their watchers:
 * two turns of the event loop guarantee one full poll phase after the call.
 */
export async function settleWatchEvents(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
}
