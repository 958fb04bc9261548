import type { PeerSyncResult, RecentFileConflict } from './sync-status';

/** File conflicts kept for `/status`, newest first. */
const RECENT_FILE_CONFLICTS = 50;

/** The most recent file conflicts of every peer's rounds, newest first, at most 50, for `/status`. */
export class RecentFileConflicts {
  readonly #list: RecentFileConflict[] = [];

  /** Keeps the file conflicts of a round that just ended. */
  keep(result: PeerSyncResult): void {
    const at = new Date().toISOString();
    this.#list.unshift(...result.fileConflicts.map((conflict) => ({ ...conflict, peer: result.peer, at })));
    this.#list.splice(RECENT_FILE_CONFLICTS);
  }

  /** A copy of the list, newest first. */
  list(): RecentFileConflict[] {
    return [...this.#list];
  }
}
