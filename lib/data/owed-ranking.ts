import type Database from 'better-sqlite3';
import { settlingTransaction } from './prepared';
import type { VisibleState } from './visible-state';

/**
 * A ranking of all parked rows asked for (at start, or after a new site id: see `VisibleState.settleWhole`)
 * and owed until one commits: refused by an app trigger, it is tried again before each later fold, read and
 * apply, which answer the refusal meanwhile; once the trigger skips the sync's moves, it goes through.
 */
export class OwedRanking {
  readonly #db: Database.Database;
  readonly #visible: VisibleState;
  #owed = false;

  constructor(db: Database.Database, visible: VisibleState) {
    this.#db = db;
    this.#visible = visible;
  }

  /** True while a ranking is owed. */
  get owed(): boolean {
    return this.#owed;
  }

  /** Asks for a ranking, then does it (see {@link settle}). @throws as {@link settle} */
  ask(): void {
    this.#owed = true;
    this.settle();
  }

  /**
   * Folds, then ranks all parked rows, in one transaction, when a ranking is owed; owed no more once it
   * committed (inside the app's own transaction it may still roll back: it is done again next time).
   * @throws SyncError `APPLY_REFUSED` (409) when an app trigger refuses a move of it (it stays owed)
   */
  settle(): void {
    if (!this.#owed) return;
    settlingTransaction(this.#db, () => true, (foreignKeys) => {
      this.#visible.fold(foreignKeys);
      this.#visible.settleWhole(foreignKeys);
    });
    if (!this.#db.inTransaction) this.#owed = false;
  }
}
