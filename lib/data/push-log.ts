import type Database from 'better-sqlite3';

/**
 * How far this server's changes have been pushed to each peer (a local seq
 * per peer site id), in `_sync_pushed`. The pull side's cursors live in
 * `_sync_peers`, written by the merge in the same transaction as each page.
 */
export class PushLog {
  readonly #get: Database.Statement;
  readonly #put: Database.Statement;
  readonly #clear: Database.Statement;

  /** Creates `_sync_pushed` when missing and prepares the statements. */
  constructor(db: Database.Database) {
    db.exec('CREATE TABLE IF NOT EXISTS _sync_pushed (site TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID');
    this.#get = db.prepare('SELECT seq FROM _sync_pushed WHERE site = ?').pluck();
    this.#put = db.prepare('INSERT INTO _sync_pushed (site, seq) VALUES (?, ?) ON CONFLICT (site) DO UPDATE SET seq = max(seq, excluded.seq)');
    this.#clear = db.prepare('DELETE FROM _sync_pushed');
  }

  /** Our seq up to which `site` has every change of ours; 0 when never pushed. */
  pushedTo(site: string): number {
    return (this.#get.get(site) as number | undefined) ?? 0;
  }

  /** Records that `site` applied our changes up to `seq` (never moves back). */
  recordPushed(site: string, seq: number): void {
    this.#put.run(site, seq);
  }

  /** Forgets every push cursor, so peers receive everything again (after a new site id). */
  clear(): void {
    this.#clear.run();
  }
}
