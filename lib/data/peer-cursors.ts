import type Database from 'better-sqlite3';

/**
 * The two cursors this server keeps per peer site, both seqs:
 * - the **pull cursor** (`_sync_peers`): the peer's seq up to which its
 *   changes are applied here, saved by the merge in the same transaction as
 *   the page that moved it;
 * - the **push cursor** (`_sync_pushed`): our seq up to which the peer has
 *   applied our changes, saved after the peer answered.
 * Both tables are created with the rest of the metadata (`META_DDL`).
 */
export class PeerCursors {
  readonly #pull: Database.Statement;
  readonly #savePull: Database.Statement;
  readonly #push: Database.Statement;
  readonly #savePush: Database.Statement;

  /** Prepares the statements (the metadata must exist). */
  constructor(db: Database.Database) {
    this.#pull = db.prepare('SELECT seq FROM _sync_peers WHERE site = ?').pluck().safeIntegers(false);
    this.#savePull = db.prepare('INSERT INTO _sync_peers (site, seq) VALUES (?, ?) ON CONFLICT (site) DO UPDATE SET seq = excluded.seq');
    this.#push = db.prepare('SELECT seq FROM _sync_pushed WHERE site = ?').pluck().safeIntegers(false);
    this.#savePush = db.prepare('INSERT INTO _sync_pushed (site, seq) VALUES (?, ?) ON CONFLICT (site) DO UPDATE SET seq = max(seq, excluded.seq)');
  }

  /** The peer's seq up to which its changes are applied here; 0 when none. */
  pull(site: string): number {
    return (this.#pull.get(site) as number | undefined) ?? 0;
  }

  /** Moves the pull cursor of `site` (inside the transaction that applied the page). */
  savePull(site: string, seq: number): void {
    this.#savePull.run(site, seq);
  }

  /** Our seq up to which `site` has every change of ours; 0 when never pushed. */
  push(site: string): number {
    return (this.#push.get(site) as number | undefined) ?? 0;
  }

  /** Records that `site` applied our changes up to `seq` (never moves back). */
  savePush(site: string, seq: number): void {
    this.#savePush.run(site, seq);
  }
}

/** Forgets every push cursor, so peers receive everything again (after a new site id). */
export function clearPushCursors(db: Database.Database): void {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sync_pushed'").get() !== undefined;
  if (exists) db.prepare('DELETE FROM _sync_pushed').run();
}
